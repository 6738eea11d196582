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
    def done(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)
