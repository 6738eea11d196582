"""Import and export of whole INDIGO snapshots.

This is the one place that writes both apps at once: it reads the files with
``cases.indigo``, checks everything before touching the database, then applies the
case tables and the evidence tables in one transaction. Any error means nothing changes.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cases.indigo.apply import (
    ApplyContext,
    Conflict,
    Counts,
    apply_records,
    apply_rows,
    missing_references,
    reference_resolver,
    withdraw_missing,
)
from cases.indigo.export import write_table
from cases.indigo.reading import ParsedTable, Problem, Report, Snapshot, parse_table
from cases.indigo.tables import TABLES as CASE_TABLES
from cases.models import ImportRun, Organisation, OutcomeFund, Project
from cases.services import refresh_derived_fields
from common.models import PublicationStatus
from evidence import interchange as evidence_interchange
from evidence.services import refresh_evaluation_flags

ALL_TABLES = [*CASE_TABLES, *evidence_interchange.TABLES]
OWNER_FILES = {"project": "projects.csv", "organisation": "organisations.csv", "fund": "funds.csv"}
# Every INDIGO snapshot ships these files. One that is missing never means "all its records
# are gone": the snapshot is refused unless the operator says it is partial.
REQUIRED_FILES = [table.file for table in ALL_TABLES]
# An import may withdraw at most this share of the published records of a kind without the
# operator's explicit yes (--allow-mass-withdrawal, or the box in the admin).
MASS_WITHDRAWAL_SHARE = 0.10

Progress = Callable[[str], None]


@dataclass
class ImportProgress:
    """How far an import has got, for a background job's page: the step it is at, and the
    files and rows read so far."""

    stage: str = ""
    # "reading", "checking" or "applying" (in the import's one transaction).
    phase: str = "reading"
    files_done: int = 0
    files_total: int = 0
    rows_done: int = 0


Tracker = Callable[[ImportProgress], None]


class _Texts(dict[str, Any]):
    """A snapshot's texts by file name, each read from the folder or the .zip when asked for,
    so that only the file being parsed is in memory, never the whole snapshot."""

    def __getitem__(self, name: str) -> str:
        value = super().__getitem__(name)
        return value() if callable(value) else value

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[name] if name in self else default  # noqa: SIM401 - this is get


class StreamedSnapshot(Snapshot):
    """A ``Snapshot`` that checks each file once when opened (size, UTF-8) and reads it again
    when parsed, instead of keeping every text: a 50 MB snapshot is 50 MB or more of text."""

    def _load(self) -> None:
        self.texts = _Texts()
        super()._load()

    def _decode(self, name: str, data: bytes) -> None:
        before = len(self.problems)
        super()._decode(name, data)  # the check; its text is dropped below
        if len(self.problems) == before:
            self.texts[name] = lambda: self._read(name)  # type: ignore[assignment]

    def _read(self, name: str) -> str:
        if self.path.is_dir():
            return (self.path / name).read_bytes().decode("utf-8-sig")
        with zipfile.ZipFile(self.path) as archive:
            # The last member of that name, as the first reading kept.
            member = [i for i in archive.infolist() if Path(i.filename).name == name][-1]
            return archive.read(member).decode("utf-8-sig")


@dataclass
class ImportResult:
    source: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
    withdrawn_documents: list[str] = field(default_factory=list)
    # Withdrawals over MASS_WITHDRAWAL_SHARE that the operator has not confirmed: the import
    # is refused, and these say what would go.
    mass_withdrawal: list[str] = field(default_factory=list)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    # Files of the snapshot that are not imported, and why (``skipped_files()``).
    skipped_files: dict[str, str] = field(default_factory=dict)
    # What the import made of the citing rows: works, merges, and why (--explain-evidence).
    evidence_works: evidence_interchange.WorksReport | None = None
    partial: bool = False
    applied: bool = False
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.mass_withdrawal

    @property
    def withdrawal_count(self) -> int:
        return len(self.withdrawn) + len(self.withdrawn_documents)

    @property
    def needs_confirmation(self) -> bool:
        """Nothing is wrong with the files, but the import would withdraw many records."""
        return not self.errors and bool(self.mass_withdrawal)

    def changes(self) -> int:
        return sum(c.changes() for c in self.counts.values())

    @property
    def evidence_summary(self) -> str:
        return str(self.evidence_works) if self.evidence_works else ""

    def summary(self) -> dict[str, dict[str, int]]:
        return {name: counts.as_dict() for name, counts in self.counts.items()}


def import_snapshot(
    path: Path | str,
    *,
    run_by: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    partial: bool = False,
    allow_mass_withdrawal: bool = False,
    track: Tracker | None = None,
) -> ImportResult:
    """Import an INDIGO snapshot (a folder of CSVs or a .zip of them), all or nothing.

    A snapshot must hold every file INDIGO ships, unless ``partial``: then only the files
    present are applied, and nothing is withdrawn or deleted for lack of a file. An import
    that would withdraw more than ``MASS_WITHDRAWAL_SHARE`` of the published records of a
    kind changes nothing unless ``allow_mass_withdrawal``; ``result.mass_withdrawal`` then
    says what would go. ``progress`` hears each step as a line of text; ``track`` hears it
    as an ``ImportProgress`` (files and rows read)."""
    state = ImportProgress()

    def say(message: str) -> None:
        if progress is not None:
            progress(message)
        if track is not None:
            state.stage = message
            track(state)

    started = time.monotonic()
    started_at = timezone.now()
    snapshot = StreamedSnapshot(path)
    result = ImportResult(source=str(path), dry_run=dry_run, partial=partial)
    report = Report(errors=list(snapshot.problems))
    if not report.errors and not partial:
        for name in REQUIRED_FILES:
            if name not in snapshot.texts:
                report.errors.append(
                    Problem(
                        name,
                        0,
                        "-",
                        "file is missing: every INDIGO snapshot has it, so nothing was "
                        "imported. To apply only the files present, import it as a partial "
                        "snapshot (--partial)",
                    )
                )
    if report.errors:
        result.errors = report.errors
        return result
    present = {table.file for table in ALL_TABLES if table.file in snapshot.texts}
    state.files_total = len(present)

    files = sorted(snapshot.texts)
    skipped = skipped_files(snapshot)  # before the texts go: it compares copies
    parsed: dict[str, ParsedTable] = {}
    slimmed: set[str] = set()
    for table in ALL_TABLES:
        parsed[table.file] = parse_table(snapshot, table, report)
        if table.file in snapshot.texts:
            # Memory: the file's text is read; its rows are all that is needed now.
            snapshot.texts[table.file] = ""
            state.files_done += 1
            state.rows_done += len(parsed[table.file].rows)
            say(f"read {table.file}: {len(parsed[table.file].rows)} rows")
        if report.errors:
            # The import will be refused: keep of the rows only what the checks still read.
            _slim(parsed, slimmed)
    state.phase = "checking"
    say("checking references")
    report.errors.extend(p for p in snapshot.problems if p not in report.errors)
    stored = _stored_ids(partial)
    _check_owners(parsed, report, stored)
    ids = {
        "org": {r.owner for r in parsed["organisations.csv"].rows} | stored["organisation"],
        "fund": {r.owner for r in parsed["funds.csv"].rows} | stored["fund"],
    }
    for table in ALL_TABLES:
        missing_references(parsed[table.file], ids, report)
    result.skipped_files = skipped
    for name, reason in result.skipped_files.items():
        report.warnings.append(Problem(name, 0, "-", reason))
    result.unknown_columns = dict(snapshot.unknown_columns)
    for name, columns in result.unknown_columns.items():
        for column in columns:
            report.warnings.append(
                Problem(name, 1, column, "not a column of this INDIGO table; ignored")
            )
    result.errors, result.warnings = report.errors, report.warnings
    if report.errors:
        return result

    reason = f"INDIGO import of {Path(path).name}"
    ctx = ApplyContext(counts=result.counts, conflicts=result.conflicts, change_reason=reason)
    state.phase = "applying"
    say("applying the changes (in one transaction: nothing is seen until it ends)")
    with transaction.atomic():
        published_before = _published_counts()
        result.evidence_works = _apply(parsed, ctx, report, say, present)
        result.withdrawn = ctx.withdrawn
        result.withdrawn_documents = ctx.withdrawn_documents
        result.warnings = report.warnings
        if not allow_mass_withdrawal:
            result.mass_withdrawal = _mass_withdrawals(result.counts, published_before)
        if dry_run or result.mass_withdrawal:
            transaction.set_rollback(True)
        else:
            ImportRun.objects.create(
                started_at=started_at,
                finished_at=timezone.now(),
                source=str(path),
                files=files,
                run_by=run_by,
                summary={**result.summary(), **_works_summary(result.evidence_works)},
                warnings=[str(w) for w in result.warnings],
                conflicts=[str(c) for c in result.conflicts],
            )
    result.applied = not dry_run and not result.mass_withdrawal
    result.seconds = time.monotonic() - started
    return result


def _slim(parsed: dict[str, ParsedTable], slimmed: set[str]) -> None:
    """Drop what only applying reads (the baseline cells, the values) from rows of an import
    that has errors, keeping what the owner and reference checks read, so that a big snapshot
    full of bad rows is checked in bounded memory."""
    for name, table in parsed.items():
        if name in slimmed:
            continue
        slimmed.add(name)
        table.rows = [
            _SlimRow(row.row, row.owner, _refs(row.values), row.position)  # type: ignore[misc]
            for row in table.rows
        ]


_NOTHING: dict[str, Any] = MappingProxyType({})  # type: ignore[assignment]


def _refs(values: dict[str, Any]) -> dict[str, Any]:
    refs = {k: v for k, v in values.items() if k.endswith("_ref")}
    return refs or _NOTHING


class _SlimRow:
    """What the checks read of a ``ParsedRow``, in a fraction of its memory."""

    __slots__ = ("row", "owner", "values", "position")
    cells = _NOTHING

    def __init__(self, row: int, owner: str, values: dict[str, Any], position: int) -> None:
        self.row, self.owner, self.values, self.position = row, owner, values, position


def _works_summary(works: evidence_interchange.WorksReport | None) -> dict[str, dict[str, int]]:
    """The run's record of what the import made of the citations (works, merges)."""
    if works is None:
        return {}
    return {
        "evidence works": {
            "citations": works.citations,
            "works": works.works,
            "created": works.created,
            "citations merged": works.merged,
            "placed by curators": works.pinned,
        }
    }


# Files INDIGO's export ships that repeat another file: read from the original.
COPIES = {"outcome-funds.csv": "funds.csv"}


def skipped_files(snapshot: Snapshot) -> dict[str, str]:
    """The snapshot's files this site does not import, each with the reason: a copy of a
    file it does import (``outcome-funds.csv`` of ``funds.csv``), or a table it does not
    know."""
    skipped = {}
    for name in sorted(set(snapshot.texts) - {t.file for t in ALL_TABLES}):
        original = COPIES.get(name)
        if original is None:
            skipped[name] = "not an INDIGO table this site imports"
        elif original not in snapshot.texts:
            skipped[name] = f"a copy of {original}; not imported (import {original} instead)"
        elif _rows(snapshot.texts[name]) == _rows(snapshot.texts[original]):
            skipped[name] = f"a copy of {original}, whose funds are imported"
        else:
            skipped[name] = (
                f"should be a copy of {original} but differs from it; not imported ({original} is)"
            )
    return skipped


def _rows(text: str) -> list[list[str]]:
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        return []


# Per kind: where its withdrawals are counted, and how to name it. Not pipeline projects:
# they leave the pipeline as a matter of course, once launched or abandoned (40 of the 71
# of 2024-04 are not in 2025-05), so their withdrawal is no sign of a damaged snapshot.
WITHDRAWAL_KINDS = {
    "projects.csv": "projects",
    "organisations.csv": "organisations",
    "funds.csv": "funds",
    "evidence documents": "evidence documents",
}


def _published_counts() -> dict[str, int]:
    from evidence.models import EvidenceDocument

    return {
        "projects.csv": Project.objects.published().count(),
        "organisations.csv": Organisation.objects.published().count(),
        "funds.csv": OutcomeFund.objects.published().count(),
        "evidence documents": EvidenceDocument.objects.published().count(),
    }


def _mass_withdrawals(counts: dict[str, Counts], published_before: dict[str, int]) -> list[str]:
    """Kinds of which the import would withdraw more than the allowed share."""
    found = []
    for key, label in WITHDRAWAL_KINDS.items():
        withdrawn = counts[key].withdrawn if key in counts else 0
        total = published_before[key]
        if withdrawn and withdrawn > MASS_WITHDRAWAL_SHARE * total:
            found.append(
                f"{withdrawn} of {total} published {label} ({withdrawn / total:.0%}) would be "
                f"withdrawn, more than {MASS_WITHDRAWAL_SHARE:.0%}"
            )
    return found


def _stored_ids(partial: bool) -> dict[str, set[str]]:
    """Records already stored, which a partial snapshot's rows may refer to."""
    if not partial:
        return {kind: set() for kind in OWNER_FILES}
    return {
        "project": set(Project.objects.values_list("indigo_id", flat=True)),
        "organisation": set(Organisation.objects.values_list("indigo_id", flat=True)),
        "fund": set(OutcomeFund.objects.values_list("indigo_id", flat=True)),
    }


def _check_owners(
    parsed: dict[str, ParsedTable], report: Report, stored: dict[str, set[str]]
) -> None:
    owners = {
        kind: {r.owner for r in parsed[file].rows} | parsed[file].failed | stored[kind]
        for kind, file in OWNER_FILES.items()
    }
    for name, table in parsed.items():
        if table.table.is_record:
            continue
        known = owners[table.table.parent]
        header = table.table.key_column.header
        for row in table.rows:
            if row.owner not in known:
                report.errors.append(
                    Problem(
                        name,
                        row.row,
                        header,
                        f"{row.owner} is not in {OWNER_FILES[table.table.parent]}",
                    )
                )


def _refresh_statistics() -> None:
    """Bulk writes leave PostgreSQL's planner statistics stale until autovacuum runs, which
    it cannot do inside this transaction; plans for the next steps then go badly wrong
    (seen: minutes instead of seconds). ANALYZE sees the transaction's own rows."""
    if connection.vendor != "postgresql":
        return
    tables = [t.model._meta.db_table for t in ALL_TABLES] + [
        "cases_project",
        "evidence_evidencedocument",
        "evidence_sectioncitation",
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(dict.fromkeys(tables)))


def _apply(
    parsed: dict[str, ParsedTable],
    ctx: ApplyContext,
    report: Report,
    say: Progress,
    present: set[str],
) -> evidence_interchange.WorksReport:
    """Apply the files ``present`` (all of them unless the snapshot is partial): a file
    that is not there leaves its records and rows as they are."""

    def step(message: str) -> None:
        say(f"{message} ({time.monotonic() - begun:.1f}s)")

    begun = time.monotonic()
    # Records GO Lab publishes arrive published; drafts are for records made here.
    published = PublicationStatus.PUBLISHED
    ids = {
        "org": apply_records(parsed["organisations.csv"], ctx, status=published),
        "fund": apply_records(parsed["funds.csv"], ctx, status=published),
    }
    for file in ("organisations.csv", "funds.csv"):
        if file in present:
            ctx.withdrawn += withdraw_missing(parsed[file], ctx)
    step("organisations and funds")
    projects = apply_records(parsed["projects.csv"], ctx, status=published)
    if "projects.csv" in present:
        ctx.withdrawn += withdraw_missing(parsed["projects.csv"], ctx)
    # Records no other file refers to (pipeline projects).
    for table in CASE_TABLES:
        if table.is_record and table.file not in OWNER_FILES.values():
            apply_records(parsed[table.file], ctx, status=published)
            if table.file in present:
                ctx.withdrawn += withdraw_missing(parsed[table.file], ctx)
    step("projects")
    owners = {"project": projects, "organisation": ids["org"], "fund": ids["fund"]}

    def in_scope(table: ParsedTable) -> set[str]:
        """The owners whose rows this file states in full: every owner of the owner file,
        or (that file missing from a partial snapshot) those the file has rows for."""
        owner_file = OWNER_FILES[table.table.parent]
        source = parsed[owner_file] if owner_file in present else table
        return {r.owner for r in source.rows}

    for table in CASE_TABLES:
        if table.is_record or table.file not in present:
            continue
        apply_rows(
            parsed[table.file],
            ctx,
            owners[table.parent],
            reference_resolver(table, ids),
            owners_in_snapshot=in_scope(parsed[table.file]),
        )
    _refresh_statistics()
    step("project components")
    evidence_tables = [parsed[t.file] for t in evidence_interchange.TABLES if t.file in present]
    citing = {f: parsed[f] for f in evidence_interchange.CITATION_FILES if f in present}
    citations = evidence_interchange.read_citations(citing)
    works = evidence_interchange.ensure_works(parsed, citations, ctx)
    links = evidence_interchange.project_row_links(citations)
    for ptable in evidence_tables:

        def resolve(row, file=ptable.table.file):
            return links[(file, row.owner, row.position)]

        apply_rows(ptable, ctx, projects, resolve, owners_in_snapshot=in_scope(ptable))
    evidence_interchange.sync_owner_citations(citations, ctx)
    evidence_interchange.publish_cited_documents(ctx)
    evidence_interchange.sync_links(ctx)
    if "projects.csv" in present:
        evidence_interchange.sync_citations(parsed["projects.csv"], ctx, report)
    step("sources, documents and citations")
    _refresh_statistics()
    refresh_derived_fields()
    refresh_evaluation_flags()
    step("search index and facets")
    return works


# ---------------------------------------------------------------------------------------------


def export_snapshot(folder: Path | str) -> dict[str, int]:
    """Write the published data as INDIGO CSVs into ``folder``; return rows per file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    owners = {
        "project": dict(Project.objects.published().values_list("pk", "indigo_id")),
        "organisation": dict(Organisation.objects.published().values_list("pk", "indigo_id")),
        "fund": dict(OutcomeFund.objects.published().values_list("pk", "indigo_id")),
    }
    written: dict[str, int] = {}
    for table in ALL_TABLES:
        model = table.model
        if table.is_record:
            queryset = model.objects.published().order_by("indigo_id")
            rows = ((obj.indigo_id, obj) for obj in queryset.iterator())
        else:
            ids = owners[table.parent]
            parent_attr = f"{model.parent_field}_id"
            queryset = model.objects.filter(**{f"{parent_attr}__in": ids}).order_by(
                f"{model.parent_field}__indigo_id", "position"
            )
            rows = ((ids[getattr(obj, parent_attr)], obj) for obj in queryset.iterator())
        with open(folder / table.file, "w", encoding="utf-8", newline="") as out:
            written[table.file] = write_table(table, rows, out)
    return written
