"""INDIGO sources and documents as evidence: the two files' layout, and the services that
turn their rows into de-duplicated evidence documents and section citations."""

from __future__ import annotations

from collections import defaultdict
from typing import cast

from cases.indigo.apply import ApplyContext, Counts
from cases.indigo.layout import Table
from cases.indigo.reading import ParsedRow, ParsedTable, Problem, Report
from cases.models import Project, published_project_q
from common.models import PublicationStatus
from evidence.models import (
    DocumentType,
    EvidenceDocument,
    ProjectDocument,
    ProjectSource,
    Section,
    SectionCitation,
)

# fmt: off
SOURCES = Table("projects_sources.csv", "evidence.ProjectSource", parent="project", columns=[
    ("Project ID", "project", "parent"),
    ("Id", "local_id", "str"),
    ("Name - (Value)", "name", "text"),
    ("Type - (Value)", "source_type", "str"),
    ("Publishing Organisations - (Value)", "publishing_organisations", "text"),
    ("URL - (Value)", "url", "url"),
    ("Archive URL - (Value)", "archive_url", "url"),
    # Links into GO Lab's own case-management system: not public, never stored.
    ("Internal URL - (Value)", "-", "private"),
    ("Publication Date - (Value)", "publication_date", "date~"),
    ("Accessed Date - (Value)", "accessed_date", "date~"),
    ("Notes", "notes", "text"),
])
DOCUMENTS = Table("projects_documents.csv", "evidence.ProjectDocument", parent="project", columns=[
    ("Project ID", "project", "parent"),
    ("Title - (Value)", "title", "text"),
    ("URL - (Value)", "url", "url"),
    ("Notes", "notes", "text"),
])
# fmt: on
TABLES = [SOURCES, DOCUMENTS]

# INDIGO's source Type -> our document type.
INDIGO_SOURCE_TYPES = {
    "evaluation report": DocumentType.EVALUATION_REPORT,
    "report": DocumentType.POLICY_REPORT,
    "press release": DocumentType.NEWS,
    "news piece": DocumentType.NEWS,
    "contract": DocumentType.CONTRACT,
    "website": DocumentType.WEBSITE,
    "email correspondence": DocumentType.CORRESPONDENCE,
}

# projects.csv "(Source ID's)" columns -> the section they back.
SECTION_COLUMNS = {
    "stage_sources": Section.STAGE,
    "dates_sources": Section.DATES,
    "jurisdiction_sources": Section.JURISDICTION,
    "finance_sources": Section.FINANCE,
    "investment_details_sources": Section.INVESTMENT_DETAILS,
    "purpose_sources": Section.PURPOSE,
    "beneficiaries_sources": Section.BENEFICIARIES,
    "covid_sources": Section.COVID,
}


def document_key(table: Table, row: ParsedRow) -> str:
    """One URL is one document; an entry without a URL is a document of its own."""
    url = row.values["url"].strip()
    if url:
        return f"url:{url}"
    kind = "source" if table is SOURCES else "document"
    return f"{kind}:{row.owner}:{row.position + 1}"


def _new_document(table: Table, row: ParsedRow) -> EvidenceDocument:
    values = row.values
    if table is SOURCES:
        folded = values["source_type"].strip().casefold()
        return EvidenceDocument(
            title=values["name"],
            url=values["url"],
            document_type=INDIGO_SOURCE_TYPES.get(folded, DocumentType.OTHER),
            publisher=values["publishing_organisations"],
            publication_date=values["publication_date"],
            status=PublicationStatus.PUBLISHED,
        )
    title = values["title"]
    lowered = title.casefold()
    if "evaluation" in lowered:
        document_type = DocumentType.EVALUATION_REPORT
    elif "case study" in lowered:
        document_type = DocumentType.CASE_STUDY
    else:
        document_type = DocumentType.OTHER
    return EvidenceDocument(
        title=title,
        url=values["url"],
        document_type=document_type,
        status=PublicationStatus.PUBLISHED,
    )


DOCUMENT_FIELDS = ["title", "url", "document_type", "publisher", "publication_date"]


def ensure_documents(parsed_tables: list[ParsedTable], ctx: ApplyContext) -> dict[str, int]:
    """Create or refresh the evidence documents the rows cite; return key -> pk.

    A document cited by several rows takes its metadata from the first of them. Metadata a
    curator changed since the last import is kept."""
    counts = ctx.counts.setdefault("evidence documents", Counts())
    wanted: dict[str, EvidenceDocument] = {}
    for parsed in parsed_tables:
        for row in parsed.rows:
            key = document_key(parsed.table, row)
            if key not in wanted:
                wanted[key] = _new_document(parsed.table, row)
                wanted[key].key = key
    existing = {doc.key: doc for doc in EvidenceDocument.objects.filter(key__in=list(wanted))}
    missing = []
    changed = []
    metadata_updated = 0
    for key, fresh in wanted.items():
        incoming = {name: getattr(fresh, name) for name in DOCUMENT_FIELDS}
        doc = existing.get(key)
        if doc is None:
            fresh.import_baseline = incoming
            missing.append(fresh)
            continue
        needs_saving, metadata_changed = _refresh(doc, incoming)
        if needs_saving:
            changed.append(doc)
        if metadata_changed:
            metadata_updated += 1
    EvidenceDocument.objects.bulk_create(missing, batch_size=ctx.batch_size)
    EvidenceDocument.objects.bulk_update(
        changed, [*DOCUMENT_FIELDS, "import_baseline"], batch_size=ctx.batch_size
    )
    counts.created += len(missing)
    counts.updated += metadata_updated
    counts.unchanged += len(existing) - counts.updated
    # Filtered by key, so no key is NULL.
    return {
        cast(str, key): pk
        for key, pk in EvidenceDocument.objects.filter(key__in=list(wanted)).values_list(
            "key", "pk"
        )
    }


def _refresh(doc: EvidenceDocument, incoming: dict[str, str]) -> tuple[bool, bool]:
    """Apply the incoming metadata a curator has not changed. Returns whether the document
    needs saving (its metadata or its import baseline changed) and whether its metadata
    changed."""
    baseline = doc.import_baseline or {}
    metadata_changed = False
    for name, value in incoming.items():
        current = getattr(doc, name)
        if current != value and current == baseline.get(name, current):
            setattr(doc, name, value)
            metadata_changed = True
    if baseline != incoming:
        doc.import_baseline = incoming
        return True, metadata_changed
    return metadata_changed, metadata_changed


def publish_cited_documents(ctx: ApplyContext) -> None:
    """An imported document is public exactly when a published project cites it: withdraw
    the others (kept) and publish again those cited anew."""
    counts = ctx.counts.setdefault("evidence documents", Counts())
    published = PublicationStatus.PUBLISHED
    cited = published_project_q("project_sources__project") | published_project_q(
        "project_documents__project"
    )
    imported = EvidenceDocument.objects.exclude(import_baseline={})
    cited_ids = imported.filter(cited).values("pk")
    going = imported.filter(status=published).exclude(pk__in=cited_ids)
    ctx.withdrawn_documents += [
        f"evidence document {pk}: {title[:120]}"
        for pk, title in going.order_by("pk").values_list("pk", "title")
    ]
    counts.withdrawn += going.update(status=PublicationStatus.WITHDRAWN)
    revived = imported.filter(pk__in=cited_ids).exclude(status=published).update(status=published)
    counts.updated += revived
    counts.unchanged -= revived


def sync_citations(projects: ParsedTable, ctx: ApplyContext, report: Report) -> None:
    """Link each project section to the sources its ``(Source ID's)`` column names."""
    counts = ctx.counts.setdefault("section citations", Counts())
    project_pks = dict(
        Project.objects.filter(indigo_id__in=[r.owner for r in projects.rows]).values_list(
            "indigo_id", "pk"
        )
    )
    sources: dict[int, dict[str, int]] = defaultdict(dict)
    for pk, project_id, local_id in ProjectSource.objects.filter(
        project_id__in=project_pks.values()
    ).values_list("pk", "project_id", "local_id"):
        sources[project_id].setdefault(local_id.strip().casefold(), pk)
    wanted: set[tuple[int, str]] = set()
    headers = {c.field: c.header for c in projects.table.columns}
    for row in projects.rows:
        project_pk = project_pks[row.owner]
        for field, section in SECTION_COLUMNS.items():
            for token in filter(None, row.values[field].split(",")):
                source_pk = sources[project_pk].get(token.casefold())
                if source_pk is None:
                    report.warnings.append(
                        Problem(
                            projects.table.file,
                            row.row,
                            headers[field],
                            f"{token} is not among {row.owner}'s sources; not linked",
                        )
                    )
                    continue
                wanted.add((source_pk, section))
    source_pks = [pk for by_id in sources.values() for pk in by_id.values()]
    existing = {
        (source_id, section): pk
        for pk, source_id, section in SectionCitation.objects.filter(source_id__in=source_pks)
        .order_by()
        .values_list("pk", "source_id", "section")
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    SectionCitation.objects.filter(pk__in=stale).delete()
    SectionCitation.objects.bulk_create(
        [SectionCitation(source_id=s, section=section) for s, section in wanted - existing.keys()],
        batch_size=ctx.batch_size,
    )
    counts.created += len(wanted - existing.keys())
    counts.deleted += len(stale)
    counts.unchanged += len(wanted & existing.keys())


def _sync(model, wanted: set[tuple], fields: tuple[str, ...], counts: Counts, batch: int) -> None:
    """Make the ``from_indigo`` rows of ``model`` exactly ``wanted`` (tuples of ``fields``);
    rows curators added are left alone."""
    existing = {
        tuple(values[:-1]): values[-1]
        for values in model.objects.filter(from_indigo=True).order_by().values_list(*fields, "pk")
    }
    stale = [pk for key, pk in existing.items() if key not in wanted]
    model.objects.filter(pk__in=stale).delete()
    new = [dict(zip(fields, key, strict=True)) for key in wanted - existing.keys()]
    # A curator may already have made the same link by hand: keep theirs.
    curated = set(model.objects.filter(from_indigo=False).order_by().values_list(*fields))
    model.objects.bulk_create(
        [
            model(**values, from_indigo=True)
            for values in new
            if tuple(values.values()) not in curated
        ],
        batch_size=batch,
    )
    counts.created += len(new)
    counts.deleted += len(stale)
    counts.unchanged += len(wanted & existing.keys())


def sync_links(ctx: ApplyContext) -> None:
    """Links, policy areas and countries of documents, as the INDIGO rows imply them."""
    from cases.models import DeliveryLocation
    from evidence.models import (
        DocumentCountry,
        DocumentPolicyArea,
        DocumentProject,
        Relation,
    )

    links: set[tuple[int, int, str]] = set()
    for document_id, project_id in ProjectSource.objects.order_by().values_list(
        "document_id", "project_id"
    ):
        links.add((document_id, project_id, Relation.SOURCE_FOR))
    for document_id, project_id, kind in ProjectDocument.objects.order_by().values_list(
        "document_id", "project_id", "document__document_type"
    ):
        relation = (
            Relation.EVALUATION_OF if kind == DocumentType.EVALUATION_REPORT else Relation.ABOUT
        )
        links.add((document_id, project_id, relation))
    _sync(
        DocumentProject,
        links,
        ("document_id", "project_id", "relation"),
        ctx.counts.setdefault("document links", Counts()),
        ctx.batch_size,
    )
    sectors = dict(Project.objects.exclude(policy_sector="").values_list("pk", "policy_sector"))
    countries: dict[int, set[str]] = defaultdict(set)
    for project_id, country in (
        DeliveryLocation.objects.exclude(country="").order_by().values_list("project_id", "country")
    ):
        countries[project_id].add(country)
    areas = {(d, sectors[p]) for d, p, _r in links if p in sectors}
    places = {(d, c) for d, p, _r in links for c in countries[p]}
    _sync(
        DocumentPolicyArea,
        areas,
        ("document_id", "policy_area"),
        ctx.counts.setdefault("document policy areas", Counts()),
        ctx.batch_size,
    )
    _sync(
        DocumentCountry,
        places,
        ("document_id", "country"),
        ctx.counts.setdefault("document countries", Counts()),
        ctx.batch_size,
    )


def export_rows(table: Table, project_ids: dict[int, str]):
    """(owner id, row) pairs of published projects, in owner and file order."""
    model = ProjectSource if table is SOURCES else ProjectDocument
    rows = model.objects.filter(project_id__in=project_ids).order_by(
        "project__indigo_id", "position"
    )
    return ((project_ids[row.project_id], row) for row in rows)
