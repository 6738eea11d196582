"""The layout of INDIGO files: a ``Table`` per file, a ``Column`` per header, and the ``Kind``
of each column, which reads a cell into model values and writes them back as the cell.

The kinds (instances below; ``tables.py`` uses them):

``PROJECT_ID``/``ORGANISATION_ID``/``FUND_ID``  the record's INDIGO id (required)
``PARENT``      the owning record's INDIGO id (a component row)
``STR``/``TEXT``/``URL``        trimmed text (in a CharField, a TextField, a URL)
``SOURCES``     a list of the project's source ids (``source1,source7``)
``Choice(Enum)`` an INDIGO code list (label or value, any case)
``YES_NO``      YES / NO; ``YES_NO_TITLE`` the same, written ``Yes`` / ``No`` (pipelines)
``DATE``        a partial date; ``DATE_AS_WRITTEN`` (``AsWritten(DATE)``) also keeps a cell that
                is not a date, as written, in the ``<field>_text`` column beside it
``MONEY``       an amount; ``MONEY_AS_WRITTEN`` as above; ``MONEY_EXACT`` (``Exact(MONEY)``)
                must be a number, and keeps the cell when it has more decimals than stored
``INT``         a whole number; ``INT_AS_WRITTEN`` as above
``CURRENCY``    ISO 4217 (spelled-out names are read)
``COUNTRY``     ISO 3166-1 alpha-2; ``COUNTRIES`` a list of them (``KE, TZ, UG``), kept as
                written in ``<field>_text`` when not written as the plain list
``YEAR_IN_TEXT`` text kept as written (``Q2 - 2023 or later``) and the first year in it, in
                ``<field>_year``, for filtering
``LAT``/``LNG`` coordinates
``ORG``/``FUND`` a reference to organisations or funds, kept as given in ``<field>_ref`` and
                linked through the foreign key ``<field>`` when the record exists
``CONTACT``/``PRIVATE``  never stored: personal contact data and internal links

A column may also name its kind as the string it used to be (``"money~"``, ``"choice:Stage"``):
the name is looked up once, when the table is declared.

A header may appear more than once in a file (``pipelines.csv`` has seven ``(Source ID's)``
and seven ``(Notes)``, each belonging to the section before it): the n-th such column of the
table reads the n-th such column of the file (``Column.key`` tells them apart). A column
declared ``optional`` may be missing from a file (an older snapshot): its cells are blank.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.db import models

from cases.indigo.values import (
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
from common.models import (
    CountryField,
    CurrencyField,
    PartialDateField,
    SourceIdsField,
)
from common.partial_dates import parse_partial_date

MAX_CELL = 100_000

Warn = Callable[[str], None]
Get = Callable[[str], Any]
# A model attribute and the field types that may hold it (for the system check).
Expected = tuple[str, tuple[type[models.Field], ...]]


class CellError(ValueError):
    """A cell that cannot be read: the import stops and reports it."""


class Kind:
    """How one kind of cell is read into model values and written back as the cell."""

    name = ""
    # The model field types that can hold the value (checked by cases.checks).
    field_types: tuple[type[models.Field], ...] = ()
    # The value an as-written column keeps when the cell cannot be read.
    unreadable: Any = None

    def parse(self, raw: str, warn: Warn) -> Any:
        raise NotImplementedError

    def read(self, raw: str, warn: Warn) -> Any:
        """The typed value of a cell; raises CellError with the reason."""
        try:
            return self.parse(raw, warn)
        except CellError:
            raise
        except ValueError as exc:
            raise CellError(str(exc)) from None

    def format(self, value: Any) -> str:
        """The cell for a stored value (blank for none)."""
        if value is None or value == "":
            return ""
        return self.format_value(value)

    def format_value(self, value: Any) -> str:
        return str(value)

    # A column of this kind: which model attributes it fills, from a cell and back.

    def model_fields(self, name: str) -> list[str]:
        return [name]

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        return {name: self.read(raw, warn)}

    def cell(self, name: str, get: Get) -> str:
        return self.format(get(name))

    def expected_fields(self, name: str) -> list[Expected]:
        return [(name, self.field_types)]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class RecordId(Kind):
    """The record's own INDIGO id: ``INDIGO-POJ-0001``."""

    field_types = (models.CharField,)

    def __init__(self, name: str, scheme: str) -> None:
        self.name = name
        self.scheme = scheme

    def parse(self, raw: str, warn: Warn) -> str:
        value = parse_indigo_id(raw, self.scheme)
        if not value:
            raise CellError("the INDIGO id is missing")
        return value


class Parent(Kind):
    """The owning record's INDIGO id: the row's owner, not a value of its own."""

    name = "parent"
    field_types = (models.ForeignKey,)

    def parse(self, raw: str, warn: Warn) -> str:
        owner = clean_id(raw)
        if not owner:
            raise CellError("the owner's INDIGO id is missing")
        return owner

    def model_fields(self, name: str) -> list[str]:
        return []

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        return {}


class NotStored(Kind):
    """A column this site never stores: personal contact data, internal links."""

    def __init__(self, name: str) -> None:
        self.name = name

    def model_fields(self, name: str) -> list[str]:
        return []

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        return {}

    def cell(self, name: str, get: Get) -> str:
        return ""

    def expected_fields(self, name: str) -> list[Expected]:
        return []


class Text(Kind):
    def __init__(self, name: str, *field_types: type[models.Field]) -> None:
        self.name = name
        self.field_types = field_types

    def parse(self, raw: str, warn: Warn) -> str:
        return clean_text(raw)


class SourceIds(Kind):
    name = "sources"
    field_types = (SourceIdsField,)

    def parse(self, raw: str, warn: Warn) -> str:
        return ",".join(parse_id_list(raw))


class Choice(Kind):
    """An INDIGO code list: the cell may hold the label or the value, in any case."""

    field_types = (models.CharField,)

    def __init__(self, choices: type[models.TextChoices]) -> None:
        self.choices = choices
        self.name = f"choice:{choices.__name__}"

    def parse(self, raw: str, warn: Warn) -> str:
        text = raw.strip()
        if not text:
            return ""
        folded = " ".join(text.split()).casefold()
        for value, label in self.choices.choices:
            if folded in (str(value).casefold(), str(label).casefold()):
                return value
        allowed = ", ".join(str(label) for label in self.choices.labels)
        raise CellError(f"{text!r} is not a known value (expected one of: {allowed})")

    def format_value(self, value: Any) -> str:
        return str(self.choices(value).label)


class YesNo(Kind):
    name = "yesno"
    field_types = (models.BooleanField,)
    labels = ("YES", "NO")

    def __init__(self, name: str = "", labels: tuple[str, str] | None = None) -> None:
        if name:
            self.name = name
        if labels:
            self.labels = labels

    def parse(self, raw: str, warn: Warn) -> bool | None:
        text = raw.strip()
        folded = text.casefold()
        if not folded:
            return None
        if folded in {"yes", "y", "true", "1"}:
            return True
        if folded in {"no", "n", "false", "0"}:
            return False
        raise CellError(f"{text!r} is not YES or NO")

    def format_value(self, value: Any) -> str:
        return self.labels[0] if value else self.labels[1]


class PartialDate(Kind):
    name = "date"
    field_types = (PartialDateField,)
    unreadable = ""

    def parse(self, raw: str, warn: Warn) -> str:
        parsed = parse_partial_date(raw)
        return parsed.isoformat() if parsed else ""


class Number(Kind):
    """A decimal or whole number, written back without a needless ``.0``."""

    def format_value(self, value: Any) -> str:
        return format_decimal(value if isinstance(value, int) else Decimal(value))


class Money(Number):
    name = "money"
    field_types = (models.DecimalField,)

    def parse(self, raw: str, warn: Warn) -> Decimal | None:
        result = parse_decimal(raw, money=True)
        if result.warning:
            warn(result.warning)
        return result.value


class Integer(Number):
    name = "int"
    field_types = (models.IntegerField,)

    def parse(self, raw: str, warn: Warn) -> int | None:
        result = parse_integer(raw)
        if result.warning:
            warn(result.warning)
        return result.value


class Coordinate(Number):
    field_types = (models.DecimalField,)

    def __init__(self, name: str, limit: int) -> None:
        self.name = name
        self.limit = limit

    def parse(self, raw: str, warn: Warn) -> Decimal | None:
        text = raw.strip()
        if not text:
            return None
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise CellError(f"{text!r} is not a coordinate") from None
        if not value.is_finite() or abs(value) > self.limit:
            raise CellError(f"{text!r} is outside -{self.limit}..{self.limit}")
        return value.quantize(Decimal("0.0000001")).normalize()


class Currency(Kind):
    name = "currency"
    field_types = (CurrencyField,)
    unreadable = ""

    def parse(self, raw: str, warn: Warn) -> str:
        result = parse_currency(raw)
        if result.warning:
            warn(result.warning)
        return result.value


class Country(Kind):
    name = "country"
    field_types = (CountryField,)

    def parse(self, raw: str, warn: Warn) -> str:
        text = raw.strip()
        code = text.upper()
        if code and (len(code) != 2 or not code.isalpha() or not code.isascii()):
            raise CellError(f"{text!r} is not a two-letter ISO 3166 country code")
        return code


class Countries(Kind):
    """Several ISO 3166-1 alpha-2 codes, ``KE, TZ, UG``: stored as ``KE,TZ,UG`` (so a filter
    can find one), written back with INDIGO's ``, ``; a cell written otherwise (another
    separator) is kept as written in ``<field>_text``."""

    name = "countries"
    field_types = (models.CharField, models.TextField)

    def parse(self, raw: str, warn: Warn) -> str:
        codes = []
        for part in re.split(r"[,;\n]+", raw):
            text = part.strip()
            if not text:
                continue
            codes.append(COUNTRY.parse(text, warn))
        return ",".join(dict.fromkeys(codes))

    def format_value(self, value: Any) -> str:
        return ", ".join(str(value).split(","))

    def model_fields(self, name: str) -> list[str]:
        return [name, f"{name}_text"]

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        value = self.read(raw, warn)
        text = clean_text(raw)
        return {name: value, f"{name}_text": "" if text == self.format(value) else text}

    def cell(self, name: str, get: Get) -> str:
        return get(f"{name}_text") or self.format(get(name))

    def expected_fields(self, name: str) -> list[Expected]:
        return [(name, self.field_types), (f"{name}_text", (models.TextField,))]


_YEAR = re.compile(r"(?<!\d)(19\d\d|2[01]\d\d)(?!\d)")


def first_year(text: str) -> int | None:
    """The first plausible year written in a text (``Q2 - 2023 or later`` → 2023)."""
    found = _YEAR.search(text or "")
    return int(found.group(1)) if found else None


class YearInText(Kind):
    """Text kept as written (``Q2 - 2023 or later``, ``TBD``), and the first year in it in
    ``<field>_year`` (derived, for filters and facets; blank when it names none)."""

    name = "year-in-text"
    field_types = (models.CharField,)

    def parse(self, raw: str, warn: Warn) -> str:
        return clean_text(raw)

    def model_fields(self, name: str) -> list[str]:
        return [name, f"{name}_year"]

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        text = self.read(raw, warn)
        return {name: text, f"{name}_year": first_year(text)}

    def expected_fields(self, name: str) -> list[Expected]:
        return [(name, self.field_types), (f"{name}_year", (models.IntegerField,))]


class Reference(Kind):
    """Ids of organisations or funds: kept as given in ``<field>_ref`` (a list, in the order
    given), and linked through the foreign key ``<field>`` to the first that exists."""

    def __init__(self, name: str, scheme: str, target_model: str, target_file: str) -> None:
        self.name = name
        self.scheme = scheme
        self.target_model = target_model
        self.target_file = target_file

    def parse(self, raw: str, warn: Warn) -> str:
        ids = parse_id_list(raw)
        for value in ids:
            if not INDIGO_ID.match(value) or value.split("-")[1] != self.scheme:
                raise CellError(f"{value!r} is not an INDIGO-{self.scheme}-NNNN identifier")
        return ",".join(ids)

    def model_fields(self, name: str) -> list[str]:
        return [f"{name}_ref"]

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        return {f"{name}_ref": self.read(raw, warn)}

    def cell(self, name: str, get: Get) -> str:
        return get(f"{name}_ref") or ""

    def expected_fields(self, name: str) -> list[Expected]:
        return [(f"{name}_ref", (models.CharField,)), (name, (models.ForeignKey,))]


class AsWritten(Kind):
    """A typed value that also keeps a cell which is not a plain value, as written, in
    ``<field>_text`` (blank when the typed value says it all). Such a cell is never an
    error; a cell that cannot be read at all keeps no value, only the text, with a warning."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.name = f"{kind.name}~"
        self.field_types = kind.field_types

    def parse(self, raw: str, warn: Warn) -> Any:
        return self.kind.parse(raw, warn)

    def format(self, value: Any) -> str:
        return self.kind.format(value)

    def model_fields(self, name: str) -> list[str]:
        return [name, f"{name}_text"]

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        text = clean_text(raw)
        try:
            # Quirks are not warned about: the cell as written is kept.
            value = self.kind.read(raw, warn=lambda _message: None)
        except CellError as exc:
            warn(f"kept as text: {exc}")
            return {name: self.kind.unreadable, f"{name}_text": text}
        plain = self.kind.format(value)
        return {name: value, f"{name}_text": "" if text == plain else text}

    def cell(self, name: str, get: Get) -> str:
        return get(f"{name}_text") or self.kind.format(get(name))

    def expected_fields(self, name: str) -> list[Expected]:
        # An AsWrittenField in cases; any text column holds the cell as written.
        return [*self.kind.expected_fields(name), (f"{name}_text", (models.TextField,))]


class Exact(AsWritten):
    """A value that must be readable (anything else is an error, as for the plain kind),
    whose cell is also kept as written when the stored value cannot say it exactly: an
    amount with more than 4 decimals (``1245496.654657746``), so the export gives it back."""

    def __init__(self, kind: Kind) -> None:
        super().__init__(kind)
        self.name = f"{kind.name}="

    def values(self, name: str, raw: str, warn: Warn) -> dict[str, Any]:
        value = self.kind.read(raw, warn)
        text = clean_text(raw)
        plain = self.kind.format(value)
        return {name: value, f"{name}_text": text if value is not None and text != plain else ""}


PROJECT_ID = RecordId("pojid", "POJ")
ORGANISATION_ID = RecordId("orgid", "ORG")
FUND_ID = RecordId("fundid", "FUND")
PIPELINE_ID = RecordId("plid", "PL")
PARENT = Parent()
STR = Text("str", models.CharField)
TEXT = Text("text", models.TextField)
URL = Text("url", models.TextField)
SOURCES = SourceIds()
YES_NO = YesNo()
YES_NO_TITLE = YesNo("yesno:title", ("Yes", "No"))
COUNTRIES = Countries()
YEAR_IN_TEXT = YearInText()
DATE = PartialDate()
MONEY = Money()
INT = Integer()
CURRENCY = Currency()
COUNTRY = Country()
LAT = Coordinate("lat", 90)
LNG = Coordinate("lng", 180)
ORG = Reference("org", "ORG", "cases.Organisation", "organisations.csv")
FUND = Reference("fund", "FUND", "cases.OutcomeFund", "funds.csv")
CONTACT = NotStored("contact")
PRIVATE = NotStored("private")
DATE_AS_WRITTEN = AsWritten(DATE)
MONEY_AS_WRITTEN = AsWritten(MONEY)
MONEY_EXACT = Exact(MONEY)
INT_AS_WRITTEN = AsWritten(INT)
YES_NO_TITLE_AS_WRITTEN = AsWritten(YES_NO_TITLE)
CURRENCY_AS_WRITTEN = AsWritten(CURRENCY)

KINDS_BY_NAME: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        PROJECT_ID,
        ORGANISATION_ID,
        FUND_ID,
        PIPELINE_ID,
        PARENT,
        STR,
        TEXT,
        URL,
        SOURCES,
        YES_NO,
        YES_NO_TITLE,
        COUNTRIES,
        YEAR_IN_TEXT,
        DATE,
        MONEY,
        INT,
        CURRENCY,
        COUNTRY,
        LAT,
        LNG,
        ORG,
        FUND,
        CONTACT,
        PRIVATE,
    ]
}


def kind_named(name: str) -> Kind:
    """The kind a column used to name as a string: ``"money~"``, ``"choice:Stage"``."""
    if name.endswith("~"):
        return AsWritten(kind_named(name[:-1]))
    if name.startswith("choice:"):
        from cases import models as case_models

        return Choice(getattr(case_models, name.split(":", 1)[1]))
    try:
        return KINDS_BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown column kind {name!r}") from None


# ---------------------------------------------------------------------------------------------
# Columns and tables


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind
    # May be missing from a file (a column INDIGO added later): its cells are then blank.
    optional: bool = False
    # Tells apart columns of one table that share a header: the header, and for its n-th
    # use (n > 1) ``header #n``. Set by the table.
    key: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.kind, str):
            object.__setattr__(self, "kind", kind_named(self.kind))
        if not self.key:
            object.__setattr__(self, "key", self.header)

    @property
    def stored(self) -> bool:
        return not isinstance(self.kind, NotStored)

    @property
    def is_id(self) -> bool:
        return isinstance(self.kind, RecordId)

    @property
    def is_parent(self) -> bool:
        return isinstance(self.kind, Parent)

    @property
    def reference(self) -> Reference | None:
        return self.kind if isinstance(self.kind, Reference) else None

    def model_fields(self) -> list[str]:
        """The model attributes this column writes."""
        return self.kind.model_fields(self.field)

    def read(self, raw: str, warn: Warn) -> dict[str, Any]:
        """The model values for one cell; raises CellError with the reason."""
        if len(raw) > MAX_CELL:
            raise CellError(f"cell is longer than {MAX_CELL:,} characters")
        if "\x00" in raw:
            raise CellError("cell contains a NUL character")
        return self.kind.values(self.field, raw, warn)

    def write(self, get: Get) -> str:
        """The cell text for a record (``get`` reads a model attribute)."""
        return self.kind.cell(self.field, get)


def header_keys(headers: list[str]) -> list[str]:
    """A key for each header: the header itself, and ``header #n`` for its n-th use (n > 1)."""
    seen: Counter[str] = Counter()
    keys = []
    for header in headers:
        seen[header] += 1
        keys.append(header if seen[header] == 1 else f"{header} #{seen[header]}")
    return keys


@dataclass(frozen=True)
class Table:
    file: str
    model_label: str
    parent: str  # "-" for records with their own INDIGO id, else the owner's kind
    columns: list[Column] = field(default_factory=list)

    def __init__(
        self,
        file: str,
        model_label: str,
        parent: str,
        # (header, field, kind) or (header, field, kind, optional)
        columns: Iterable[tuple[str, str, Any] | tuple[str, str, Any, bool]],
    ) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "model_label", model_label)
        object.__setattr__(self, "parent", parent)
        made = [Column(*c) for c in columns]
        for column, key in zip(made, header_keys([c.header for c in made]), strict=True):
            object.__setattr__(column, "key", key)
        object.__setattr__(self, "columns", made)

    @property
    def model(self) -> Any:
        """The model class, looked up by label at run time: typed ``Any`` because what the
        import uses of it (its manager's ``published()``, ``parent_field``, the columns'
        fields) is checked by the layout's system check (``cases.checks``), not by mypy."""
        return apps.get_model(self.model_label)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def key_column(self) -> Column:
        return next(c for c in self.columns if c.is_id or c.is_parent)

    @property
    def is_record(self) -> bool:
        return self.parent == "-"

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def label(self, column: Column) -> str:
        """The column as a problem report names it: its header, and for a header the file
        uses more than once, its place and the section it belongs to (the section of the
        last column before it with a header of its own)."""
        if column.key == column.header:
            return column.header
        index = self.columns.index(column)
        before = [c.header for c in self.columns[:index] if " - " in c.header]
        section = before[-1].split(" - ")[0] if before else ""
        return f"{column.header} (column {index + 1}: {section})"

    def stored_columns(self) -> list[Column]:
        """The columns that hold the record's own data (not its id, owner or private data)."""
        return [c for c in self.columns if c.stored and not c.is_id and not c.is_parent]

    def write_row(self, get: Get, owner_id: str = "") -> list[str]:
        cells = []
        for column in self.columns:
            if column.is_id:
                cells.append(get("indigo_id"))
            elif column.is_parent:
                cells.append(owner_id)
            else:
                cells.append(column.write(get))
        return cells
