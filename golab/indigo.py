"""Import and export of whole INDIGO snapshots.

This is the one place that writes both apps at once: it reads the files with
``cases.indigo``, checks everything before touching the database, then applies the
case tables and the evidence tables in one transaction. Any error means nothing changes.
"""

from __future__ import annotations

import codecs
import csv
import io
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from cases.indigo.apply import (
    ApplyContext,
    Conflict,
    Counts,
    ReferenceCheck,
    apply_records,
    apply_rows,
    reference_resolver,
    withdraw_missing,
)
from cases.indigo.export import write_table
from cases.indigo.layout import Table
from cases.indigo.reading import (
    ParsedRow,
    ParsedTable,
    Problem,
    Problems,
    Report,
    Snapshot,
    parse_rows,
)
from cases.indigo.tables import TABLES as CASE_TABLES
from cases.models import ImportRun, Organisation, OutcomeFund, Project
from cases.parties import deferred as party_flags_deferred
from cases.parties import refresh_party_flags
from cases.services import refresh_derived_fields
from common import cache as common_cache
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
    """A snapshot's texts by file name, each read from the folder or the .zip when asked for
    whole (only ``skipped_files`` does, for small copies); rows are read as a stream."""

    def __getitem__(self, name: str) -> str:
        value = super().__getitem__(name)
        return value() if callable(value) else value

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[name] if name in self else default  # noqa: SIM401 - this is get


class StreamedSnapshot(Snapshot):
    """A ``Snapshot`` that checks each file once when opened (size, UTF-8, a megabyte at a
    time) and streams its rows when parsed, never holding a file's text: a 50 MB snapshot is
    read in a few megabytes."""

    CHUNK = 1 << 20

    sizes: dict[str, int]

    @property
    def size(self) -> int:
        """Bytes of CSV in the snapshot (uncompressed)."""
        return sum(self.sizes.values())

    def _load(self) -> None:
        self.texts = _Texts()
        self.sizes = {}
        super()._load()

    def _add_file(self, path: Path) -> None:
        self._check(path.name)

    def _add_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self._check(Path(info.filename).name, archive, info)

    def _check(self, name: str, archive: zipfile.ZipFile | None = None, info: Any = None) -> None:
        """Read the file once, a chunk at a time: it must be UTF-8 (a damaged .zip member
        raises here, as reading it whole did)."""
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        done = 0
        with archive.open(info) if archive else open(self.path / name, "rb") as raw:
            while chunk := raw.read(self.CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    self.problems.append(
                        Problem(name, 0, "-", f"not UTF-8 text (byte {done + exc.start})")
                    )
                    return
                done += len(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                self.problems.append(
                    Problem(name, 0, "-", f"not UTF-8 text (byte {done + exc.start})")
                )
                return
        self.texts[name] = lambda: self._read(name)  # type: ignore[assignment]
        self.sizes[name] = done

    def _read(self, name: str) -> str:
        stream = self.open_text(name)
        if stream is None:
            raise KeyError(name)
        with stream:
            return stream.read()

    def open_text(self, name: str) -> IO[str] | None:
        if name not in self.texts:
            return None
        if self.path.is_dir():
            return open(self.path / name, encoding="utf-8-sig", newline="")  # noqa: SIM115
        archive = zipfile.ZipFile(self.path)  # noqa: SIM115 - closed with the stream
        # The last member of that name, as the check kept.
        member = [i for i in archive.infolist() if Path(i.filename).name == name][-1]
        return _ZipText(archive.open(member), archive)


class _ZipText(io.TextIOWrapper):
    """A .zip member's text that closes its archive when closed."""

    def __init__(self, raw: IO[bytes], archive: zipfile.ZipFile) -> None:
        super().__init__(raw, encoding="utf-8-sig", newline="")
        self._archive = archive

    def close(self) -> None:
        super().close()
        self._archive.close()


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
    report = Report(errors=Problems(snapshot.problems))
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
    result.skipped_files = skipped_files(snapshot)
    checked = _check(snapshot, report, partial, state, say)
    state.phase = "checking"
    say("checking references")
    report.errors.extend(p for p in snapshot.problems if p not in report.errors)
    report.errors.extend(checked.owner_errors)
    report.warnings.extend(checked.reference_warnings)
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
        _take_write_lock()
        published_before = _published_counts()
        with party_flags_deferred():  # refreshed for every project at the end of _apply
            result.evidence_works = _apply(checked, ctx, report, say, present)
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
            if result.changes():
                # Pages and counts cached from the old data are stale in every process (on
                # commit; bulk writes send no signals).
                common_cache.bump()
    result.applied = not dry_run and not result.mass_withdrawal
    result.seconds = time.monotonic() - started
    return result


# A snapshot of up to this many bytes of CSV keeps its parsed rows from the check to the
# apply (parsed once: the bundled snapshot is 2.4 MB); a bigger one is parsed again, a file
# at a time, as it is applied, so that memory does not grow with the snapshot.
KEEP_PARSED = 8 * 1024 * 1024


class Rows:
    """A file's good rows, for the apply step: those kept from the check, or the file parsed
    again as a stream (it was checked: its problems are not reported twice)."""

    def __init__(self, snapshot: Snapshot, table: Table, kept: list[ParsedRow] | None) -> None:
        self.snapshot, self.table, self.kept = snapshot, table, kept

    def __iter__(self) -> Iterator[ParsedRow]:
        if self.kept is not None:
            return iter(self.kept)
        return parse_rows(self.snapshot, self.table, Report())


@dataclass
class Checked:
    """What the check of a snapshot keeps for the apply step: per file its rows (``Rows``),
    the ids of its records, and the owners a file states its rows for."""

    rows: dict[str, Rows] = field(default_factory=dict)
    # Record files: the ids of their good rows. Component files: the owners they have
    # rows for (only needed, and kept, when their owner file is not in the snapshot).
    ids: dict[str, set[str]] = field(default_factory=dict)
    owner_errors: Problems = field(default_factory=Problems)
    reference_warnings: Problems = field(default_factory=lambda: Problems(cap=5000))


def _check(
    snapshot: StreamedSnapshot,
    report: Report,
    partial: bool,
    state: ImportProgress,
    say: Progress,
) -> Checked:
    """Parse every file row by row: its problems go to ``report``; rows whose owner is
    not in the snapshot to ``owner_errors``; references to organisations or funds the
    files do not contain to ``reference_warnings``. Record files come first, so their ids
    are known when their components are read."""
    checked = Checked()
    keep = snapshot.size <= KEEP_PARSED
    stored = _stored_ids(partial)
    owners: dict[str, set[str]] = {}
    known: dict[str, set[str]] = {}
    for table in ALL_TABLES:
        present = table.file in snapshot.texts
        failed: set[str] = set()
        kept: list[ParsedRow] | None = [] if keep else None
        ids: set[str] = set()
        if not table.is_record and not owners:
            owners = {
                kind: checked.ids[file] | checked.ids.get(f"failed:{file}", set()) | stored[kind]
                for kind, file in OWNER_FILES.items()
            }
            known = {
                "org": checked.ids["organisations.csv"] | stored["organisation"],
                "fund": checked.ids["funds.csv"] | stored["fund"],
            }
        if table.is_record:
            track_owners = True
        else:
            track_owners = OWNER_FILES[table.parent] not in snapshot.texts
            refs = ReferenceCheck(table, known, Report(warnings=checked.reference_warnings))
            owner_known = owners[table.parent]
            header = table.key_column.header
            owner_file = OWNER_FILES[table.parent]
        count = 0
        for row in parse_rows(snapshot, table, report, failed):
            count += 1
            if track_owners:
                ids.add(row.owner)
            if not table.is_record:
                if row.owner not in owner_known:
                    checked.owner_errors.append(
                        Problem(table.file, row.row, header, f"{row.owner} is not in {owner_file}")
                    )
                refs.see(row)
            if kept is not None:
                kept.append(row)
        checked.ids[table.file] = ids
        if table.is_record:
            checked.ids[f"failed:{table.file}"] = failed
        checked.rows[table.file] = Rows(snapshot, table, kept)
        if present:
            state.files_done += 1
            state.rows_done += count
            say(f"read {table.file}: {count} rows")
    return checked


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


def _take_write_lock() -> None:
    """On SQLite, take the database's one write lock first thing in the import's
    transaction, waiting for it as for any write: a transaction that reads first and writes
    later cannot wait when another connection (a page saving a session) writes meanwhile,
    and failed with "database is locked"."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_importrun SET id = id WHERE 0")


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


def _slim(row: ParsedRow, names: Iterable[str]) -> ParsedRow:
    """A row with only the values a later step reads (no baseline cells)."""
    return ParsedRow(
        row.row, row.owner, {n: row.values.get(n, "") for n in names}, {}, row.position
    )


def _designs(row: ParsedRow) -> bool:
    """Whether an outcome metric's text names an evaluation design (the rows the evidence
    step reads of the file)."""
    return any(
        evidence_interchange.metric_design(str(row.values.get(column) or ""))
        for column in ("validation_method", "definition")
    )


# Of the files the evidence step reads again, what it reads of which rows.
LATER = {
    "projects.csv": (list(evidence_interchange.SECTION_COLUMNS), None),
    "projects_outcome_metrics.csv": (
        ["validation_method", "definition", "local_id", "sources"],
        _designs,
    ),
    "projects_results.csv": (
        ["evaluation_documents", "outcome_metric_ref"],
        lambda row: bool(row.values.get("evaluation_documents")),
    ),
}


def _citations(file: str, rows: Iterable[ParsedRow]) -> list[evidence_interchange.Citation]:
    """The file's rows as citations, each keeping of its row only what the works read."""
    found = []
    for row in rows:
        citation = evidence_interchange.read_citation(file, row)
        citation.row = _slim(row, ["local_id"])
        found.append(citation)
    return found


def _apply(
    checked: Checked,
    ctx: ApplyContext,
    report: Report,
    say: Progress,
    present: set[str],
) -> evidence_interchange.WorksReport:
    """Apply the files ``present`` (all of them unless the snapshot is partial), each a
    batch of rows at a time: a file that is not there leaves its records and rows as they
    are. Of the files the evidence step reads again only what it reads is kept."""

    def step(message: str) -> None:
        say(f"{message} ({time.monotonic() - begun:.1f}s)")

    begun = time.monotonic()
    later: dict[str, list[ParsedRow]] = {name: [] for name in LATER}
    citations: dict[str, list[evidence_interchange.Citation]] = {}

    def rows(file: str) -> Iterator[ParsedRow]:
        """The file's rows as they are applied, noting what the evidence step reads."""
        keep = LATER.get(file)
        for row in checked.rows[file]:
            if keep is not None and (keep[1] is None or keep[1](row)):
                later[file].append(_slim(row, keep[0]))
            yield row

    # Records GO Lab publishes arrive published; drafts are for records made here.
    published = PublicationStatus.PUBLISHED
    table_of = {table.file: table for table in ALL_TABLES}
    ids = {
        "org": apply_records(
            table_of["organisations.csv"], rows("organisations.csv"), ctx, status=published
        ),
        "fund": apply_records(table_of["funds.csv"], rows("funds.csv"), ctx, status=published),
    }
    for file in ("organisations.csv", "funds.csv"):
        if file in present:
            ctx.withdrawn += withdraw_missing(table_of[file], checked.ids[file], ctx)
    step("organisations and funds")
    projects = apply_records(table_of["projects.csv"], rows("projects.csv"), ctx, status=published)
    if "projects.csv" in present:
        ctx.withdrawn += withdraw_missing(
            table_of["projects.csv"], checked.ids["projects.csv"], ctx
        )
    # Records no other file refers to (pipeline projects).
    for table in CASE_TABLES:
        if table.is_record and table.file not in OWNER_FILES.values():
            apply_records(table, rows(table.file), ctx, status=published)
            if table.file in present:
                ctx.withdrawn += withdraw_missing(table, checked.ids[table.file], ctx)
    step("projects")
    owners = {"project": projects, "organisation": ids["org"], "fund": ids["fund"]}

    def in_scope(table: Table) -> set[str]:
        """The owners whose rows this file states in full: every owner of the owner file,
        or (that file missing from a partial snapshot) those the file has rows for."""
        owner_file = OWNER_FILES[table.parent]
        return checked.ids[owner_file if owner_file in present else table.file]

    for table in CASE_TABLES:
        if table.is_record or table.file not in present:
            continue
        table_rows: Iterable[ParsedRow] = rows(table.file)
        if table.file in evidence_interchange.CITATION_FILES:
            # Citations of organisations and funds: read as the rows are applied.
            mine = citations[table.file] = []

            def cite(source: Iterable[ParsedRow], file: str = table.file, into=mine):
                for row in source:
                    into += _citations(file, [row])
                    yield row

            table_rows = cite(table_rows)
        apply_rows(
            table,
            table_rows,
            ctx,
            owners[table.parent],
            reference_resolver(table, ids),
            owners_in_snapshot=in_scope(table),
        )
    _refresh_statistics()
    step("project components")
    evidence_tables = [t for t in evidence_interchange.TABLES if t.file in present]
    for table in evidence_tables:
        citations[table.file] = _citations(table.file, checked.rows[table.file])
    ordered = [c for file in evidence_interchange.CITATION_FILES for c in citations.get(file, [])]
    slim = {name: ParsedTable(table_of[name], found) for name, found in later.items()}
    works = evidence_interchange.ensure_works(slim, ordered, ctx)
    links = evidence_interchange.project_row_links(ordered)
    for table in evidence_tables:

        def resolve(row, file=table.file):
            return links[(file, row.owner, row.position)]

        apply_rows(
            table,
            checked.rows[table.file],
            ctx,
            projects,
            resolve,
            owners_in_snapshot=in_scope(table),
        )
    evidence_interchange.sync_owner_citations(ordered, ctx)
    evidence_interchange.publish_cited_documents(ctx)
    evidence_interchange.sync_links(ctx)
    if "projects.csv" in present:
        evidence_interchange.sync_citations(slim["projects.csv"], ctx, report)
    step("sources, documents and citations")
    _refresh_statistics()
    # Every project's search and facet columns, 500 projects at a time (bounded memory).
    every = sorted(projects.values())
    for start in range(0, len(every), 500):
        refresh_derived_fields(project_ids=every[start : start + 500])
    refresh_evaluation_flags()
    # All projects, not only the snapshot's: a party it withdrew may be named by any project.
    refresh_party_flags()
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
