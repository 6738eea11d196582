"""Faceted search, declared: filters that know how they show (widget and chip), sorts, and
facets whose counts are computed in as few queries as the filters allow.

A list page (and the API, downloads and insights that share its parameters) declares a
``FacetedFilterSet`` subclass: its filters, its ``sorts``, its full-text ``search_index``
and its ``facets``. ``count_facets()`` then gives each facet its counts under every *other*
active filter (choosing a value gives as many results as its count said). Facets on the
list's own columns and those in joined tables say their counts as grouped queries
("parts", each with its own WHERE: a facet ignores its own filter), and all of them run as
one UNION ALL statement; a long facet keeps only its most frequent values there (and says
how many there were), and ``facet_values()`` lists them all for the facet's own page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections
from django.db.models import Case, CharField, Count, F, Max, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django_filters.constants import EMPTY_VALUES

from common.cache import cached
from common.search import FullTextIndex

NOT_RECORDED = "none"
MAX_VALUES = 30  # values of one parameter


class Kind(StrEnum):
    """How a filter is shown: its widget, and how its value reads in a chip."""

    CHOICES = "choices"  # check boxes, several values
    YES_NO = "yes-no"  # radio buttons: any, yes, no
    YEAR = "year"  # a whole year, no thousands separator
    AMOUNT = "amount"  # money: thousands separators, no decimals
    COUNT = "count"  # people or things: thousands separators
    FLAG = "flag"  # one check box ("not recorded")
    TEXT = "text"


# ---------------------------------------------------------------------------------------------
# Filters


class CodeListField(forms.MultipleChoiceField):
    """Several values of one parameter (``?country=GB&country=FR``), each checked by a
    pattern or a fixed list, at most ``MAX_VALUES`` of them."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, pattern: re.Pattern[str] | None = None, **kwargs: Any) -> None:
        self.pattern = pattern
        super().__init__(**kwargs)

    def valid_value(self, value: str) -> bool:
        if self.pattern is not None:
            return bool(self.pattern.match(value)) or value == NOT_RECORDED
        return super().valid_value(value)

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if len(value) > MAX_VALUES:
            raise forms.ValidationError(f"at most {MAX_VALUES} values")


class CodeListFilter(django_filters.Filter):
    field_class = CodeListField
    kind = Kind.CHOICES


class YesNoFilter(django_filters.ChoiceFilter):
    kind = Kind.YES_NO

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", YES_NO)
        super().__init__(*args, **kwargs)


class _NumberFilter(django_filters.NumberFilter):
    kind: ClassVar[Kind]

    def __init__(self, *args: Any, low: int, high: int, **kwargs: Any) -> None:
        kwargs["validators"] = [MinValueValidator(low), MaxValueValidator(high)]
        super().__init__(*args, **kwargs)


class YearFilter(_NumberFilter):
    kind = Kind.YEAR


class AmountFilter(_NumberFilter):
    kind = Kind.AMOUNT


class CountFilter(_NumberFilter):
    kind = Kind.COUNT


class NotRecordedFilter(django_filters.BooleanFilter):
    """A check box: only records without the value. Unticked means no constraint."""

    kind = Kind.FLAG

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.required = False
        return field


YES_NO = [("yes", "Yes"), ("no", "No")]


def kind_of(filter_: django_filters.Filter) -> Kind:
    return getattr(filter_, "kind", Kind.TEXT)


def in_or_blank(
    queryset: QuerySet, field_name: str, values: list[str], blank: Any = ""
) -> QuerySet:
    """Rows whose ``field_name`` is one of ``values``, or blank when ``NOT_RECORDED`` is."""
    if not values:
        return queryset
    condition = Q(**{f"{field_name}__in": [v for v in values if v != NOT_RECORDED]})
    if NOT_RECORDED in values:
        condition |= Q(**{f"{field_name}__isnull": True} if blank is None else {field_name: blank})
    return queryset.filter(condition)


# ---------------------------------------------------------------------------------------------
# The filter set


@dataclass(frozen=True)
class Sort:
    label: str
    order: tuple[Any, ...]
    # An index gives the whole unfiltered list in this order (a total one): on SQLite a page
    # of many matches is then read walking it (common.listing), not by sorting every match.
    walk: bool = False


RELEVANCE = "relevance"


class FacetedFilterSet(django_filters.FilterSet):
    """What a list page needs besides the results: the active filters, the ignored ones,
    the queryset under all filters but some (for facet counts), the sorts and the facets.
    Check boxes that are not ticked are no filter at all."""

    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)

    search_index: ClassVar[FullTextIndex]
    # Never None once made: FilterSet falls back on the model's default manager.
    queryset: QuerySet
    sorts: ClassVar[dict[str, Sort]] = {}
    default_sort: ClassVar[str] = ""
    facets: ClassVar[list[FacetSpec]] = []
    # Rows left out while nothing is chosen in the named facet (its counts still show
    # them, so choosing the value brings them in): e.g. correspondence in the library.
    hidden_by_default: ClassVar[dict[str, Q]] = {}
    # The URL name of the page that lists every value of one facet (``name`` its argument);
    # a long facet links to it, with the current filters.
    facet_page: ClassVar[str] = ""

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self.search_index.search(queryset, value) if value else queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self._filtered(queryset, skip=())

    def _applies(self, name: str, value: Any) -> bool:
        return not (kind_of(self.filters[name]) == Kind.FLAG and not value)

    def active(self) -> dict[str, Any]:
        """The valid, non-empty parameters."""
        self.form.is_valid()
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], False)
        }

    def ignored(self) -> dict[str, str]:
        """Parameters given with values that do not validate: ignored, and said so."""
        self.form.is_valid()
        return {name: "; ".join(map(str, errors)) for name, errors in self.form.errors.items()}

    def without(self, *names: str) -> QuerySet:
        """The queryset filtered by every active parameter except ``names``: one object for
        every call that leaves out the same active filters (a page asks for a dozen, most
        alike), so that what is worked out from it (its SQL, its tallies) is worked out once."""
        self.form.is_valid()
        left_out = tuple(sorted({name for name in names if self._filters_rows(name)}))
        memo = self.__dict__.setdefault("_without", {})
        if left_out not in memo:
            memo[left_out] = self._filtered(self.queryset, skip=left_out)
        return memo[left_out]

    def _filters_rows(self, name: str) -> bool:
        """Whether leaving ``name`` out of ``_filtered`` changes its rows: a filter that
        applies with a value (a filter ignores an empty one), or rows hidden by default
        while nothing is chosen there."""
        if name in self.hidden_by_default and not self.chosen(name):
            return True
        if name not in self.filters:
            return False
        value = self.form.cleaned_data.get(name)
        return self._applies(name, value) and value not in EMPTY_VALUES

    def _filtered(self, queryset: QuerySet, *, skip: Iterable[str]) -> QuerySet:
        self.form.is_valid()
        for name, value in self.form.cleaned_data.items():
            if name not in skip and self._applies(name, value):
                queryset = self.filters[name].filter(queryset, value)
        for name, hidden in self.hidden_by_default.items():
            if name not in skip and not self.chosen(name):
                queryset = queryset.exclude(hidden)
        return queryset

    def chosen(self, name: str) -> set[str]:
        value = self.form.cleaned_data.get(name)
        if value in (None, ""):
            return set()
        return {str(v) for v in value} if isinstance(value, list) else {str(value)}


# ---------------------------------------------------------------------------------------------
# Facets


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)
    searchable: bool = False
    kind: Kind = Kind.CHOICES
    total: int = 0  # values with a count (besides "not recorded"), shown or not
    more_url: str = ""  # the page of all its values, when this list shows only the top ones

    @property
    def selected_count(self) -> int:
        return sum(1 for v in self.values if v.selected)

    @property
    def more(self) -> bool:
        """Some values with a count are not listed here (only on the facet's own page)."""
        listed = sum(1 for v in self.values if v.value != NOT_RECORDED and v.count)
        return bool(self.more_url) and self.total > listed


@dataclass
class RangeFacet:
    name: str  # the parameter prefix: launch_year, capital, users, year
    label: str
    low: Any
    high: Any
    not_recorded: int
    unit: str = ""
    min_value: str = ""  # as typed, to show back in the form
    max_value: str = ""
    none_checked: bool = False
    kind: Kind = Kind.COUNT  # how its numbers read: years plain, others grouped
    note: str = ""  # what the values are, when the label cannot say it all


Rows = list[tuple[str, str, int]]
RawRows = list[tuple[Any, Any, int]]  # as the database gives them: a value or label may be NULL
BOUNDED = 10  # a long facet lists its most frequent values, the chosen ones and a link


def _facet(
    filterset: FacetedFilterSet,
    spec: FacetSpec,
    rows: Rows,
    *,
    total: int | None = None,
    bound: int | None = None,
) -> Facet:
    """Values with a count, and any chosen ones (even at 0), chosen first. With ``bound``,
    only the first ``bound`` values besides the chosen ones and "not recorded"."""
    chosen = filterset.chosen(spec.name)
    values = [FacetValue(v, text, n, v in chosen) for v, text, n in rows if n or v in chosen]
    if bound is not None:
        kept, others = [], 0
        for v in values:
            if v.selected or v.value == NOT_RECORDED or others < bound:
                kept.append(v)
                others += not (v.selected or v.value == NOT_RECORDED)
        values = kept
    values.sort(key=lambda v: not v.selected)
    kind = kind_of(filterset.filters[spec.name]) if spec.name in filterset.filters else Kind.CHOICES
    if total is None:
        total = sum(1 for v, _text, n in rows if n and v != NOT_RECORDED)
    return Facet(spec.name, spec.label, values, spec.searchable, kind, total)


@dataclass(frozen=True)
class Part:
    """One grouped query of a facet's counts, whose rows are (value, label, count): its SQL
    selects the columns ``v``, ``l`` and ``n``. With ``limit``, only the most frequent values
    (the statement also says how many there were)."""

    sql: str
    params: tuple[Any, ...]
    limit: int | None = None

    @classmethod
    def of(cls, queryset: QuerySet, limit: int | None = None) -> Part:
        sql, params = queryset.query.sql_with_params()
        return cls(sql, tuple(params), limit)


@dataclass(frozen=True, eq=False)
class Tally:
    """One row (v, l, n) of aggregates over all of ``rows``: a span, or how many rows meet
    a condition. A facet may give tallies among its parts. Every tally over the same rows
    (the same filters: each facet whose own filter is not active) is computed in one pass,
    a common table expression of the statement, which each tally's part reads a row of:
    one pass over the list's rows where each span, yes/no and "not recorded" count made its
    own (each re-evaluating the filters: 6 ms a pass at 100,000 cases with a country
    chosen, 10-20 ms over 60,000 listed cases). No rows gives no row."""

    rows: QuerySet
    v: Any
    l: Any  # noqa: E741 - the column names every part selects
    n: Any


Parts = Sequence[Part | Tally]


def conditional_count(condition: Q) -> Count:
    """How many rows meet ``condition``: COUNT of a CASE, so that one pass counts several."""
    return Count(Case(When(condition, then=Value(1))))


class _Tallies:
    """The tallies of one statement, grouped by their rows: each group one aggregate query
    (``WITH facet_tally_<g> AS (...)``), each tally a part that selects its three columns."""

    def __init__(self, connection: Any) -> None:
        self.quote = connection.ops.quote_name
        # by the rows' queryset: tallies over the same rows are given the same object
        # (FacetedFilterSet.without), which each group keeps, so that no other takes its id
        self.groups: dict[int, tuple[QuerySet, dict[str, Any]]] = {}

    def part(self, tally: Tally) -> Part:
        _rows, columns = self.groups.setdefault(id(tally.rows), (tally.rows, {}))
        g, i = list(self.groups).index(id(tally.rows)), len(columns)
        names = [f"c{i}", f"c{i + 1}", f"c{i + 2}"]
        columns.update(zip(names, (tally.v, tally.l, tally.n), strict=True))
        picked = ", ".join(
            f"{self.quote(name)} AS {alias}" for name, alias in zip(names, "vln", strict=True)
        )
        return Part(f"SELECT {picked} FROM facet_tally_{g}", ())  # noqa: S608  # nosec B608 - names made here

    def ctes(self) -> tuple[str, list[Any]]:
        """The WITH clause (empty without tallies) and its parameters. A table expression
        several parts read is computed once (SQLite 3.35+, PostgreSQL 12+)."""
        pieces: list[str] = []
        params: list[Any] = []
        for g, (rows, columns) in enumerate(self.groups.values()):
            sql, more = _ungrouped_columns(rows, columns).query.sql_with_params()
            pieces.append(f"facet_tally_{g} AS ({sql})")
            params += more
        return ("WITH " + ", ".join(pieces) + " ") if pieces else "", params


@dataclass
class Counted:
    """What the one statement gave a facet: each part's rows, and its number of groups."""

    rows: list[RawRows] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)

    def merged(self, *parts: int) -> RawRows:
        """The rows of these parts as one list: a value two parts give (the most frequent
        values, and the chosen ones) is counted as the first says."""
        rows: dict[Any, tuple[Any, Any, int]] = {}
        for i in parts:
            for row in self.rows[i]:
                rows.setdefault(row[0], row)
        return list(rows.values())


class FacetSpec:
    """A declared facet. ``params`` are the filters it must ignore while counting. A facet
    that can say its counts as ``parts()`` (grouped queries) is counted with every other
    such facet in one statement; ``build()`` makes it from what that statement gave."""

    name: str
    label: str
    searchable: bool = False
    bound: int | None = None  # list only the most frequent values (and a link to all)

    @property
    def params(self) -> tuple[str, ...]:
        return (self.name,)

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
        raise NotImplementedError

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> Facet | RangeFacet:
        raise NotImplementedError

    def has_parts(self) -> bool:
        return type(self).parts is not FacetSpec.parts


def _grouped(queryset: QuerySet, value: Any, label: Any = None, count: Any = None) -> QuerySet:
    """``queryset`` grouped by ``value``: rows of (v, l, n). Counted as COUNT(*), which an
    index-only scan answers (COUNT of the key reads every row's heap tuple on PostgreSQL)."""
    return (
        queryset.order_by()
        .values(v=value)
        .annotate(l=label if label is not None else Value(None, CharField()), n=count or Count("*"))
        .values_list("v", "l", "n")
    )


def _ungrouped_columns(queryset: QuerySet, columns: dict[str, Any]) -> QuerySet:
    """One row of aggregates over all of ``queryset``, the columns named as given (none
    when it has no rows)."""
    return (
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(**columns)
        .values_list(*columns)
    )


class AggregateSpec(FacetSpec):
    """A facet counted by aggregates over the list's own rows: ``aggregates()`` says what
    to count, ``build_totals()`` makes the facet from the totals. Several share one query.
    (The case list's facets say their counts as grouped parts instead; this stays for facets
    such as the pipeline's flags, whose values are columns.)"""

    def aggregates(self) -> dict[str, Any]:
        raise NotImplementedError

    def build_totals(
        self, filterset: FacetedFilterSet, totals: dict[str, Any]
    ) -> Facet | RangeFacet:
        raise NotImplementedError


@dataclass
class ColumnFacet(FacetSpec):
    """Values of a column of the list's own table, from a code list: one GROUP BY."""

    name: str
    label: str
    column: str
    choices: list[tuple[Any, str]]
    not_recorded: str | None = "Not recorded"
    blank: Any = ""
    by_count: bool = False  # most frequent first, not in code-list order

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> list[Part]:
        # A text column is grouped as it is, in the order of an index that leads with it; any
        # other is read as text, so that every part's values are of one type.
        column = base.model._meta.get_field(self.column)
        is_text = column.get_internal_type() in ("CharField", "TextField")
        return [
            Part.of(_grouped(base, F(self.column) if is_text else Cast(self.column, CharField())))
        ]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> Facet:
        found = {v: n for v, _l, n in counted.rows[0]}
        rows = [(str(value), str(label), found.get(str(value), 0)) for value, label in self.choices]
        if self.by_count:
            rows.sort(key=lambda row: -row[2])
        if self.not_recorded:
            blank = found.get(None, 0) + (found.get("", 0) if self.blank == "" else 0)
            rows.append((NOT_RECORDED, self.not_recorded, blank))
        return _facet(filterset, self, rows)


@dataclass
class YesNoFacet(FacetSpec):
    """Whether a condition holds, as Yes / No with counts."""

    name: str
    label: str
    condition: Q

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
        yes = conditional_count(self.condition)
        none = Value(None, CharField())
        return [
            Tally(base, Value("yes"), none, yes),
            Tally(base, Value("no"), none, Count("*") - yes),
        ]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> Facet:
        found = {v: n for v, _l, n in counted.merged(*range(len(counted.rows)))}
        rows = [(key, text, found.get(key, 0)) for key, text in YES_NO]
        return _facet(filterset, self, rows)


@dataclass
class RangeSpec(FacetSpec):
    """The span of a numeric (or partial-date) column under the other filters, and how many
    rows lack it; its filters are ``<name>_min``, ``<name>_max`` and ``<name>_none``."""

    name: str
    label: str
    column: str
    unit: str = ""
    partial_date: bool = False  # a text column of partial dates: the span is in years
    kind: Kind = Kind.COUNT
    note: str = ""

    @property
    def params(self) -> tuple[str, ...]:
        return (f"{self.name}_min", f"{self.name}_max", f"{self.name}_none")

    def _missing(self) -> Q:
        return (
            Q(**{self.column: ""}) if self.partial_date else Q(**{f"{self.column}__isnull": True})
        )

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
        present = ~self._missing()
        low = Cast(Min(self.column, filter=present), CharField())
        high = Cast(Max(self.column, filter=present), CharField())
        # Not Count("pk", filter=...): naming the key makes PostgreSQL read the table's rows
        # where the covering index alone would do (the primary key is not in that index).
        return [Tally(base, low, high, conditional_count(self._missing()))]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> RangeFacet:
        (low, high, missing), *_ = counted.rows[0] or [(None, None, 0)]
        if self.partial_date:
            low, high = (int(v[:4]) if v else None for v in (low, high))
        else:
            column = filterset.queryset.model._meta.get_field(self.column)
            low, high = (None if v is None else column.to_python(v) for v in (low, high))
        data = filterset.form.data
        return RangeFacet(
            self.name,
            self.label,
            low,
            high,
            missing,
            self.unit,
            min_value=str(data.get(f"{self.name}_min", ""))[:30],
            max_value=str(data.get(f"{self.name}_max", ""))[:30],
            none_checked=bool(filterset.form.cleaned_data.get(f"{self.name}_none")),
            kind=Kind.YEAR if self.partial_date else self.kind,
            note=self.note,
        )


@dataclass
class JoinFacet(FacetSpec):
    """Values that live in another table (countries, parties, policy areas of documents).
    Either ``parts(filterset, base, limit)`` gives grouped queries over the list rows in
    ``base`` (counted with the other facets in one statement: their rows are merged, the
    parts counting disjoint rows, and "not recorded" goes last), or ``rows(filterset, base)``
    counts them in queries of its own."""

    name: str
    label: str
    rows: Callable[[FacetedFilterSet, QuerySet], Rows] | None = None
    searchable: bool = False
    counts: Callable[[FacetedFilterSet, QuerySet, int | None], Parts] | None = None
    bound: int | None = None
    label_of: Callable[[str], str] | None = None

    def has_parts(self) -> bool:
        return self.counts is not None

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
        if self.counts is None:
            raise TypeError(f"{self.name}: declared with rows, not counts")
        return self.counts(filterset, base, limit)

    def build(self, filterset: FacetedFilterSet, counted: Counted, *, every: bool = False) -> Facet:
        rows = counted.merged(*range(len(counted.rows)))
        limited = [i for i, rows_ in enumerate(counted.rows) if rows_ and counted.groups[i]]
        total = max((counted.groups[i] for i in limited), default=0) if self.bound else None
        label_of = self.label_of or str
        rows = [(v, label_of(v) if text is None else text, n) for v, text, n in rows]
        # A chosen value no listed row has (its count is 0) still shows, ticked, as typed:
        # not named from a table, where only a private record might name it.
        rows += [(v, v, 0) for v in sorted(filterset.chosen(self.name) - {r[0] for r in rows})]
        rows.sort(key=lambda row: (row[0] == NOT_RECORDED, -row[2], row[1]))
        if total is not None:
            total = max(total, sum(1 for v, _l, n in rows if n and v != NOT_RECORDED))
        return _facet(filterset, self, rows, total=total, bound=None if every else self.bound)

    def build_from(self, filterset: FacetedFilterSet) -> Facet:
        if self.rows is None:
            raise TypeError(f"{self.name}: declared with counts, not rows")
        return _facet(filterset, self, self.rows(filterset, filterset.without(*self.params)))


def row_pks(queryset: QuerySet) -> QuerySet:
    """The list rows as a subquery of primary keys, for counting in a joined table."""
    return queryset.order_by().values("pk")


def _statement(parts: list[tuple[int, Part]], tallies: _Tallies) -> tuple[str, list[Any]]:
    """Every part as one UNION ALL: rows of (facet number, part number, v, l, n, groups),
    after the tallies' table expressions."""
    with_clause, params = tallies.ctes()
    pieces: list[str] = []
    for i, (facet, part) in enumerate(parts):
        inner = (
            f"SELECT {facet} AS f, {i} AS j, g.v, g.l, g.n, COUNT(*) OVER () AS t "  # noqa: S608  # nosec B608 - compiled SQL
            f"FROM ({part.sql}) g"
        )
        if part.limit is not None:
            inner += f" ORDER BY g.n DESC, g.l, g.v LIMIT {int(part.limit)}"
        pieces.append(f"SELECT * FROM ({inner}) p{i}")  # noqa: S608  # nosec B608 - compiled SQL
        params += part.params
    return with_clause + " UNION ALL ".join(pieces), params


def count_parts(
    filterset: FacetedFilterSet, specs: list[tuple[FacetSpec, int | None]]
) -> list[Counted]:
    """What one statement counts for each spec (with its limit), under every active filter
    but the spec's own. A part several specs give alike (the same SQL and values: e.g. one
    grouped pass that several facets read) runs once, and each of them gets its rows."""
    parts: list[tuple[int, Part]] = []
    # per part: the specs that gave it, each with the part's number among the spec's
    owners: list[list[tuple[int, int]]] = []
    seen: dict[str, int] = {}
    tallies = _Tallies(connections[filterset.queryset.db])
    for number, (spec, limit) in enumerate(specs):
        for k, given in enumerate(spec.parts(filterset, filterset.without(*spec.params), limit)):
            part = tallies.part(given) if isinstance(given, Tally) else given
            key = repr((part.sql, part.params, part.limit))
            if key in seen:
                owners[seen[key]].append((number, k))
                continue
            seen[key] = len(parts)
            parts.append((number, part))
            owners.append([(number, k)])
    counted = [Counted() for _spec in specs]
    for number, _spec in enumerate(specs):
        size = sum(1 for given in owners for owner, _k in given if owner == number)
        counted[number].rows = [[] for _i in range(size)]
        counted[number].groups = [0] * size
    if not parts:
        return counted
    sql, params = _statement(parts, tallies)

    def run() -> list[tuple[Any, ...]]:
        with connections[filterset.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # The statement says the whole normalised filter: its text and values are the key, under
    # the data version (a publish or an import bumps it). Off with GOLAB_CACHE=0.
    found = cached("facet-counts", repr((sql, params)), run)
    for _f, j, value, label, n, groups in found:
        for number, k in owners[j]:
            counted[number].rows[k].append((value, label, int(n)))
            counted[number].groups[k] = int(groups)
    return counted


def count_facets(filterset: FacetedFilterSet) -> tuple[list[Facet], list[RangeFacet]]:
    """Every declared facet with its counts, in declaration order; ranges apart. Facets that
    say their counts as parts are counted in one statement, whatever the filters."""
    active = set(filterset.active())
    built: dict[str, Facet | RangeFacet] = {}
    with_parts = [spec for spec in filterset.facets if spec.has_parts()]
    for spec, counted in zip(
        with_parts,
        count_parts(filterset, [(spec, spec.bound) for spec in with_parts]),
        strict=True,
    ):
        built[spec.name] = spec.build(filterset, counted)
    shared: list[AggregateSpec] = []
    for spec in filterset.facets:
        if spec.name in built:
            continue
        if isinstance(spec, JoinFacet):
            built[spec.name] = spec.build_from(filterset)
        elif not isinstance(spec, AggregateSpec):
            raise TypeError(f"{spec.name}: a facet without parts must be an AggregateSpec")
        elif active.intersection(spec.params) or filterset.hidden_by_default.keys() & set(
            spec.params
        ):
            totals = filterset.without(*spec.params).aggregate(**spec.aggregates())
            built[spec.name] = spec.build_totals(filterset, totals)
        else:
            shared.append(spec)
    if shared:
        aggregates: dict[str, Any] = {}
        for spec in shared:
            aggregates.update(spec.aggregates())
        totals = filterset.qs.order_by().aggregate(**aggregates)
        for spec in shared:
            built[spec.name] = spec.build_totals(filterset, totals)
    ordered = [built[spec.name] for spec in filterset.facets]
    return (
        [f for f in ordered if isinstance(f, Facet)],
        [f for f in ordered if isinstance(f, RangeFacet)],
    )


def facet_values(
    filterset: FacetedFilterSet, name: str
) -> tuple[FacetSpec, list[FacetValue]] | None:
    """Every value of one facet with its count under the other filters (for the page that
    lists them all), or None when the list has no such facet."""
    spec = next((s for s in filterset.facets if s.name == name), None)
    if spec is None or isinstance(spec, RangeSpec):
        return None
    if isinstance(spec, JoinFacet) and spec.has_parts():
        facet = spec.build(filterset, count_parts(filterset, [(spec, None)])[0], every=True)
    elif isinstance(spec, ColumnFacet | YesNoFacet):
        facet = spec.build(filterset, count_parts(filterset, [(spec, None)])[0])
    elif isinstance(spec, JoinFacet):
        facet = spec.build_from(filterset)
    else:
        return None
    return spec, facet.values
