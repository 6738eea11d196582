"""Writes that span evidence and case models."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef

from cases.models import Project
from common.models import PublicationStatus
from evidence.files import extract_text, validate_pdf
from evidence.models import DocumentProject, EvidenceDocument, TextStatus


def refresh_evaluation_flags(*, project_ids: Iterable[int] | None = None) -> int:
    """Set ``Project.has_evaluation`` where a published evaluation backs the project (all
    projects, or those given: a curator's edit touches a few, an import all)."""
    evaluations = DocumentProject.objects.evaluations().filter(
        document__status=PublicationStatus.PUBLISHED
    )
    has_evaluation = Exists(evaluations.filter(project=OuterRef("pk")))
    projects = Project.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    changed = (
        projects.filter(has_evaluation=True).exclude(has_evaluation).update(has_evaluation=False)
    )
    changed += projects.filter(has_evaluation, has_evaluation=False).update(has_evaluation=True)
    return changed


def attach_file(*, document: EvidenceDocument, upload: UploadedFile) -> EvidenceDocument:
    """Store a checked PDF under a generated name and index its text. A PDF whose text
    cannot be read is still stored, and flagged."""
    validate_pdf(upload)
    with transaction.atomic():
        old = document.file.name if document.file else ""
        document.file.save("upload.pdf", upload, save=False)
        index_file(document)
        document.save()
    if old and old != document.file.name:
        document.file.storage.delete(old)
    return document


def index_file(document: EvidenceDocument) -> None:
    """Set the document's text, text status and file size from its stored file (not saved)."""
    if not document.file:
        document.text, document.text_status, document.file_size = "", TextStatus.NONE, None
        return
    with document.file.open("rb") as handle:
        data = handle.read()
    extracted = extract_text(data)
    document.text = extracted.text
    document.text_status = extracted.status
    document.file_size = len(data)


def refresh_authors_text(document: EvidenceDocument) -> None:
    names = [author.name for author in document.authors.all()]
    EvidenceDocument.objects.filter(pk=document.pk).update(authors_text="; ".join(names))
