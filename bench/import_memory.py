"""Benchmark: an admin import of a ~50 MB snapshot, run as a background job by a real worker
process (``manage.py db_worker``), with its progress and the worker's peak memory.

    .venv/bin/python bench/import_memory.py            # the bad-rows snapshot (the issue's case)
    .venv/bin/python bench/import_memory.py --valid    # a valid one: dry run, read and applied
    .venv/bin/python bench/import_memory.py --copies 5 # a smaller one
    DATABASE_URL=postgres://... .venv/bin/python bench/import_memory.py   # an EMPTY database

Builds the snapshot with bench/big_snapshot.py, enqueues it as the admin does
(``golab.jobs``), starts the worker, prints the job's progress as the job page shows it, then
the worker's peak RSS (getrusage of the child) and the time. Target: the worker under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from environment import ROOT, start  # noqa: E402 - the script's own folder

TARGET_MB = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--valid", action="store_true", help="a valid snapshot, dry run")
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    media = tempfile.TemporaryDirectory()
    os.environ["MEDIA_ROOT"] = media.name
    tmp = start()

    from django.core.management import call_command
    from django.db import OperationalError, connection

    from golab import jobs

    sys.path.insert(0, str(ROOT / "bench"))
    from big_snapshot import build

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    snapshot = Path(tmp.name) / "big.zip"
    size = build(snapshot, args.copies, bad=not args.valid, deflate=False)
    print(
        f"database: {connection.vendor}; snapshot: {args.copies} copies of 2025-05, "
        f"{size / 1e6:.1f} MB of CSV ({'valid' if args.valid else 'every project row bad'})"
    )
    with open(snapshot, "rb") as handle:
        token = jobs.store_upload(iter(lambda: handle.read(1 << 20), b""))
    job = jobs.enqueue_import(
        token=token, filename="big.zip", run_by="bench", dry_run=True, partial=False
    )
    connection.close()
    started = time.perf_counter()
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0.1",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    shown = ""
    while worker.poll() is None:
        time.sleep(1)
        try:
            job.refresh_from_db()
        except OperationalError:  # SQLite: the worker's transaction holds the file
            continue
        line = (
            f"{job.get_status_display()}: {job.files_done} of {job.files_total} files, "
            f"{job.rows_done} rows ({job.stage})"
        )
        if line != shown:
            print(f"  {time.perf_counter() - started:6.1f} s  {line}")
            shown = line
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    job.refresh_from_db()
    result = jobs.StoredResult.load(job.result or {})
    print(
        f"job: {job.get_status_display()}, {result.error_count} errors "
        f"({len(result.errors)} listed), {result.warning_count} warnings, "
        f"{job.files_done} files, {job.rows_done} rows"
    )
    print(f"worker: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    print(f"target: worker under {TARGET_MB} MB: {'met' if peak_mb < TARGET_MB else 'MISSED'}")
    shutil.rmtree(media.name, ignore_errors=True)


if __name__ == "__main__":
    main()
