"""manage.py backup PATH: all data and uploaded files in one archive (see golab/backup.py)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from golab.backup import BackupError, backup
from golab.outage import never_create_sqlite_files

security_log = logging.getLogger("golab.security")


class Command(BaseCommand):
    # No system checks: they open the database, and would create a missing SQLite file.
    requires_system_checks: list[str] = []
    help = (
        "Write every table and every uploaded file (MEDIA_ROOT) to a new zip archive with a "
        "manifest of sha256 checksums. Restore it with `manage.py restore PATH`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the archive to create (must not exist)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        never_create_sqlite_files()
        try:
            summary = backup(path, using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(
                f"the database cannot be read, no backup was written: {exc}"
            ) from None
        security_log.info("backup written to %s", path)
        self.stdout.write(
            f"Backed up {summary.rows} rows in {summary.tables} tables and {summary.files} "
            f"files from {summary.database} to {path} ({summary.bytes} bytes)."
        )
