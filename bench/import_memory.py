"""Benchmark: an admin import of a ~50 MB snapshot, run as a background job by a real worker
process (``manage.py db_worker``), with its progress and the worker's peak memory.

    .venv/bin/python bench/import_memory.py            # both: bad rows (the issue's case), valid
    .venv/bin/python bench/import_memory.py --valid    # only a valid one: a dry run
    .venv/bin/python bench/import_memory.py --copies 5 # a smaller one
    DATABASE_URL=postgres://... .venv/bin/python bench/import_memory.py   # an EMPTY database

Builds the snapshot with bench/big_snapshot.py, enqueues it as the admin does
(``golab.jobs``), starts the worker, prints the job's progress as the job page shows it, then
the worker's peak RSS (its own rusage, from wait4) and the time, and per snapshot
"met" or "MISSED" against the target: the worker under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from environment import ROOT, start  # noqa: E402 - the script's own folder

TARGET_MB = 300


def run(snapshot: Path, valid: bool, copies: int) -> tuple[float, float, bool]:
    """Enqueue the snapshot as the admin does, run a real worker; return (peak RSS in MB,
    seconds, whether the job ended as it should: a valid one checked, a bad one refused)."""
    from django.db import OperationalError, connection

    from golab import jobs

    with open(snapshot, "rb") as handle:
        token = jobs.store_upload(iter(lambda: handle.read(1 << 20), b""))
    job = jobs.enqueue_import(
        token=token, filename=snapshot.name, run_by="bench", dry_run=True, partial=False
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
    usage = None
    while usage is None:
        time.sleep(0.5)
        pid, _status, rusage = os.wait4(worker.pid, os.WNOHANG)
        if pid:
            usage = rusage  # this worker's own peak, not the earlier workers'
        try:
            job.refresh_from_db()
        except OperationalError:  # SQLite: the worker's transaction holds the file
            continue
        line = (
            f"{job.get_status_display()}: {job.files_done} of {job.files_total} files, "
            f"{job.rows_done} rows ({job.stage})"
        )
        if line != shown:
            print(f"  {time.perf_counter() - started:6.1f} s  {line}", flush=True)
            shown = line
    seconds = time.perf_counter() - started
    worker.returncode = 0  # reaped by wait4
    peak_kb = usage.ru_maxrss
    job.refresh_from_db()
    result = jobs.StoredResult.load(job.result or {})
    print(
        f"job: {job.get_status_display()}, {result.error_count} errors "
        f"({len(result.errors)} listed), {result.warning_count} warnings, "
        f"{job.files_done} files, {job.rows_done} rows"
        + (
            f"; {sum(c.get('created', 0) for c in result.summary.values())} rows created "
            "and rolled back (a dry run)"
            if valid
            else ""
        )
    )
    finished = job.status == job.Status.FINISHED
    as_it_should = finished and (result.ok if valid else result.error_count > 0)
    return peak_kb / 1024, seconds, as_it_should


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--valid", action="store_true", help="only the valid snapshot")
    parser.add_argument("--bad", action="store_true", help="only the bad-rows snapshot")
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    kinds = [k for k, only in (("bad", args.bad), ("valid", args.valid)) if only] or [
        "bad",
        "valid",
    ]
    media = tempfile.TemporaryDirectory()
    os.environ["MEDIA_ROOT"] = media.name
    tmp = start()

    from django.core.management import call_command
    from django.db import connection

    sys.path.insert(0, str(ROOT / "bench"))
    from big_snapshot import build

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    figures = []
    for kind in kinds:
        snapshot = Path(tmp.name) / f"big-{kind}.zip"
        size = build(snapshot, args.copies, bad=kind == "bad", deflate=False)
        print(
            f"database: {connection.vendor}; snapshot: {args.copies} copies of 2025-05, "
            f"{size / 1e6:.1f} MB of CSV "
            f"({'valid, a dry run' if kind == 'valid' else 'every project row bad'})",
            flush=True,
        )
        peak_mb, seconds, ok = run(snapshot, kind == "valid", args.copies)
        snapshot.unlink()
        figures.append((kind, size, peak_mb, seconds, ok))
        print(f"worker: {seconds:.1f} s, peak RSS {peak_mb:.0f} MB", flush=True)
    for kind, size, peak_mb, seconds, ok in figures:
        verdict = "met" if peak_mb < TARGET_MB and ok else "MISSED"
        print(
            f"{connection.vendor} {kind:<5} {size / 1e6:5.1f} MB: "
            f"worker peak RSS {peak_mb:4.0f} MB, "
            f"{seconds:6.1f} s, job {'as expected' if ok else 'NOT as expected'}; "
            f"target under {TARGET_MB} MB: {verdict}"
        )
    shutil.rmtree(media.name, ignore_errors=True)


if __name__ == "__main__":
    main()
