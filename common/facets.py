"""Faceted search, declared: filters that know how they show (widget and chip), sorts, and
facets whose counts are computed in as few queries as the filters allow.

A list page (and the API, downloads and insights that share its parameters) declares a
``FacetedFilterSet`` subclass: its filters, its ``sorts``, its full-text ``search_index``
and its ``facets``. ``count_facets()`` then gives each facet its counts under every *other*
active filter (choosing a value gives as many results as its count said). Facets on the
list's own columns whose filter is not active are all counted in one aggregate with
conditional counts; a facet whose filter is active, or that needs a join, has its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Max, Min, Q, QuerySet

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
    facets: ClassVar[list[AggregateSpec | JoinFacet]] = []
    # Rows left out while nothing is chosen in the named facet (its counts still show
    # them, so choosing the value brings them in): e.g. correspondence in the library.
    hidden_by_default: ClassVar[dict[str, Q]] = {}

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
        """The queryset filtered by every active parameter except ``names``."""
        return self._filtered(self.queryset, skip=names)

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

    @property
    def selected_count(self) -> int:
        return sum(1 for v in self.values if v.selected)


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


def _facet(filterset: FacetedFilterSet, spec: FacetSpec, rows: Rows) -> Facet:
    """Values with a count, and any chosen ones (even at 0), chosen first."""
    chosen = filterset.chosen(spec.name)
    values = [FacetValue(v, text, n, v in chosen) for v, text, n in rows if n or v in chosen]
    values.sort(key=lambda v: not v.selected)
    kind = kind_of(filterset.filters[spec.name]) if spec.name in filterset.filters else Kind.CHOICES
    return Facet(spec.name, spec.label, values, spec.searchable, kind)


class FacetSpec:
    """A declared facet. ``params`` are the filters it must ignore while counting."""

    name: str
    label: str
    searchable: bool = False

    @property
    def params(self) -> tuple[str, ...]:
        return (self.name,)


class AggregateSpec(FacetSpec):
    """A facet counted by aggregates over the list's own rows: ``aggregates()`` says what
    to count, ``build()`` makes the facet from the totals. Several share one query."""

    def aggregates(self) -> dict[str, Any]:
        raise NotImplementedError

    def build(self, filterset: FacetedFilterSet, totals: dict[str, Any]) -> Facet | RangeFacet:
        raise NotImplementedError


@dataclass
class ColumnFacet(AggregateSpec):
    """Values of a column of the list's own table, from a code list: counted by
    conditional aggregates, so several such facets share one query."""

    name: str
    label: str
    column: str
    choices: list[tuple[Any, str]]
    not_recorded: str | None = "Not recorded"
    blank: Any = ""
    by_count: bool = False  # most frequent first, not in code-list order

    def aggregates(self) -> dict[str, Any]:
        counts = {
            f"{self.name}__{i}": Count("pk", filter=Q(**{self.column: value}))
            for i, (value, _label) in enumerate(self.choices)
        }
        if self.not_recorded:
            blank = {f"{self.column}__isnull": True} if self.blank is None else {self.column: ""}
            counts[f"{self.name}__none"] = Count("pk", filter=Q(**blank))
        return counts

    def build(self, filterset: FacetedFilterSet, totals: dict[str, Any]) -> Facet:
        rows = [
            (str(value), str(label), totals[f"{self.name}__{i}"])
            for i, (value, label) in enumerate(self.choices)
        ]
        if self.by_count:
            rows.sort(key=lambda row: -row[2])
        if self.not_recorded:
            rows.append((NOT_RECORDED, self.not_recorded, totals[f"{self.name}__none"]))
        return _facet(filterset, self, rows)


@dataclass
class YesNoFacet(AggregateSpec):
    """Whether a condition holds, as Yes / No with counts."""

    name: str
    label: str
    condition: Q

    def aggregates(self) -> dict[str, Any]:
        return {
            f"{self.name}__yes": Count("pk", filter=self.condition),
            f"{self.name}__no": Count("pk", filter=~self.condition),
        }

    def build(self, filterset: FacetedFilterSet, totals: dict[str, Any]) -> Facet:
        rows = [(key, text, totals[f"{self.name}__{key}"]) for key, text in YES_NO]
        return _facet(filterset, self, rows)


@dataclass
class RangeSpec(AggregateSpec):
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

    def aggregates(self) -> dict[str, Any]:
        return {
            f"{self.name}__low": Min(self.column, filter=~self._missing()),
            f"{self.name}__high": Max(self.column, filter=~self._missing()),
            f"{self.name}__missing": Count("pk", filter=self._missing()),
        }

    def build(self, filterset: FacetedFilterSet, totals: dict[str, Any]) -> RangeFacet:
        low, high = totals[f"{self.name}__low"], totals[f"{self.name}__high"]
        if self.partial_date:
            low, high = (int(v[:4]) if v else None for v in (low, high))
        data = filterset.form.data
        return RangeFacet(
            self.name,
            self.label,
            low,
            high,
            totals[f"{self.name}__missing"],
            self.unit,
            min_value=str(data.get(f"{self.name}_min", ""))[:30],
            max_value=str(data.get(f"{self.name}_max", ""))[:30],
            none_checked=bool(filterset.form.cleaned_data.get(f"{self.name}_none")),
            kind=Kind.YEAR if self.partial_date else self.kind,
            note=self.note,
        )


@dataclass
class JoinFacet(FacetSpec):
    """Values that live in another table (countries, parties, policy areas of documents):
    ``rows(base)`` counts them for the list rows in ``base``; one or two queries each."""

    name: str
    label: str
    rows: Callable[[FacetedFilterSet, QuerySet], Rows]
    searchable: bool = False

    def build_from(self, filterset: FacetedFilterSet) -> Facet:
        return _facet(filterset, self, self.rows(filterset, filterset.without(*self.params)))


def row_pks(queryset: QuerySet) -> QuerySet:
    """The list rows as a subquery of primary keys, for counting in a joined table."""
    return queryset.order_by().values("pk")


def count_facets(filterset: FacetedFilterSet) -> tuple[list[Facet], list[RangeFacet]]:
    """Every declared facet with its counts, in declaration order; ranges apart."""
    active = set(filterset.active())
    shared: list[AggregateSpec] = []
    built: dict[str, Facet | RangeFacet] = {}
    for spec in filterset.facets:
        if isinstance(spec, JoinFacet):
            built[spec.name] = spec.build_from(filterset)
        elif active.intersection(spec.params) or filterset.hidden_by_default.keys() & set(
            spec.params
        ):
            totals = filterset.without(*spec.params).aggregate(**spec.aggregates())
            built[spec.name] = spec.build(filterset, totals)
        else:
            shared.append(spec)
    if shared:
        aggregates: dict[str, Any] = {}
        for spec in shared:
            aggregates.update(spec.aggregates())
        totals = filterset.qs.order_by().aggregate(**aggregates)
        for spec in shared:
            built[spec.name] = spec.build(filterset, totals)
    ordered = [built[spec.name] for spec in filterset.facets]
    return (
        [f for f in ordered if isinstance(f, Facet)],
        [f for f in ordered if isinstance(f, RangeFacet)],
    )
