"""Admin imports as background jobs.

The admin stores the upload under ``MEDIA_ROOT/imports/<token>.zip``, records an
``ImportJob`` and enqueues ``run_import_job`` on Django's tasks framework; the queue is a
database table (django-tasks-db's ``DatabaseBackend``) and ``manage.py db_worker`` runs it,
so a long import never runs inside a web request (whose worker gunicorn kills after 30 s).
The job writes its progress and, at the end, the import's report (``StoredResult``) to its
row, which the import run page reads.

While a job runs, a thread of the worker writes its heartbeat (with its progress) every
second, on a connection of its own, outside the import's transaction. A worker that is
killed (SIGKILL, out of memory, a restart) stops beating: its job, silent for
``STALE_SECONDS``, is marked failed ("the worker stopped") when the job's page or the job
list is looked at (``mark_stalled``), and can be run again (``run_again``). Its import's
transaction never committed, so nothing of it was written."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from golab.indigo import ImportProgress, ImportResult, import_snapshot
from golab.models import ImportJob

security_log = logging.getLogger("golab.security")

# What a job's page lists at most of each kind of line; the counts are always whole.
MAX_LISTED = {"errors": 500, "warnings": 500, "conflicts": 200, "withdrawn_documents": 2000}
# Progress (and the heartbeat) is written to the job's row at most this often (seconds).
PROGRESS_EVERY = 1.0
# A running job whose worker has been silent this long (seconds) lost its worker.
STALE_SECONDS = 180
WORKER_STOPPED = (
    "the worker stopped (killed, out of memory or restarted) while running this job; "
    "nothing of it was imported. Run it again."
)


def upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(token: str) -> Path:
    return upload_folder() / f"{token}.zip"


def store_upload(chunks: Iterable[bytes]) -> str:
    """Write an uploaded snapshot to the imports folder; return its token."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    with open(upload_path(token), "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return token


def enqueue_import(
    *,
    token: str,
    filename: str,
    run_by: str,
    dry_run: bool,
    partial: bool,
    allow_mass_withdrawal: bool = False,
) -> ImportJob:
    """Record the job and put it on the queue; the worker runs it. Nothing else changes."""
    job = ImportJob.objects.create(
        token=token,
        filename=filename[:255],
        run_by=run_by,
        dry_run=dry_run,
        partial=partial,
        allow_mass_withdrawal=allow_mass_withdrawal,
    )
    queued = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(queued.id))
    job.task_id = str(queued.id)
    return job


@task()
def run_import_job(job_id: int) -> str:
    """Run one queued admin import (the worker calls this); return its outcome."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status  # already run (a retry after a crash must not import twice)
    path = upload_path(job.token)
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now, stage="starting"
    )
    last = 0.0
    seen = ImportProgress()
    # In a worker the heartbeat thread writes the progress; inside a transaction (tests
    # running jobs in theirs) it is written here, as the import goes.
    beat = None if connection.in_atomic_block else Heartbeat(job.pk, seen)

    def track(state: ImportProgress) -> None:
        nonlocal last
        new_phase = state.phase != seen.phase
        seen.stage = state.stage
        seen.phase, seen.files_done, seen.files_total, seen.rows_done = (
            state.phase,
            state.files_done,
            state.files_total,
            state.rows_done,
        )
        now = time.monotonic()
        if beat is not None and new_phase and state.phase == "applying" and _sqlite():
            # SQLite has one writer: the import's transaction. A beat at the moment it takes
            # the write lock fails it ("database is locked"); and while it holds it, the lock
            # itself says the worker is alive (mark_stalled cannot write).
            beat.pause()
        if beat is not None and not (new_phase and not connection.in_atomic_block):
            return  # the thread writes it (a new phase outside the transaction: at once)
        if now - last < PROGRESS_EVERY and not new_phase:
            return
        last = now
        # Inside the import's transaction this is seen only when it ends; the reading
        # and checking before it, where a big snapshot spends its time, are seen at once.
        ImportJob.objects.filter(pk=job.pk).update(**_progress(seen))

    result: ImportResult | None = None
    try:
        if not path.exists():
            raise FileNotFoundError("the upload is no longer there; upload the file again")
        with beat or _nothing():
            result = import_snapshot(
                path,
                run_by=job.run_by,
                dry_run=job.dry_run,
                partial=job.partial,
                allow_mass_withdrawal=job.allow_mass_withdrawal,
                track=track,
            )
    except Exception as exc:
        _finish(job, status=ImportJob.Status.FAILED, failure=f"{type(exc).__name__}: {exc}")
        path.unlink(missing_ok=True)
        raise
    if not keep_upload(job, result):
        path.unlink(missing_ok=True)
    outcome = "applied" if result.applied else "checked" if result.ok else "refused"
    if result.errors:
        outcome = "failed"
    security_log.info(
        "import job %s (%s) by %s: %s%s",
        job.pk,
        path.name,
        job.run_by,
        outcome,
        f" (confirmed mass withdrawal: {len(result.withdrawn)} withdrawn)"
        if job.allow_mass_withdrawal and result.applied and result.withdrawn
        else "",
    )
    _finish(
        job,
        status=ImportJob.Status.FINISHED,
        result=StoredResult.dump(result),
        files_done=seen.files_done,
        files_total=seen.files_total,
        rows_done=seen.rows_done,
    )
    return outcome


def _progress(state: ImportProgress) -> dict:
    return {
        "stage": state.stage[:255],
        "files_done": state.files_done,
        "files_total": state.files_total,
        "rows_done": state.rows_done,
        "heartbeat_at": timezone.now(),
    }


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class Heartbeat:
    """A thread that writes a running job's heartbeat and progress every ``PROGRESS_EVERY``
    seconds on its own database connection, outside the import's transaction (on
    PostgreSQL the page sees the progress of the applying too; on SQLite, whose one writer
    is then the import, a beat that finds the database locked is skipped)."""

    def __init__(self, job_pk: int, state: ImportProgress) -> None:
        self.job_pk, self.state = job_pk, state
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.paused = False
        self.thread = threading.Thread(target=self._run, name=f"import-job-{job_pk}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def pause(self) -> None:
        """No more beats (once one being written is done)."""
        with self.lock:
            self.paused = True

    def _run(self) -> None:
        try:
            while not self.stop.wait(PROGRESS_EVERY):
                try:
                    with self.lock:
                        if self.paused:
                            continue
                        with _short_lock_wait():
                            ImportJob.objects.filter(
                                pk=self.job_pk, status=ImportJob.Status.RUNNING
                            ).update(**_progress(self.state))
                except DatabaseError:
                    pass  # SQLite: the import's transaction holds the database; next time
        finally:
            connection.close()  # this thread's own connection


@contextmanager
def _short_lock_wait(milliseconds: int = 200) -> Iterator[None]:
    """On SQLite, wait at most this long for another connection's write lock (instead of
    the default seconds): a write that finds an import's transaction holding it gives up."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


def mark_stalled() -> int:
    """Mark failed the running jobs whose worker has been silent for ``STALE_SECONDS``
    (killed, out of memory, restarted); return how many. Their upload is kept, to run
    again. On SQLite a database held by an import's transaction means its worker is alive:
    nothing is marked then."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=STALE_SECONDS)
    silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    try:
        if not ImportJob.objects.filter(silent, status=ImportJob.Status.RUNNING).exists():
            return 0  # the usual case: one read
        with _short_lock_wait(), transaction.atomic():
            return ImportJob.objects.filter(silent, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.FAILED,
                finished_at=now,
                stage="",
                failure=WORKER_STOPPED,
            )
    except DatabaseError:
        return 0


def stopped(job: ImportJob) -> bool:
    """Whether the job failed because its worker stopped (and can be run again)."""
    return job.worker_stopped


def run_again(job: ImportJob, *, run_by: str) -> ImportJob:
    """Queue again a job whose worker stopped, with its upload and what it was asked."""
    return enqueue_import(
        token=job.token,
        filename=job.filename,
        run_by=run_by,
        dry_run=job.dry_run,
        partial=job.partial,
        allow_mass_withdrawal=job.allow_mass_withdrawal,
    )


def keep_upload(job: ImportJob, result: ImportResult | StoredResult) -> bool:
    """Whether the upload waits for a confirmation: after a dry run that found nothing wrong,
    and after a run held back for the yes to a mass withdrawal."""
    return result.needs_confirmation or (job.dry_run and result.ok)


def _finish(job: ImportJob, *, status: str, **fields) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=status, finished_at=timezone.now(), stage="", **fields
        )


@dataclass
class StoredResult:
    """An import's report as its job keeps it (JSON), with the names the import page's
    template reads of an ``ImportResult``: the page shows both the same way. Long lists are
    kept up to ``MAX_LISTED``; their ``*_count`` is the whole number."""

    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0
    conflicts: list[str] = field(default_factory=list)
    conflict_count: int = 0
    summary: dict[str, dict[str, int]] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
    withdrawn_documents: list[str] = field(default_factory=list)
    withdrawn_document_count: int = 0
    mass_withdrawal: list[str] = field(default_factory=list)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    skipped_files: dict[str, str] = field(default_factory=dict)
    evidence_summary: str = ""
    partial: bool = False
    applied: bool = False
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error_count and not self.mass_withdrawal

    @property
    def needs_confirmation(self) -> bool:
        return not self.error_count and bool(self.mass_withdrawal)

    @property
    def withdrawal_count(self) -> int:
        return len(self.withdrawn) + self.withdrawn_document_count

    def changes(self) -> int:
        return sum(
            counts.get(kind, 0)
            for counts in self.summary.values()
            for kind in ("created", "updated", "withdrawn", "deleted")
        )

    @classmethod
    def dump(cls, result: ImportResult) -> dict:
        def listed(kind: str, items: list) -> list[str]:
            return [str(item) for item in items[: MAX_LISTED[kind]]]

        return {
            "errors": listed("errors", result.errors),
            "error_count": getattr(result.errors, "total", len(result.errors)),
            "warnings": listed("warnings", result.warnings),
            "warning_count": getattr(result.warnings, "total", len(result.warnings)),
            "conflicts": listed("conflicts", result.conflicts),
            "conflict_count": len(result.conflicts),
            "summary": result.summary(),
            "withdrawn": list(result.withdrawn),
            "withdrawn_documents": listed("withdrawn_documents", result.withdrawn_documents),
            "withdrawn_document_count": len(result.withdrawn_documents),
            "mass_withdrawal": list(result.mass_withdrawal),
            "unknown_columns": dict(result.unknown_columns),
            "skipped_files": dict(result.skipped_files),
            "evidence_summary": result.evidence_summary,
            "partial": result.partial,
            "applied": result.applied,
            "dry_run": result.dry_run,
            "seconds": round(result.seconds, 1),
        }

    @classmethod
    def load(cls, data: dict) -> StoredResult:
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in known})
