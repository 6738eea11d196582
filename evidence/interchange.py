"""INDIGO sources and documents as evidence: the two files' layout, and the services that
turn the citing rows of four files (project sources and documents, organisation sources,
fund documents) into one evidence document per distinct work, with each row kept as a
citation of its work, and into section citations."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Q

from cases.indigo.apply import ApplyContext, Counts
from cases.indigo.layout import Table
from cases.indigo.reading import ParsedRow, ParsedTable, Problem, Report
from cases.models import FundDocument, OrganisationSource, Project, published_project_q
from common.models import PublicationStatus
from evidence.citation_parser import ParsedCitation, parse_citation
from evidence.clustering import explain, work_keys
from evidence.models import (
    CitationPin,
    DocumentAuthor,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    FundCitation,
    OrganisationCitation,
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


# The four INDIGO files whose rows cite works, and the columns that make the citation.
CITATION_FILES = (
    "projects_sources.csv",
    "projects_documents.csv",
    "organisations_sources.csv",
    "funds_documents.csv",
)
# Files whose rows carry the full source columns (Id, Name, Type, publisher, dates).
SOURCE_FILES = {"projects_sources.csv", "organisations_sources.csv"}

# Evaluation designs from the strongest down, as the import prefers one over another.
DESIGN_STRENGTH: dict[str, int] = {
    EvaluationDesign.RCT: 6,
    EvaluationDesign.QUASI_EXPERIMENTAL: 5,
    EvaluationDesign.PRE_POST: 4,
    EvaluationDesign.OUTCOME_VALIDATION: 3,
    EvaluationDesign.PROCESS: 2,
    EvaluationDesign.QUALITATIVE: 1,
}
# What a metric's validation method or definition says about the design of the evaluation
# that measures it, when it says anything. Checked in order: the first that matches wins.
METRIC_DESIGNS: list[tuple[str, re.Pattern[str]]] = [
    (EvaluationDesign.RCT, re.compile(r"\brandomi[sz]ed\b|\bRCTs?\b|random assignment", re.I)),
    (
        EvaluationDesign.QUASI_EXPERIMENTAL,
        re.compile(
            r"propensity score|\bPSM\b|matched (?:comparison|control)|comparison group|"
            r"control group|difference[- ]in[- ]differences?|historical (?:comparison|baseline)|"
            r"synthetic (?:comparison|control)|quasi[- ]experimental|counterfactual",
            re.I,
        ),
    ),
    (EvaluationDesign.PRE_POST, re.compile(r"\bpre[- ]post\b|before and after", re.I)),
    (
        EvaluationDesign.OUTCOME_VALIDATION,
        re.compile(r"validat|verif|audit", re.I),
    ),
]
# Designs strong enough to pass from a project's metric to its evaluation reports when the
# metric names no source (a validation method alone says nothing about a report).
PROJECT_WIDE_DESIGNS = {
    EvaluationDesign.RCT,
    EvaluationDesign.QUASI_EXPERIMENTAL,
    EvaluationDesign.PRE_POST,
}
DOCUMENT_FIELDS = [
    "title",
    "url",
    "archive_url",
    "document_type",
    "type_basis",
    "publisher",
    "publication_date",
]
PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass
class Citation:
    """One row of the four citing files, parsed, and the work it was assigned to."""

    file: str
    row: ParsedRow
    text: str
    url: str
    parsed: ParsedCitation
    key: str = ""
    pinned: bool = False
    document_id: int = 0

    @property
    def pin_key(self) -> str:
        """Stable across imports: the file, the owner and the citation as written (not the
        row's place, which moves when INDIGO inserts a row)."""
        digest = hashlib.sha256(f"{self.text}\x1f{self.url}".encode()).hexdigest()[:24]
        return f"{self.file}|{self.row.owner}|{digest}"

    @property
    def where(self) -> tuple[str, str, int]:
        return (self.file, self.row.owner, self.row.position)

    @property
    def local_id(self) -> str:
        return str(self.row.values.get("local_id", "")).strip().casefold()

    @property
    def locator(self) -> str:
        return (self.parsed.locator or "")[:255]

    @property
    def accessed(self) -> str:
        accessed = self.parsed.accessed or ""
        return accessed if PARTIAL_DATE.match(accessed) else ""


def read_citation(file: str, row: ParsedRow) -> Citation:
    values, cells = row.values, row.cells
    if file in SOURCE_FILES:
        text, url = values["name"], values["url"]
        parsed = parse_citation(
            text,
            indigo_type=values["source_type"],
            publishing_organisations=values["publishing_organisations"],
            url=url,
            archive_url=values["archive_url"],
            publication_date=cells.get("publication_date", ""),
            accessed_date=cells.get("accessed_date", ""),
            notes=values.get("notes", ""),
        )
    else:
        text, url = values["title"], values["url"]
        parsed = parse_citation(
            text,
            url=url,
            notes=values.get("notes", ""),
        )
    return Citation(file=file, row=row, text=text, url=url, parsed=parsed)


def read_citations(parsed: dict[str, ParsedTable]) -> list[Citation]:
    """Every citing row of the files the snapshot holds, in file order."""
    return [
        read_citation(file, row)
        for file in CITATION_FILES
        if file in parsed
        for row in parsed[file].rows
    ]


@dataclass
class WorksReport:
    """What the import made of the citations: for the command's --explain-evidence and the
    admin's import page."""

    citations: int = 0
    works: int = 0
    created: int = 0
    pinned: int = 0
    # The curators' placements; the clustering's own reasons are worked out on demand.
    pinned_lines: list[str] = field(default_factory=list)
    clustered: tuple[list[ParsedCitation], list[str], list[str]] = ([], [], [])

    @property
    def explanations(self) -> list[str]:
        """Each work, the citations merged into it and the rule that merged each (it costs
        a second pass of the clustering, so only --explain-evidence asks)."""
        parsed, keys, scopes = self.clustered
        return [*explain(parsed, keys, scopes=scopes), *self.pinned_lines]

    @property
    def merged(self) -> int:
        """Citations that joined another citation's work."""
        return self.citations - self.works

    def __str__(self) -> str:
        return (
            f"{self.citations} citations are {self.works} works ({self.created} new); "
            f"{self.merged} citations merged into another's work, {self.pinned} placed by a "
            "curator's merge or split."
        )


def work_alias(key: str) -> str:
    """The pin key that sends a whole work key (of a work merged away) to another work, so
    that a citation first seen after the merge joins the merged work too."""
    return f"work|{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def _pins(wanted: list[str]) -> dict[str, tuple[str | None, int]]:
    pins: dict[str, tuple[str | None, int]] = {}
    for start in range(0, len(wanted), 500):
        for pin_key, doc_key, doc_pk in CitationPin.objects.filter(
            citation_key__in=wanted[start : start + 500]
        ).values_list("citation_key", "document__key", "document_id"):
            pins[pin_key] = (doc_key, doc_pk)
    return pins


def assign_works(citations: list[Citation], report: WorksReport) -> None:
    """Give each citation its work key: the clustering's, unless a curator pinned it (or
    merged its work into another)."""
    parsed = [c.parsed for c in citations]
    # Undated correspondence is one work only within one project, organisation or fund.
    scopes = [c.row.owner for c in citations]
    keys = work_keys(parsed, scopes=scopes)
    for citation, key in zip(citations, keys, strict=True):
        citation.key = key
    report.clustered = (parsed, keys, scopes)
    pins = _pins([c.pin_key for c in citations] + [work_alias(k) for k in set(keys)])
    for citation in citations:
        pin = pins.get(citation.pin_key) or pins.get(work_alias(citation.key))
        if pin is None:
            continue
        doc_key, doc_pk = pin
        # A work a curator merged into always has a key (the merge gives it one).
        new_key = doc_key or f"curated:{doc_pk}"
        if new_key != citation.key:
            report.pinned_lines.append(
                f"{citation.file} {citation.row.owner} {citation.text[:100]!r}: placed in work "
                f"{doc_pk} by a curator's merge or split"
            )
        citation.key = new_key
        citation.pinned = True
        report.pinned += 1
    report.citations = len(citations)


def _best(group: list[Citation]) -> Citation:
    """The best-informed citation of a work: the one with most metadata, then the
    shortest title (least decoration), then the first in file order."""

    def score(c: Citation) -> tuple[int, int]:
        p = c.parsed
        known = sum(bool(x) for x in (p.url, p.publisher, p.date or p.year, p.authors, p.title))
        return (-known, len(p.title or c.text))

    return min(group, key=score)


def _work_type(group: list[Citation], best: Citation) -> tuple[str, str]:
    """The work's type: what most of its citations say, other than "other" (the best
    citation's on a tie)."""
    votes = Counter(c.parsed.document_type for c in group if c.parsed.document_type)
    votes.pop(DocumentType.OTHER, None)
    if not votes:
        return DocumentType.OTHER, best.parsed.type_basis or ""
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0] != best.parsed.document_type))
    kind = ranked[0][0]
    basis = next(c.parsed.type_basis for c in [best, *group] if c.parsed.document_type == kind)
    return kind, basis or ""


URL_IN_TEXT = re.compile(r"<?\b(?:https?://|www\.)\S+>?|\[\s*access[^\]]*\]?", re.I)
# A page locator left at the end of a title ("…, page 14", "pp. 12-13").
TRAILING_LOCATOR = re.compile(
    r"[\s,;:.(]*\b(?:p|pp|pg|pgs|page|pages)\b\.?\s*[\divxlc]+(?:\s*[-–]\s*[\divxlc]+)?[).,;:\s]*$",
    re.I,
)


def work_title(citation: Citation) -> str:
    """A title fit to show: the parsed one, never with an address or an access note in it
    (a string that is only an address is named by its site)."""
    p = citation.parsed
    for text in (p.title, citation.text):
        cleaned = URL_IN_TEXT.sub(" ", text or "")
        cleaned = TRAILING_LOCATOR.sub("", " ".join(cleaned.split())).strip(" ,;:-–")
        if re.search(r"\w{2}", cleaned):
            return cleaned[:5000]
    url = p.url or citation.url or citation.text
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip(), flags=re.I).split("/")[0]
    return f"Web page on {host}" if host else "Untitled source"


def _incoming(group: list[Citation]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    best = _best(group)
    p = best.parsed
    kind, basis = _work_type(group, best)
    date = p.date or (str(p.year) if p.year else "")
    metadata = {
        "title": work_title(best),
        "url": p.url or next((c.parsed.url for c in group if c.parsed.url), ""),
        "archive_url": p.archive_url
        or next((c.parsed.archive_url for c in group if c.parsed.archive_url), ""),
        "document_type": kind if kind in DocumentType.values else DocumentType.OTHER,
        "type_basis": basis,
        "publisher": p.publisher or "",
        "publication_date": date if PARTIAL_DATE.match(date) else "",
    }
    authors = [(a.name[:300], a.kind) for a in p.authors or []]
    return metadata, authors


Design = tuple[str, str]  # (design, basis)
# Titles that say a report is about the process, not the outcomes: a project's metric says
# nothing about their design.
PROCESS_TITLE = re.compile(r"lessons|implementation|process|qualitative|learning", re.I)
# A project-wide design (a metric naming no source) passes only to reports whose title says
# they measure impact or outcomes: not to a phase or progress report of the same contract.
IMPACT_TITLE = re.compile(
    r"impact (?:evaluation|assessment|analysis|study)|\bcohort|final (?:evaluation|report)"
    r"|outcomes? (?:evaluation|analysis|report)|re-?offending|reconviction",
    re.I,
)


def _stronger(current: Design | None, candidate: Design) -> Design:
    if current is None or DESIGN_STRENGTH.get(candidate[0], 0) > DESIGN_STRENGTH.get(current[0], 0):
        return candidate
    return current


def metric_design(text: str) -> tuple[str, str] | None:
    """The design a metric's text names, and the words that name it."""
    for design, pattern in METRIC_DESIGNS:
        if match := pattern.search(text):
            start, end = max(match.start() - 40, 0), min(match.end() + 40, len(text))
            snippet = " ".join(text[start:end].split())
            return design, f"…{snippet}…"
    return None


def _ids(value: object) -> list[str]:
    return [t.strip().casefold() for t in re.split(r"[,;\s]+", str(value or "")) if t.strip()]


def designs_from_metrics(
    parsed: dict[str, ParsedTable], citations: list[Citation], types: dict[str, str]
) -> tuple[dict[str, Design], dict[str, Design]]:
    """Work key -> the design the outcome metrics it is cited for imply, with its basis;
    and apart, the designs guessed for a project's evaluation reports from a metric that
    names no source (used only when nothing more specific says).

    A metric's validation method and definition name a design ("Matched comparison group");
    it passes to the works the metric cites (its Sources), to those its results name as
    Evaluation Documents, and (a strong design, the metric naming no source) to the
    project's evaluation reports."""
    by_source: dict[tuple[str, str], list[str]] = defaultdict(list)
    evaluations: dict[str, set[str]] = defaultdict(set)
    for c in citations:
        if c.file == "projects_sources.csv" and c.local_id:
            by_source[(c.row.owner, c.local_id)].append(c.key)
        if c.file.startswith("projects_") and types.get(c.key) == DocumentType.EVALUATION_REPORT:
            evaluations[c.row.owner].add(c.key)
    found: dict[str, Design] = {}
    # Project-wide guesses (a metric naming no source) lose to anything more specific.
    project_wide: dict[str, Design] = {}
    metric_designs: dict[tuple[str, str], Design] = {}
    metrics = parsed.get("projects_outcome_metrics.csv")
    for row in metrics.rows if metrics else []:
        for column in ("validation_method", "definition"):
            hit = metric_design(str(row.values.get(column) or ""))
            if hit is None:
                continue
            design, words = hit
            metric = str(row.values.get("local_id") or f"row {row.position + 1}")
            basis = f"outcome metric {metric} of {row.owner}: {words}"
            metric_designs[(row.owner, metric.strip().casefold())] = (design, basis)
            cited = [k for i in _ids(row.values.get("sources")) for k in by_source[(row.owner, i)]]
            for key in cited:
                found[key] = _stronger(found.get(key), (design, basis))
            if not cited and design in PROJECT_WIDE_DESIGNS:
                for key in evaluations[row.owner]:
                    project_wide[key] = _stronger(project_wide.get(key), (design, basis))
            break
    results = parsed.get("projects_results.csv")
    for row in results.rows if results else []:
        named = _ids(row.values.get("evaluation_documents"))
        metric = str(row.values.get("outcome_metric_ref") or "").strip().casefold()
        hit = metric_designs.get((row.owner, metric))
        if not named or hit is None:
            continue
        for key in (k for i in named for k in by_source[(row.owner, i)]):
            found[key] = _stronger(found.get(key), hit)
    return found, project_wide


def _work_design(
    group: list[Citation], from_metrics: Design | None, project_wide: Design | None = None
) -> Design:
    best: Design | None = None
    for c in group:
        if c.parsed.design:
            best = _stronger(best, (c.parsed.design, c.parsed.design_basis or "the citation"))
    if from_metrics:
        best = _stronger(best, from_metrics)
    title = work_title(_best(group))
    if (
        best is None
        and project_wide
        and IMPACT_TITLE.search(title)
        and not PROCESS_TITLE.search(title)
    ):
        best = project_wide
    if best is None or best[0] not in EvaluationDesign.values:
        return "", ""
    design, basis = best
    basis = basis if basis.startswith("inferred from") else f"inferred from: {basis}"
    return design, basis[:2000]


def ensure_works(
    parsed: dict[str, ParsedTable], citations: list[Citation], ctx: ApplyContext
) -> WorksReport:
    """Create or refresh one evidence document per work the citations name, and set each
    citation's document (``citation.document_id``). Metadata comes from the best-informed
    citation; what a curator changed since the last import is kept; a confirmed design is
    never changed."""
    counts = ctx.counts.setdefault("evidence documents", Counts())
    report = WorksReport()
    assign_works(citations, report)
    groups: dict[str, list[Citation]] = defaultdict(list)
    for citation in citations:
        groups[citation.key].append(citation)
    report.works = len(groups)
    incoming = {key: _incoming(group) for key, group in groups.items()}
    types = {key: meta["document_type"] for key, (meta, _a) in incoming.items()}
    metric_designs, project_wide = designs_from_metrics(parsed, citations, types)
    existing: dict[str, EvidenceDocument] = {}
    keys = list(groups)
    for start in range(0, len(keys), 500):
        for doc in EvidenceDocument.objects.filter(key__in=keys[start : start + 500]).defer("text"):
            existing[cast(str, doc.key)] = doc
    curated = {k.split(":", 1)[1] for k in keys if k.startswith("curated:")}
    for doc_pk in {int(pk) for pk in curated if pk.isdigit()}:
        # A hand-made work a curator merged imported citations into: it gets its key now.
        hand_made = EvidenceDocument.objects.filter(pk=doc_pk, key__isnull=True).first()
        if hand_made is not None:
            hand_made.key = f"curated:{doc_pk}"
            hand_made.save(update_fields=["key"])
            existing[hand_made.key] = hand_made
    rekeyed = _adopt_documents(groups, existing)
    author_rows: dict[str, tuple[list[tuple[str, str]], list[list[str]]]] = {}
    missing: list[EvidenceDocument] = []
    changed: list[EvidenceDocument] = []
    metadata_updated = 0
    for key, group in groups.items():
        metadata, authors = incoming[key]
        design, basis = _work_design(group, metric_designs.get(key), project_wide.get(key))
        wanted = {**metadata, "authors": [list(a) for a in authors]}
        found = existing.get(key)
        if found is None:
            missing.append(
                EvidenceDocument(
                    key=key,
                    status=PublicationStatus.PUBLISHED,
                    evaluation_design=design,
                    design_basis=basis,
                    import_baseline=wanted,
                    **metadata,
                )
            )
            author_rows[key] = (authors, [])
            continue
        doc = found
        needs_saving, metadata_changed = _refresh(doc, metadata)
        baseline = doc.import_baseline or {}
        previous = baseline.get("authors") or []
        if wanted["authors"] != previous:
            author_rows[key] = (authors, previous)
        if baseline != wanted:
            doc.import_baseline = wanted
            needs_saving = True
        if not doc.design_confirmed and (doc.evaluation_design, doc.design_basis) != (
            design,
            basis,
        ):
            doc.evaluation_design, doc.design_basis = design, basis
            needs_saving = metadata_changed = True
        if needs_saving or key in rekeyed:
            changed.append(doc)
        if metadata_changed:
            metadata_updated += 1
    EvidenceDocument.objects.bulk_create(missing, batch_size=ctx.batch_size)
    EvidenceDocument.objects.bulk_update(
        changed,
        ["key", *DOCUMENT_FIELDS, "evaluation_design", "design_basis", "import_baseline"],
        batch_size=ctx.batch_size,
    )
    pks = {cast(str, doc.key): doc.pk for doc in [*existing.values(), *missing]}
    if not all(pks.values()):  # bulk_create sets pks on PostgreSQL and SQLite
        pks.update(
            EvidenceDocument.objects.filter(key__in=keys).values_list("key", "pk")  # type: ignore[arg-type]
        )
    _sync_authors(author_rows, pks)
    for citation in citations:
        citation.document_id = pks[citation.key]
    counts.created += len(missing)
    counts.updated += metadata_updated
    counts.unchanged += len(existing) - metadata_updated
    report.created = len(missing)
    return report


def _current_documents() -> dict[tuple[str, str, int], int]:
    """(file, owner, position) -> the document each stored citing row points to now."""
    current: dict[tuple[str, str, int], int] = {}
    for file, queryset, owner in (
        ("projects_sources.csv", ProjectSource.objects, "project__indigo_id"),
        ("projects_documents.csv", ProjectDocument.objects, "project__indigo_id"),
        ("organisations_sources.csv", OrganisationCitation.objects, "row__organisation__indigo_id"),
        ("funds_documents.csv", FundCitation.objects, "row__fund__indigo_id"),
    ):
        position = "position" if file.startswith("projects_") else "row__position"
        for owner_id, at, document_id in queryset.order_by().values_list(
            owner, position, "document_id"
        ):
            current[(file, owner_id, at)] = document_id
    return current


def _adopt_documents(
    groups: dict[str, list[Citation]], existing: dict[str, EvidenceDocument]
) -> set[str]:
    """A work whose key is new (the parser or the clustering improved) keeps the document
    most of its citations already point to, so its page's address does not change: that
    document takes the new key. Returns the keys of the documents adopted."""
    unmatched = sorted(key for key in groups if key not in existing)
    if not unmatched:
        return set()
    current = _current_documents()
    claimed = {doc.pk for doc in existing.values()}
    choice: dict[str, int] = {}
    for key in unmatched:
        votes = Counter(current[c.where] for c in groups[key] if c.where in current)
        for doc_pk, n in votes.most_common():
            if n * 2 > len(groups[key]) and doc_pk not in claimed:
                choice[key] = doc_pk
                claimed.add(doc_pk)
            break
    documents = EvidenceDocument.objects.defer("text").in_bulk(list(choice.values()))
    adopted = set()
    for key, doc_pk in choice.items():
        doc = documents.get(doc_pk)
        if doc is None or not doc.import_baseline:
            continue  # a document curators made here is never taken over
        doc.key = key
        existing[key] = doc
        adopted.add(key)
    return adopted


def _sync_authors(
    author_rows: dict[str, tuple[list[tuple[str, str]], list[list[str]]]], pks: dict[str, int]
) -> None:
    """Authors as the import found them (key -> (authors, as the last import wrote them)),
    unless a curator changed a work's authors since the last import."""
    if not author_rows:
        return
    doc_pks = [pks[key] for key in author_rows]
    current: dict[int, list[list[str]]] = defaultdict(list)
    for document_id, name, kind in (
        DocumentAuthor.objects.filter(document_id__in=doc_pks)
        .order_by("document_id", "position")
        .values_list("document_id", "name", "kind")
    ):
        current[document_id].append([name, kind])
    replace: list[int] = []
    rows: list[DocumentAuthor] = []
    for key, (authors, previous) in author_rows.items():
        pk = pks[key]
        if current[pk] != previous:
            continue  # a curator's authors
        replace.append(pk)
        rows += [
            DocumentAuthor(document_id=pk, position=n, name=name, kind=kind)
            for n, (name, kind) in enumerate(authors)
        ]
    DocumentAuthor.objects.filter(document_id__in=replace).delete()
    DocumentAuthor.objects.bulk_create(rows, batch_size=500)
    names: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        names[row.document_id].append(row.name)
    changed = [EvidenceDocument(pk=pk, authors_text="; ".join(names.get(pk, []))) for pk in replace]
    EvidenceDocument.objects.bulk_update(changed, ["authors_text"], batch_size=500)


def _refresh(doc: EvidenceDocument, incoming: dict[str, str]) -> tuple[bool, bool]:
    """Apply the incoming metadata a curator has not changed. Returns whether the document
    needs saving and whether its metadata changed."""
    baseline = doc.import_baseline or {}
    metadata_changed = False
    for name, value in incoming.items():
        current = getattr(doc, name)
        if current != value and current == baseline.get(name, current):
            setattr(doc, name, value)
            metadata_changed = True
    return metadata_changed, metadata_changed


# The keys documents had when each URL or INDIGO row was a document of its own.
LEGACY_KEY = r"^(url|source|document):"


def _published_owner_q(prefix: str) -> Q:
    return Q(**{f"{prefix}__status": PublicationStatus.PUBLISHED})


def project_row_links(citations: list[Citation]) -> dict[tuple[str, str, int], dict[str, Any]]:
    """(file, owner, position) -> the derived attributes of a project's citing row: its
    work, locator and access date as cited (``apply_rows`` keeps them current)."""
    return {
        c.where: {"document_id": c.document_id, "locator": c.locator, "cited_accessed": c.accessed}
        for c in citations
        if c.file in ("projects_sources.csv", "projects_documents.csv")
    }


def sync_owner_citations(citations: list[Citation], ctx: ApplyContext) -> None:
    """Organisation sources and fund documents (rows the cases app keeps) as citations of
    their works: one OrganisationCitation or FundCitation per row, kept in step."""
    counts = ctx.counts.setdefault("organisation and fund citations", Counts())
    kinds: list[tuple[str, Any, Any, str]] = [
        ("organisations_sources.csv", OrganisationSource, OrganisationCitation, "organisation"),
        ("funds_documents.csv", FundDocument, FundCitation, "fund"),
    ]
    for file, row_model, link_model, owner in kinds:
        mine = {c.where: c for c in citations if c.file == file}
        if not mine:
            continue
        owners = {c.row.owner for c in mine.values()}
        rows = row_model.objects.filter(**{f"{owner}__indigo_id__in": owners}).values_list(
            "pk", f"{owner}__indigo_id", "position"
        )
        wanted = {
            pk: mine[(file, owner_id, position)]
            for pk, owner_id, position in rows
            if (file, owner_id, position) in mine
        }
        existing = {link.row_id: link for link in link_model.objects.filter(row_id__in=wanted)}
        new, changed = [], []
        for row_pk, c in wanted.items():
            values = {
                "document_id": c.document_id,
                "locator": c.locator,
                "cited_accessed": c.accessed,
            }
            link = existing.get(row_pk)
            if link is None:
                new.append(link_model(row_id=row_pk, **values))
            elif any(getattr(link, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(link, k, v)
                changed.append(link)
        link_model.objects.bulk_create(new, batch_size=ctx.batch_size)
        link_model.objects.bulk_update(
            changed, ["document_id", "locator", "cited_accessed"], batch_size=ctx.batch_size
        )
        counts.created += len(new)
        counts.updated += len(changed)
        counts.unchanged += len(existing) - len(changed)


def publish_cited_documents(ctx: ApplyContext) -> None:
    """An imported document is public exactly when a published project, organisation or
    fund cites it: withdraw the others (kept) and publish again those cited anew."""
    counts = ctx.counts.setdefault("evidence documents", Counts())
    published = PublicationStatus.PUBLISHED
    cited = (
        published_project_q("project_sources__project")
        | published_project_q("project_documents__project")
        | _published_owner_q("organisation_citations__row__organisation")
        | _published_owner_q("fund_citations__row__fund")
    )
    imported = EvidenceDocument.objects.exclude(import_baseline={})
    cited_ids = imported.filter(cited).values("pk")
    going = imported.filter(status=published).exclude(pk__in=cited_ids)
    # One document per row or URL, as imports made them before documents were works: those
    # no work took over are superseded, not withdrawn by the source (so an upgrade's first
    # import is not taken for a mass withdrawal). Kept, withdrawn, and counted apart.
    legacy = going.filter(key__regex=LEGACY_KEY)
    superseded = legacy.update(status=PublicationStatus.WITHDRAWN)
    if superseded:
        ctx.counts.setdefault(
            "evidence documents superseded by works", Counts()
        ).withdrawn += superseded
    going = going.exclude(key__regex=LEGACY_KEY)
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
        for column, section in SECTION_COLUMNS.items():
            for token in filter(None, row.values[column].split(",")):
                source_pk = sources[project_pk].get(token.casefold())
                if source_pk is None:
                    report.warnings.append(
                        Problem(
                            projects.table.file,
                            row.row,
                            headers[column],
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
