"""Benchmark: how long the INDIGO import takes on the bundled snapshots.

    .venv/bin/python bench/import_indigo.py            # a throwaway SQLite database
    DATABASE_URL=postgres://... .venv/bin/python bench/import_indigo.py   # an EMPTY database

Prints seconds for: 2025-05 into an empty database, the same again (no changes), and an
update from 2024-04 to 2025-05. The target (issue 15) is under 10 s for the first on SQLite.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from environment import ROOT, start  # noqa: E402 - the script's own folder

tmp = start()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cases.models import Organisation, OutcomeFund, Project  # noqa: E402
from evidence.models import EvidenceDocument  # noqa: E402
from golab.indigo import import_snapshot  # noqa: E402

DATA = ROOT / "data" / "indigo"


def wipe() -> None:
    Project.objects.all().delete()
    Organisation.objects.all().delete()
    OutcomeFund.objects.all().delete()
    EvidenceDocument.objects.all().delete()


def timed(label: str, path: Path) -> float:
    started = time.perf_counter()
    result = import_snapshot(path, run_by="bench")
    seconds = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    print(f"{label:<44} {seconds:6.2f} s   {result.changes():6d} changes")
    return seconds


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if Project.objects.exists():
        sys.exit("bench/import_indigo.py needs an empty database")
    print(f"database: {connection.vendor}, {os.cpu_count()} cores")
    first = timed("2025-05 into an empty database", DATA / "2025-05")
    timed("2025-05 again (nothing to change)", DATA / "2025-05")
    wipe()
    timed("2024-04 into an empty database", DATA / "2024-04")
    timed("update 2024-04 -> 2025-05", DATA / "2025-05")
    wipe()
    print(f"target: 2025-05 into an empty database under 10 s: {'met' if first < 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
