"""Writes that span evidence and case models."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef

from cases.models import Project
from common.cache import bump
from common.history import note_change
from common.models import PublicationStatus
from evidence.files import extract_text, validate_pdf
from evidence.interchange import Citation, read_citation, work_alias
from evidence.models import (
    CitationPin,
    DecisionKind,
    DocumentAuthor,
    DocumentProject,
    EvidenceDocument,
    OrganisationCitation,
    ProjectDocument,
    ProjectSource,
    TextStatus,
)


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
    if changed:
        bump()  # QuerySet.update sends no signal; the case list's facet shows the flag
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
    bump()


# --- works: a curator's merge and split --------------------------------------------------------
# Both are recorded as CitationPins (citation -> work), which every later import applies
# before its own clustering, so an import never undoes them.


def citation_rows(document: EvidenceDocument) -> list[Any]:
    """Every INDIGO row citing ``document``: project sources and documents, organisation
    sources, fund documents (the last two through their citation links)."""
    return [
        *document.project_sources.select_related("project").order_by(
            "project__indigo_id", "position"
        ),
        *document.project_documents.select_related("project").order_by(
            "project__indigo_id", "position"
        ),
        *document.organisation_citations.select_related("row__organisation").order_by("pk"),
        *document.fund_citations.select_related("row__fund").order_by("pk"),
    ]


def citation_ref(row: Any) -> str:
    """A row's reference in forms: its model and pk ("projectsource:12")."""
    return f"{row._meta.model_name}:{row.pk}"


def stored_citation(row: Any) -> Citation:
    """A stored citing row as the import reads it (for its pin key and parsed metadata)."""
    from cases.indigo.reading import ParsedRow

    source: Any
    if isinstance(row, ProjectSource | ProjectDocument):
        source, owner = row, row.project.indigo_id
        file = (
            "projects_sources.csv" if isinstance(row, ProjectSource) else "projects_documents.csv"
        )
    elif isinstance(row, OrganisationCitation):
        source, owner, file = row.row, row.row.organisation.indigo_id, "organisations_sources.csv"
    else:
        source, owner, file = row.row, row.row.fund.indigo_id, "funds_documents.csv"
    names = [f.name for f in source._meta.concrete_fields]
    values = {name: getattr(source, name) for name in names}
    cells = {
        **values,
        **{k: v for k, v in (source.import_baseline or {}).items() if isinstance(v, str)},
    }
    parsed_row = ParsedRow(row=0, owner=owner, values=values, cells=cells, position=source.position)
    return read_citation(file, parsed_row)


def _pin(rows: Iterable[Any], document: EvidenceDocument, kind: str, user: Any) -> None:
    by = user.get_username() if user is not None else ""
    for row in rows:
        CitationPin.objects.update_or_create(
            citation_key=stored_citation(row).pin_key,
            defaults={"document": document, "kind": kind, "decided_by": by},
        )


def _move_rows(rows: Iterable[Any], document: EvidenceDocument) -> set[int]:
    """Point citing rows at ``document``; return the projects they belong to."""
    projects: set[int] = set()
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(document=document)
        if isinstance(row, ProjectSource | ProjectDocument):
            projects.add(row.project_id)
    return projects


def _ensure_key(document: EvidenceDocument) -> None:
    # A pinned work needs a key the import can find it by.
    if not document.key:
        document.key = f"curated:{document.pk}"
        EvidenceDocument.objects.filter(pk=document.pk).update(key=document.key)


def _relink() -> None:
    from cases.indigo.apply import ApplyContext
    from evidence.interchange import sync_links

    sync_links(ApplyContext(counts={}, conflicts=[], change_reason="merge or split"))


@transaction.atomic
def merge_works(*, target: EvidenceDocument, others: Iterable[EvidenceDocument], user: Any) -> int:
    """Merge ``others`` into ``target``: their citations, links, policy areas, countries and
    (when ``target`` has none) authors move to it, blank metadata is filled from them, and
    they are deleted (kept in the history). Returns the number of citations moved."""
    _ensure_key(target)
    others = [o for o in others if o.pk != target.pk]
    by = user.get_username() if user is not None else ""
    moved = 0
    projects: set[int] = set()
    _pin(citation_rows(target), target, DecisionKind.MERGE, user)
    for other in others:
        rows = citation_rows(other)
        _pin(rows, target, DecisionKind.MERGE, user)
        CitationPin.objects.filter(document=other).update(document=target)
        if other.key:
            CitationPin.objects.update_or_create(
                citation_key=work_alias(other.key),
                defaults={"document": target, "kind": DecisionKind.MERGE, "decided_by": by},
            )
        projects |= _move_rows(rows, target)
        moved += len(rows)
        for link in other.project_links.all():
            projects.add(link.project_id)
            if not link.from_indigo:
                DocumentProject.objects.get_or_create(
                    document=target, project_id=link.project_id, relation=link.relation
                )
        for area in other.policy_areas.filter(from_indigo=False):
            target.policy_areas.get_or_create(policy_area=area.policy_area)
        for place in other.countries.filter(from_indigo=False):
            target.countries.get_or_create(country=place.country)
        if not target.authors.exists():
            other.authors.update(document=target)
        if not target.file and other.file:
            # The file (and its text) moves with the work, rather than being left behind.
            for name in ("file", "file_size", "text", "text_status"):
                setattr(target, name, getattr(other, name))
        for name in ("url", "archive_url", "publisher", "publication_date", "abstract", "doi"):
            if not getattr(target, name) and getattr(other, name):
                setattr(target, name, getattr(other, name))
        note_change(other, reason=f"merged into work {target.pk}", user=user)
        other.delete()
    names = ", ".join(str(o.pk) for o in others)
    note_change(target, reason=f"merged works {names} into this work", user=user)
    target.save()
    refresh_authors_text(target)
    _relink()
    refresh_evaluation_flags(project_ids=projects)
    bump()  # rows moved by QuerySet.update above send no signal
    return moved


@transaction.atomic
def split_work(*, document: EvidenceDocument, refs: Iterable[str], user: Any) -> EvidenceDocument:
    """Move the citations ``refs`` (``citation_ref``) of ``document`` into a new work, its
    metadata read from them as the import would; the rest stay. Returns the new work."""
    from evidence.interchange import _incoming, _work_design

    rows = citation_rows(document)
    wanted = set(refs)
    moving = [row for row in rows if citation_ref(row) in wanted]
    staying = [row for row in rows if citation_ref(row) not in wanted]
    if not moving or not staying:
        raise ValueError("Choose some of the work's citations, not none or all.")
    group = [stored_citation(row) for row in moving]
    metadata, authors = _incoming(group)
    design, basis = _work_design(group, None)
    new = EvidenceDocument(
        key=f"curated:{uuid.uuid4().hex}",
        status=document.status,
        evaluation_design=design,
        design_basis=basis,
        import_baseline={**metadata, "authors": [list(a) for a in authors]},
        **metadata,
    )
    note_change(new, reason=f"split off work {document.pk}", user=user)
    new.save()
    for position, (name, kind) in enumerate(authors):
        DocumentAuthor.objects.create(document=new, position=position, name=name, kind=kind)
    refresh_authors_text(new)
    _ensure_key(document)
    _pin(moving, new, DecisionKind.SPLIT, user)
    _pin(staying, document, DecisionKind.SPLIT, user)
    projects = _move_rows(moving, new)
    note_change(
        document, reason=f"split {len(moving)} citation(s) off into work {new.pk}", user=user
    )
    document.save()
    _relink()
    refresh_evaluation_flags(project_ids=projects)
    bump()  # rows moved by QuerySet.update above send no signal
    return new
