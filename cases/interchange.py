"""INDIGO interchange: the table layout of INDIGO CSV files and how each cell maps to a model.

One declaration per file (``TABLES``) drives both directions: reading a snapshot into typed
values (with every problem located as file, row and column) and writing the same files back.
Kinds of column:

``pojid``/``orgid``/``fundid``  the record's INDIGO id (required)
``parent``      the owning record's INDIGO id (a component row)
``str``/``text``/``url``        trimmed text
``sources``     a list of the project's source ids (``source1,source7``)
``choice:Enum`` an INDIGO code list (label or value, any case)
``yesno``       YES / NO
``date``        a partial date; ``date~`` also keeps a cell that is not a date, as written
``money``       an amount; ``money~`` also keeps a cell that is not a number, as written
``int``         a whole number; ``int~`` as above
``currency``    ISO 4217 (spelled-out names are read)
``country``     ISO 3166-1 alpha-2
``lat``/``lng`` coordinates
``org``/``fund`` a reference to organisations or funds (kept as given, linked when found)
``contact``/``private``  never stored: personal contact data and internal links
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

from cases import models as case_models
from cases.values import (
    INDIGO_ID,
    clean_id,
    clean_text,
    format_decimal,
    parse_currency,
    parse_decimal,
    parse_id_list,
    parse_indigo_id,
    parse_integer,
)
from common.partial_dates import parse_partial_date

NOT_STORED = {"contact", "private"}
ID_KINDS = {"pojid": "POJ", "orgid": "ORG", "fundid": "FUND"}
MAX_CELL = 100_000


class CellError(ValueError):
    """A cell that cannot be read: the import stops and reports it."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str

    @property
    def stored(self) -> bool:
        return self.kind not in NOT_STORED

    @property
    def lenient(self) -> bool:
        return self.kind.endswith("~")

    @property
    def base_kind(self) -> str:
        return self.kind.rstrip("~")

    def model_fields(self) -> list[str]:
        """The model attributes this column writes."""
        if not self.stored:
            return []
        if self.kind == "parent":
            return []
        if self.kind in {"org", "fund"}:
            return [f"{self.field}_ref"]
        if self.lenient:
            return [self.field, f"{self.field}_text"]
        return [self.field]

    # -- reading ---------------------------------------------------------------------------

    def read(self, raw: str, warn: Callable[[str], None]) -> dict[str, Any]:
        """The model values for one cell; raises CellError with the reason."""
        if len(raw) > MAX_CELL:
            raise CellError(f"cell is longer than {MAX_CELL:,} characters")
        if "\x00" in raw:
            raise CellError("cell contains a NUL character")
        kind = self.base_kind
        if not self.stored or kind == "parent":
            return {}
        if kind in {"org", "fund"}:
            return {f"{self.field}_ref": self._read_strict(kind, raw, warn)}
        if not self.lenient:
            return {self.field: self._read_strict(kind, raw, warn)}
        text = clean_text(raw)
        try:
            value = self._read_strict(kind, raw, warn=lambda _message: None)
        except CellError as exc:
            warn(f"kept as text: {exc}")
            return {self.field: "" if kind == "date" else None, f"{self.field}_text": text}
        plain = self._format_value(kind, value)
        return {self.field: value, f"{self.field}_text": "" if text == plain else text}

    def _read_strict(self, kind: str, raw: str, warn: Callable[[str], None]) -> Any:
        text = raw.strip()
        try:
            if kind in ID_KINDS:
                value = parse_indigo_id(raw, ID_KINDS[kind])
                if not value:
                    raise CellError("the INDIGO id is missing")
                return value
            if kind in {"str", "text", "url"}:
                return clean_text(raw)
            if kind == "sources":
                return ",".join(parse_id_list(raw))
            if kind.startswith("choice:"):
                return _read_choice(kind.split(":", 1)[1], text)
            if kind == "yesno":
                return _read_yes_no(text)
            if kind == "date":
                parsed = parse_partial_date(raw)
                return parsed.isoformat() if parsed else ""
            if kind == "money":
                result = parse_decimal(raw, money=True)
                if result.warning:
                    warn(result.warning)
                return result.value
            if kind == "int":
                result = parse_integer(raw)
                if result.warning:
                    warn(result.warning)
                return result.value
            if kind == "currency":
                result = parse_currency(raw)
                if result.warning:
                    warn(result.warning)
                return result.value
            if kind == "country":
                code = text.upper()
                if code and (len(code) != 2 or not code.isalpha() or not code.isascii()):
                    raise CellError(f"{text!r} is not a two-letter ISO 3166 country code")
                return code
            if kind in {"lat", "lng"}:
                return _read_coordinate(kind, text)
            if kind in {"org", "fund"}:
                ids = parse_id_list(raw)
                prefix = "ORG" if kind == "org" else "FUND"
                for value in ids:
                    if not INDIGO_ID.match(value) or value.split("-")[1] != prefix:
                        raise CellError(f"{value!r} is not an INDIGO-{prefix}-NNNN identifier")
                return ",".join(ids)
        except CellError:
            raise
        except ValueError as exc:
            raise CellError(str(exc)) from None
        raise AssertionError(f"unknown column kind {kind}")

    # -- writing ---------------------------------------------------------------------------

    def write(self, get: Callable[[str], Any]) -> str:
        """The cell text for a record (``get`` reads a model attribute)."""
        if not self.stored:
            return ""
        kind = self.base_kind
        if kind in {"org", "fund"}:
            return get(f"{self.field}_ref") or ""
        if self.lenient:
            text = get(f"{self.field}_text")
            if text:
                return text
        return self._format_value(kind, get(self.field))

    def _format_value(self, kind: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        if kind.startswith("choice:"):
            return str(_choices(kind.split(":", 1)[1])(value).label)
        if kind == "yesno":
            return "YES" if value else "NO"
        if kind in {"money", "int", "lat", "lng"}:
            return format_decimal(value if isinstance(value, int) else Decimal(value))
        return str(value)


@dataclass(frozen=True)
class Table:
    file: str
    model_label: str
    parent: str  # "-" for records with their own INDIGO id, else the owner's kind
    columns: list[Column] = field(default_factory=list)

    def __init__(self, file: str, model_label: str, parent: str, columns: Iterable[tuple]):
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "model_label", model_label)
        object.__setattr__(self, "parent", parent)
        object.__setattr__(self, "columns", [Column(*c) for c in columns])

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def key_column(self) -> Column:
        return next(c for c in self.columns if c.kind in ID_KINDS or c.kind == "parent")

    @property
    def is_record(self) -> bool:
        return self.parent == "-"

    def stored_columns(self) -> list[Column]:
        return [
            c for c in self.columns if c.stored and c.kind not in ID_KINDS and c.kind != "parent"
        ]

    def write_row(self, get: Callable[[str], Any], owner_id: str = "") -> list[str]:
        cells = []
        for column in self.columns:
            if column.kind in ID_KINDS:
                cells.append(get("indigo_id"))
            elif column.kind == "parent":
                cells.append(owner_id)
            else:
                cells.append(column.write(get))
        return cells


def _choices(name: str) -> type[models.TextChoices]:
    return getattr(case_models, name)


def _read_choice(name: str, text: str) -> str:
    if not text:
        return ""
    enum = _choices(name)
    folded = " ".join(text.split()).casefold()
    for value, label in enum.choices:
        if folded in (str(value).casefold(), str(label).casefold()):
            return value
    allowed = ", ".join(str(label) for label in enum.labels)
    raise CellError(f"{text!r} is not a known value (expected one of: {allowed})")


def _read_yes_no(text: str) -> bool | None:
    folded = text.casefold()
    if not folded:
        return None
    if folded in {"yes", "y", "true", "1"}:
        return True
    if folded in {"no", "n", "false", "0"}:
        return False
    raise CellError(f"{text!r} is not YES or NO")


def _read_coordinate(kind: str, text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise CellError(f"{text!r} is not a coordinate") from None
    limit = 90 if kind == "lat" else 180
    if not value.is_finite() or abs(value) > limit:
        raise CellError(f"{text!r} is outside -{limit}..{limit}")
    return value.quantize(Decimal("0.0000001")).normalize()


# ---------------------------------------------------------------------------------------------
# Reading snapshot files


@dataclass
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class Snapshot:
    """The CSV files of an INDIGO snapshot, from a folder or a ``.zip``, read into memory."""

    MAX_FILE = 50 * 1024 * 1024
    MAX_TOTAL = 500 * 1024 * 1024

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.texts: dict[str, str] = {}
        self.problems: list[Problem] = []
        # Columns a file has that its INDIGO table does not: ignored, and named in the summary.
        self.unknown_columns: dict[str, list[str]] = {}
        self._load()

    @property
    def name(self) -> str:
        return self.path.name

    def _load(self) -> None:
        if self.path.is_dir():
            for child in sorted(self.path.glob("*.csv")):
                if child.stat().st_size > self.MAX_FILE:
                    self.problems.append(Problem(child.name, 0, "-", "file is larger than 50 MB"))
                    continue
                self._decode(child.name, child.read_bytes())
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            self._load_zip()
        else:
            self.problems.append(
                Problem(
                    str(self.path), 0, "-", "not a folder of INDIGO CSV files or a .zip of them"
                )
            )
            return
        if not self.texts and not self.problems:
            self.problems.append(Problem(self.name, 0, "-", "holds no CSV files"))

    def _load_zip(self) -> None:
        """Read the CSVs of a .zip. A damaged archive (truncated, a bad CRC, an unknown
        compression, encrypted) is a problem to report, never a traceback."""
        name = self.name
        try:
            with zipfile.ZipFile(self.path) as archive:
                total = 0
                for info in archive.infolist():
                    name = Path(info.filename).name
                    if info.is_dir() or not name.endswith(".csv") or name.startswith("."):
                        continue
                    total += info.file_size
                    if info.file_size > self.MAX_FILE or total > self.MAX_TOTAL:
                        self.problems.append(Problem(name, 0, "-", "uncompressed size too large"))
                        return
                    self._decode(name, archive.read(info))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            self.texts.clear()
            self.problems.append(
                Problem(name, 0, "-", f"the .zip is damaged or unreadable ({exc})")
            )
        except NotImplementedError as exc:
            self.texts.clear()
            self.problems.append(Problem(name, 0, "-", f"the .zip cannot be read here ({exc})"))

    def _decode(self, name: str, data: bytes) -> None:
        try:
            self.texts[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problems.append(Problem(name, 0, "-", f"not UTF-8 text (byte {exc.start})"))

    def rows(self, table: Table) -> Iterable[tuple[int, dict[str, str]]]:
        """Yield (row number, cells) with the header as row 1; report layout problems."""
        text = self.texts.get(table.file)
        if text is None:
            return
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            self.problems.append(Problem(table.file, 1, "-", "file is empty (no header row)"))
            return
        except csv.Error as exc:
            self.problems.append(Problem(table.file, 1, "-", f"not valid CSV: {exc}"))
            return
        known = set(table.headers)
        extra = [h for h in header if h and h not in known]
        if extra:
            self.unknown_columns[table.file] = extra
        missing = [h for h in table.headers if h not in header]
        for name in missing:
            self.problems.append(Problem(table.file, 1, name, "column is missing"))
        if missing:
            return
        try:
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    self.problems.append(
                        Problem(
                            table.file,
                            number,
                            "-",
                            f"has {len(cells)} cells, header has {len(header)}",
                        )
                    )
                    continue
                yield number, dict(zip(header, cells, strict=True))
        except csv.Error as exc:
            self.problems.append(Problem(table.file, reader.line_num, "-", f"not valid CSV: {exc}"))


# ---------------------------------------------------------------------------------------------
# Parsing a snapshot into rows of model values


@dataclass
class ParsedRow:
    row: int  # row number in the file (header = 1)
    owner: str  # the record's own INDIGO id, or its owner's
    values: dict[str, Any]  # model attribute -> value
    cells: dict[str, str]  # column field -> cell as export writes it (the import baseline)
    position: int = 0


@dataclass
class ParsedTable:
    table: Table
    rows: list[ParsedRow]
    # Ids of rows that had an error: already reported, so not reported again as unknown.
    failed: set[str] = field(default_factory=set)


@dataclass
class Report:
    """Everything an import found: errors stop it, warnings do not."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def parse_table(snapshot: Snapshot, table: Table, report: Report) -> ParsedTable:
    parsed: list[ParsedRow] = []
    seen: dict[str, int] = {}
    positions: dict[str, int] = {}
    failed: set[str] = set()
    limits = {
        f.attname: f.max_length
        for f in table.model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length
    }
    stored = [
        c for c in table.columns if c.stored and c.kind not in ID_KINDS and c.kind != "parent"
    ]
    for number, cells in snapshot.rows(table):
        values: dict[str, Any] = {}
        owner = ""
        ok = True
        for column in table.columns:
            raw = cells[column.header]

            def warn(message: str, column: Column = column, number: int = number) -> None:
                report.warnings.append(Problem(table.file, number, column.header, message))

            try:
                if column.kind in ID_KINDS:
                    owner = column._read_strict(column.kind, raw, warn)
                    values["indigo_id"] = owner
                elif column.kind == "parent":
                    owner = clean_id(raw)
                    if not owner:
                        raise CellError("the owner's INDIGO id is missing")
                else:
                    values.update(column.read(raw, warn))
            except CellError as exc:
                report.errors.append(Problem(table.file, number, column.header, str(exc)))
                ok = False
        for column in stored:
            for attr in column.model_fields():
                limit = limits.get(attr)
                if limit and isinstance(values.get(attr), str) and len(values[attr]) > limit:
                    report.errors.append(
                        Problem(
                            table.file, number, column.header, f"longer than {limit} characters"
                        )
                    )
                    ok = False
        if not ok:
            failed.add(owner)
            continue
        if table.is_record:
            if owner in seen:
                report.errors.append(
                    Problem(
                        table.file,
                        number,
                        table.key_column.header,
                        f"{owner} appears twice (also row {seen[owner]})",
                    )
                )
                continue
            seen[owner] = number
        position = positions.get(owner, 0)
        positions[owner] = position + 1
        row_cells = {c.field: c.write(values.get) for c in stored}
        parsed.append(ParsedRow(number, owner, values, row_cells, position))
    return ParsedTable(table, parsed, failed)


# ---------------------------------------------------------------------------------------------
# Applying parsed rows to the database


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    deleted: int = 0

    def changes(self) -> int:
        return self.created + self.updated + self.withdrawn + self.deleted

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "deleted": self.deleted,
        }


@dataclass
class Conflict:
    file: str
    key: str
    column: str
    kept: str
    incoming: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.column}: kept the curator's value {self.kept!r}; "
            f"the snapshot has {self.incoming!r}"
        )


@dataclass
class Merge:
    changed: list[str] = field(default_factory=list)
    baseline_changed: bool = False


def merge_row(
    obj: models.Model, row: ParsedRow, table: Table, conflicts: list[Conflict], key: str
) -> Merge:
    """Bring ``obj`` up to date with ``row`` without overwriting a curator's edit.

    Per column: the value the last import wrote is the baseline. A current value that still
    equals the baseline takes the snapshot's value; one that differs was changed by a curator
    and is kept (a conflict, if the snapshot changed it too).
    """
    merge = Merge()
    baseline = obj.import_baseline or {}
    for column in table.stored_columns():
        incoming = row.cells[column.field]
        current = column.write(lambda attr: getattr(obj, attr))
        if current == incoming:
            continue
        base = baseline.get(column.field, current)
        if current != base:
            if incoming != base:
                conflicts.append(Conflict(table.file, key, column.header, current, incoming))
            continue
        for attr in column.model_fields():
            setattr(obj, attr, row.values[attr])
            merge.changed.append(attr)
    new_baseline = {**row.cells, **{k: v for k, v in baseline.items() if k.startswith("_")}}
    if new_baseline != baseline:
        obj.import_baseline = new_baseline
        merge.baseline_changed = True
    return merge


def new_object(table: Table, row: ParsedRow, **extra: Any) -> models.Model:
    obj = table.model(**row.values, **extra)
    obj.import_baseline = dict(row.cells)
    return obj


def model_attrs(table: Table) -> list[str]:
    attrs = [attr for c in table.stored_columns() for attr in c.model_fields()]
    return [*attrs, "import_baseline"]


@dataclass
class ApplyContext:
    """What every table's apply step shares: where to count and how to label history."""

    counts: dict[str, Counts]
    conflicts: list[Conflict]
    change_reason: str
    batch_size: int = 500
    withdrawn: list[str] = field(default_factory=list)
    withdrawn_documents: list[str] = field(default_factory=list)


def apply_records(parsed: ParsedTable, ctx: ApplyContext, **on_create: Any) -> dict[str, int]:
    """Create or update records that have their own INDIGO id; return id -> pk for all of
    them (those in the file and those already stored)."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    table = parsed.table
    model = table.model
    counts = ctx.counts.setdefault(table.file, Counts())
    existing = {obj.indigo_id: obj for obj in model.objects.all()}
    to_create, to_update, update_fields = [], [], set()
    for row in parsed.rows:
        obj = existing.get(row.owner)
        if obj is None:
            to_create.append(new_object(table, row, **on_create))
            counts.created += 1
            continue
        merge = merge_row(obj, row, table, ctx.conflicts, row.owner)
        revived = _revive(obj)
        if merge.changed or revived:
            counts.updated += 1
        else:
            counts.unchanged += 1
        if merge.changed or merge.baseline_changed or revived:
            to_update.append(obj)
            update_fields.update(merge.changed)
            update_fields.add("import_baseline")
            if revived:
                update_fields.add("status")
    if to_create:
        bulk_create_with_history(
            to_create, model, batch_size=ctx.batch_size, default_change_reason=ctx.change_reason
        )
    if to_update:
        if hasattr(model, "updated_at"):
            update_fields.add("updated_at")
            from django.utils import timezone

            now = timezone.now()
            for obj in to_update:
                obj.updated_at = now
        bulk_update_with_history(
            to_update,
            model,
            sorted(update_fields),
            batch_size=ctx.batch_size,
            default_change_reason=ctx.change_reason,
        )
    return dict(model.objects.values_list("indigo_id", "pk"))


def _revive(obj: models.Model) -> bool:
    """A project that an earlier import withdrew and the source publishes again."""
    if getattr(obj, "status", None) == case_models.PublicationStatus.WITHDRAWN and (
        obj.import_baseline or {}
    ).get("_withdrawn_by_import"):
        obj.status = case_models.PublicationStatus.PUBLISHED
        obj.import_baseline = {
            k: v for k, v in obj.import_baseline.items() if k != "_withdrawn_by_import"
        }
        return True
    return False


def withdraw_missing(parsed: ParsedTable, ctx: ApplyContext) -> list[str]:
    """Records an earlier import brought in that the snapshot no longer has were made private
    at the source: withdraw them (kept, with their history), never delete."""
    from simple_history.utils import bulk_update_with_history

    model = parsed.table.model
    counts = ctx.counts.setdefault(parsed.table.file, Counts())
    present = {row.owner for row in parsed.rows}
    gone = [
        record
        for record in model.objects.exclude(import_baseline={}).exclude(
            status=case_models.PublicationStatus.WITHDRAWN
        )
        if record.indigo_id not in present
    ]
    for record in gone:
        record.status = case_models.PublicationStatus.WITHDRAWN
        record.import_baseline = {**record.import_baseline, "_withdrawn_by_import": True}
    if gone:
        bulk_update_with_history(
            gone,
            model,
            ["status", "import_baseline"],
            default_change_reason=f"{ctx.change_reason}: no longer in the snapshot",
        )
    counts.withdrawn += len(gone)
    return sorted(record.indigo_id for record in gone)


Resolver = Callable[[ParsedRow], dict[str, Any]]


def apply_rows(
    parsed: ParsedTable,
    ctx: ApplyContext,
    owner_pks: dict[str, int],
    resolve: Resolver | None = None,
    *,
    owners_in_snapshot: set[str],
) -> None:
    """Create, update or delete component rows, matched to stored ones by owner and position.

    ``resolve`` gives derived attributes (links to organisations, funds, documents) that are
    kept current but are not curator-editable data of their own. Rows of owners that are not
    in the snapshot (withdrawn ones) are left alone."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    table = parsed.table
    model = table.model
    parent_attr = f"{model.parent_field}_id"
    counts = ctx.counts.setdefault(table.file, Counts())
    # Every owner the snapshot has is in scope, also those that have no rows here any more.
    owners_in_file = {owner_pks[owner] for owner in owners_in_snapshot}
    stored = {
        (getattr(obj, parent_attr), obj.position): obj
        for obj in model.objects.filter(**{f"{parent_attr}__in": owners_in_file})
    }
    to_create, to_update, update_fields = [], [], set()
    for row in parsed.rows:
        owner_pk = owner_pks[row.owner]
        derived = resolve(row) if resolve else {}
        obj = stored.pop((owner_pk, row.position), None)
        if obj is None:
            to_create.append(
                new_object(
                    table, row, **{parent_attr: owner_pk, "position": row.position}, **derived
                )
            )
            counts.created += 1
            continue
        merge = merge_row(obj, row, table, ctx.conflicts, f"{row.owner} row {row.position + 1}")
        relinked = [attr for attr, value in derived.items() if getattr(obj, attr) != value]
        for attr in relinked:
            setattr(obj, attr, derived[attr])
        if merge.changed or relinked:
            counts.updated += 1
        else:
            counts.unchanged += 1
        if merge.changed or merge.baseline_changed or relinked:
            to_update.append(obj)
            update_fields.update(merge.changed, relinked, {"import_baseline"})
    # Rows the owner no longer has in the snapshot: gone from the source.
    for obj in stored.values():
        obj._change_reason = ctx.change_reason
        obj.delete()
        counts.deleted += 1
    if to_create:
        bulk_create_with_history(
            to_create, model, batch_size=ctx.batch_size, default_change_reason=ctx.change_reason
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            model,
            sorted(update_fields),
            batch_size=ctx.batch_size,
            default_change_reason=ctx.change_reason,
        )


def reference_resolver(table: Table, ids: dict[str, dict[str, int]]) -> Resolver | None:
    """Link ``org``/``fund`` columns to the first referenced record that exists."""
    refs = [c for c in table.columns if c.kind in {"org", "fund"}]
    if not refs:
        return None

    def resolve(row: ParsedRow) -> dict[str, Any]:
        derived = {}
        for column in refs:
            known = ids["org" if column.kind == "org" else "fund"]
            pk = None
            for ref in filter(None, row.values[f"{column.field}_ref"].split(",")):
                if ref in known:
                    pk = known[ref]
                    break
            derived[f"{column.field}_id"] = pk
        return derived

    return resolve


def missing_references(parsed: ParsedTable, known: dict[str, set[str]], report: Report) -> None:
    """Warn (once per id and file) about organisations or funds the files do not contain."""
    warned: set[str] = set()
    for column in parsed.table.columns:
        if column.kind not in {"org", "fund"}:
            continue
        target = "organisations" if column.kind == "org" else "funds"
        for row in parsed.rows:
            for ref in filter(None, row.values[f"{column.field}_ref"].split(",")):
                if ref not in known[column.kind] and ref not in warned:
                    warned.add(ref)
                    report.warnings.append(
                        Problem(
                            parsed.table.file,
                            row.row,
                            column.header,
                            f"{ref} is not in {target}.csv; the reference is kept",
                        )
                    )


# ---------------------------------------------------------------------------------------------
# Writing a snapshot


def write_table(table: Table, rows: Iterable[tuple[str, models.Model]], out: io.TextIOBase) -> int:
    """Write ``(owner id, record)`` pairs as the table's CSV; return the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    count = 0
    for owner_id, obj in rows:
        writer.writerow(table.write_row(lambda attr, obj=obj: getattr(obj, attr), owner_id))
        count += 1
    return count
