"""manage.py restore PATH: replace all data and uploaded files with a backup's."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from golab.backup import BackupError, inspect, restore
from golab.outage import never_create_sqlite_files

security_log = logging.getLogger("golab.security")


class Command(BaseCommand):
    # No system checks: they open the database, and would create a missing SQLite file.
    requires_system_checks: list[str] = []
    help = (
        "Replace ALL data in the database and every file under MEDIA_ROOT with those of an "
        "archive made by `manage.py backup`. The archive is verified first (checksums, "
        "schema); a damaged one is refused and nothing is changed. Asks for 'yes' unless "
        "--yes is given. Run `manage.py migrate` first on a new database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="an archive made by manage.py backup")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask: replace the data without confirmation"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        using = options["database"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        never_create_sqlite_files()
        try:
            plan = inspect(path, using=using)
        except BackupError as exc:
            raise CommandError(f"refused, nothing was changed: {exc}") from None
        except DatabaseError as exc:
            raise CommandError(
                f"the database cannot be used (run `manage.py migrate` first): {exc}"
            ) from None
        self.stdout.write(plan.describe())
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("not confirmed, nothing was changed: pass --yes to restore")
            answer = input("Type 'yes' to replace them: ")
            if answer.strip().lower() != "yes":
                raise CommandError("not confirmed, nothing was changed")
        try:
            restore(plan, using=using)
        except BackupError as exc:
            raise CommandError(f"refused, nothing was changed: {exc}") from None
        security_log.warning("restore of %s replaced all data in %s", path, plan.database)
        self.stdout.write(
            f"Restored {plan.rows} rows in {len(plan.manifest['tables'])} tables and "
            f"{len(plan.manifest['files'])} files from {path}."
        )
