"""The site's own records: admin imports waiting for, or run by, the background worker."""

from __future__ import annotations

from django.db import models


class ImportJob(models.Model):
    """One admin import (or its dry run) handed to the worker: what was asked, how far it got,
    and what came of it (``result``: the import's report, as ``golab.jobs.StoredResult``
    reads it). Applied imports are also recorded as ``cases.ImportRun``."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    run_by = models.CharField(max_length=255)
    filename = models.CharField(max_length=255, help_text="The name of the uploaded file.")
    token = models.CharField(max_length=32, help_text="The stored upload: imports/<token>.zip.")
    dry_run = models.BooleanField(default=True)
    partial = models.BooleanField(default=False)
    allow_mass_withdrawal = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=255, blank=True, help_text="The last progress message.")
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the worker last said it is still running this job (every second or "
        "so); a running job silent for minutes lost its worker (golab.jobs.mark_stalled).",
    )
    result = models.JSONField(null=True, blank=True)
    failure = models.TextField(blank=True, help_text="Why the job failed, if it crashed.")
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "finished", "failed"]),
                name="golab_importjob_status_valid",
            )
        ]

    def __str__(self) -> str:
        kind = "Dry run" if self.dry_run else "Import"
        return f"{kind} of {self.filename} ({self.get_status_display().lower()})"

    @property
    def worker_stopped(self) -> bool:
        """Failed because its worker stopped (``golab.jobs.mark_stalled``)."""
        return self.status == self.Status.FAILED and self.failure.startswith("the worker stopped")

    @property
    def status_line(self) -> str:
        """The status as the job list shows it."""
        if self.worker_stopped:
            return "failed: the worker stopped"
        return self.get_status_display().lower()

    @property
    def done(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)
