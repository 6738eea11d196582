"""Writes that span evidence and case models."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from cases.models import Project, PublicationStatus
from evidence.models import DocumentType, ProjectDocument, ProjectSource


def refresh_evaluation_flags() -> int:
    """Set ``Project.has_evaluation`` where a published evaluation report backs the project."""
    evaluation = Q(
        document__document_type=DocumentType.EVALUATION_REPORT,
        document__status=PublicationStatus.PUBLISHED,
    )
    has_evaluation = Exists(
        ProjectSource.objects.filter(evaluation, project=OuterRef("pk"))
    ) | Exists(ProjectDocument.objects.filter(evaluation, project=OuterRef("pk")))
    changed = (
        Project.objects.filter(has_evaluation=True)
        .exclude(has_evaluation)
        .update(has_evaluation=False)
    )
    changed += Project.objects.filter(has_evaluation, has_evaluation=False).update(
        has_evaluation=True
    )
    return changed
