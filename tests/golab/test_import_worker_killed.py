"""Issue 16: a worker killed in the middle of an import (SIGKILL, the out-of-memory killer, a
machine restart) left its job "running" for ever. This runs the real thing: ``manage.py
db_worker`` as a subprocess on a file database, killed with SIGKILL while it applies the
bundled snapshot in its transaction; the job, looked at afterwards, is marked failed ("the
worker stopped") and nothing of the half import was written."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENQUEUE = """
import sys, zipfile, django
django.setup()
from golab import jobs
from pathlib import Path
folder = Path(sys.argv[1])
token = jobs.store_upload([b""])
with zipfile.ZipFile(jobs.upload_path(token), "w") as archive:
    for path in sorted(folder.glob("*.csv")):
        archive.write(path, path.name)
job = jobs.enqueue_import(
    token=token, filename="2025-05.zip", run_by="tests", dry_run=False, partial=False
)
print(job.pk)
"""

LOOK = """
import time, django
django.setup()
from golab import jobs
from golab.models import ImportJob
jobs.STALE_SECONDS = 2
time.sleep(3)
print(jobs.mark_stalled())
job = ImportJob.objects.get()
print(job.status_line)
"""


def _row(database: Path, sql: str, *params: object) -> tuple:
    """One row read from the file database by another process, as the job page would."""
    for _ in range(50):
        try:
            with sqlite3.connect(database, timeout=0.2) as db:
                return db.execute(sql, params).fetchone()
        except sqlite3.OperationalError as exc:
            error = exc
            time.sleep(0.1)  # the worker's transaction holds the file for a moment
    raise AssertionError(f"the database stayed locked: {error}")


def test_a_worker_killed_mid_import_leaves_a_failed_job_and_nothing_half_imported(tmp_path):
    database = tmp_path / "golab.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "golab.settings",
        "GOLAB_GENERATE_SECRET_KEY": "1",
    }

    def run(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own commands
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("manage.py", "migrate", "--verbosity", "0")
    run("manage.py", "createcachetable", "--verbosity", "0")
    job_pk = int(run("-c", ENQUEUE, str(ROOT / "data" / "indigo" / "2025-05")).split()[-1])
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        stage, status, beat = "", "", None
        while "applying" not in stage:
            assert time.monotonic() < deadline, f"the import never started applying ({stage})"
            assert worker.poll() is None, "the worker ended before it was killed"
            time.sleep(0.2)
            stage, status, beat = _row(
                database,
                "SELECT stage, status, heartbeat_at FROM golab_importjob WHERE id = ?",
                job_pk,
            )
        assert status == "running" and beat is not None
        # Well inside the import's transaction (on SQLite it soon holds the file: nothing
        # more is read until the kill).
        time.sleep(1.5)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()

    # Nothing of the half import: its transaction never committed.
    for table in ("cases_project", "cases_organisation", "cases_importrun"):
        assert _row(database, f"SELECT COUNT(*) FROM {table}") == (0,), table  # noqa: S608
    assert _row(database, "SELECT COUNT(*) FROM cases_historicalproject") == (0,)
    # Looked at (here with a two-second limit instead of minutes), the job is failed.
    marked, line = run("-c", LOOK).split("\n")[:2]
    assert marked == "1" and line == "failed: the worker stopped"
    status, failure = _row(
        database, "SELECT status, failure FROM golab_importjob WHERE id = ?", job_pk
    )
    assert status == "failed" and failure.startswith("the worker stopped")
    # Its upload is kept, to run it again.
    assert list((tmp_path / "media" / "imports").glob("*.zip"))
