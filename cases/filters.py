"""The case-study filters, shared by the list page, exports and the API: one definition each.

Every parameter is validated by its form field; a value that does not validate is ignored
(and the page says so), never a server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django_countries import countries

from cases import search
from cases.models import (
    DeliveryLocation,
    Investment,
    OutcomePaymentCommitment,
    PolicySector,
    Project,
    ServiceProvision,
    Stage,
)
from common.models import PublicationStatus

NOT_RECORDED = "none"
MAX_VALUES = 30
MAX_ORGANISATIONS = 60  # per role facet
ORG_ID = re.compile(r"^INDIGO-ORG-\d{4,9}$")

# A role row names a public party: an organisation that is published (a draft one made in
# the admin is named nowhere public, not even in a facet or a filter).
PUBLIC_PARTY = Q(organisation__status=PublicationStatus.PUBLISHED)
ROLE_MODELS = {
    "outcome_payer": OutcomePaymentCommitment,
    "investor": Investment,
    "service_provider": ServiceProvision,
}
ROLE_LABELS = {
    "outcome_payer": "Outcome payer",
    "investor": "Investor",
    "service_provider": "Service provider",
}

SORTS = {
    "relevance": ("Relevance", None),
    "newest": ("Newest launch", [F("launch_year").desc(nulls_last=True), "indigo_id"]),
    "capital": ("Capital raised", [F("capital_raised_usd").desc(nulls_last=True), "indigo_id"]),
    "users": ("Service users", [F("service_users_targeted").desc(nulls_last=True), "indigo_id"]),
    "name": ("Name", ["name", "indigo_id"]),
}


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


def _bounded(low: int, high: int) -> dict[str, Any]:
    return {"validators": [MinValueValidator(low), MaxValueValidator(high)]}


def _yes_no() -> list[tuple[str, str]]:
    return [("yes", "Yes"), ("no", "No")]


class FacetedFilterSet(django_filters.FilterSet):
    """What a list page needs besides the results: the active filters, the ignored ones,
    and the queryset under all filters but some (for facet counts). Check boxes that are
    not ticked ("..._none") are no filter at all."""

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self._filtered(queryset, skip=())

    def _applies(self, name: str, value: Any) -> bool:
        return not (name.endswith("_none") and not value)

    def active(self) -> dict[str, Any]:
        """The valid, non-empty parameters."""
        self.form.is_valid()
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], False) and name != "sort"
        }

    def ignored(self) -> dict[str, str]:
        """Parameters given with values that do not validate: ignored, and said so."""
        self.form.is_valid()
        return {name: "; ".join(errors) for name, errors in self.form.errors.items()}

    def without(self, *names: str) -> QuerySet:
        """The queryset filtered by every active parameter except ``names``."""
        return self._filtered(self.queryset, skip=names)

    def _filtered(self, queryset: QuerySet, *, skip: tuple[str, ...]) -> QuerySet:
        self.form.is_valid()
        for name, value in self.form.cleaned_data.items():
            if name not in skip and self._applies(name, value):
                queryset = self.filters[name].filter(queryset, value)
        return queryset


class CaseFilter(FacetedFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)
    policy_area = CodeListFilter(
        method="filter_policy_area",
        label="Policy area",
        choices=[*PolicySector.choices, (NOT_RECORDED, "Not recorded")],
    )
    country = CodeListFilter(
        method="filter_country", label="Country", pattern=re.compile(r"^[A-Z]{2}$")
    )
    stage = CodeListFilter(
        method="filter_stage",
        label="Stage",
        choices=[*Stage.choices, (NOT_RECORDED, "Not recorded")],
    )
    outcome_payer = CodeListFilter(method="filter_role", label="Outcome payer", pattern=ORG_ID)
    investor = CodeListFilter(method="filter_role", label="Investor", pattern=ORG_ID)
    service_provider = CodeListFilter(
        method="filter_role", label="Service provider", pattern=ORG_ID
    )
    launch_year_min = django_filters.NumberFilter(
        field_name="launch_year", lookup_expr="gte", label="Launched from", **_bounded(1900, 2200)
    )
    launch_year_max = django_filters.NumberFilter(
        field_name="launch_year", lookup_expr="lte", label="Launched until", **_bounded(1900, 2200)
    )
    launch_year_none = django_filters.BooleanFilter(
        field_name="launch_year",
        lookup_expr="isnull",
        label="Launch year not recorded",
        widget=forms.CheckboxInput,
    )
    capital_min = django_filters.NumberFilter(
        field_name="capital_raised_usd",
        lookup_expr="gte",
        label="Capital from (USD)",
        **_bounded(0, 10**14),
    )
    capital_max = django_filters.NumberFilter(
        field_name="capital_raised_usd",
        lookup_expr="lte",
        label="Capital up to (USD)",
        **_bounded(0, 10**14),
    )
    capital_none = django_filters.BooleanFilter(
        field_name="capital_raised_usd",
        lookup_expr="isnull",
        label="Capital not recorded",
        widget=forms.CheckboxInput,
    )
    users_min = django_filters.NumberFilter(
        field_name="service_users_targeted",
        lookup_expr="gte",
        label="Service users from",
        **_bounded(0, 10**12),
    )
    users_max = django_filters.NumberFilter(
        field_name="service_users_targeted",
        lookup_expr="lte",
        label="Service users up to",
        **_bounded(0, 10**12),
    )
    users_none = django_filters.BooleanFilter(
        field_name="service_users_targeted",
        lookup_expr="isnull",
        label="Service users not recorded",
        widget=forms.CheckboxInput,
    )
    has_results = django_filters.ChoiceFilter(
        method="filter_flag", label="Has results", choices=_yes_no()
    )
    has_evaluation = django_filters.ChoiceFilter(
        method="filter_flag", label="Has an evaluation document", choices=_yes_no()
    )
    sort = django_filters.ChoiceFilter(
        method="filter_nothing",
        label="Sort by",
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        empty_label=None,
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        # Unchecked checkboxes mean "no constraint", not "must be recorded".
        for name in ("launch_year_none", "capital_none", "users_none"):
            self.filters[name].field.required = False

    # -- filter methods ------------------------------------------------------------------

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search.search(queryset, value) if value else queryset

    def filter_policy_area(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return _in_or_blank(queryset, "policy_sector", value)

    def filter_stage(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return _in_or_blank(queryset, "stage", value)

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        codes = [v for v in value if v != NOT_RECORDED]
        condition = Q(
            Exists(DeliveryLocation.objects.filter(project=OuterRef("pk"), country__in=codes))
        )
        if NOT_RECORDED in value:
            condition |= ~Q(_has_country())
        return queryset.filter(condition)

    def filter_role(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        model = ROLE_MODELS[name]
        ids = [v for v in value if v != NOT_RECORDED]
        condition = Q(
            Exists(
                model.objects.filter(
                    PUBLIC_PARTY, project=OuterRef("pk"), organisation__indigo_id__in=ids
                )
            )
        )
        if NOT_RECORDED in value:
            condition |= ~Q(_has_role(model))
        return queryset.filter(condition)

    def filter_flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(**{name: value == "yes"})

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset


def _in_or_blank(queryset: QuerySet, field_name: str, values: list[str]) -> QuerySet:
    if not values:
        return queryset
    chosen = [v for v in values if v != NOT_RECORDED]
    condition = Q(**{f"{field_name}__in": chosen})
    if NOT_RECORDED in values:
        condition |= Q(**{field_name: ""})
    return queryset.filter(condition)


def _has_country() -> Exists:
    return Exists(DeliveryLocation.objects.filter(project=OuterRef("pk")).exclude(country=""))


def _has_role(model) -> Exists:
    return Exists(model.objects.filter(PUBLIC_PARTY, project=OuterRef("pk")))


# ---------------------------------------------------------------------------------------------
# Facet counts


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

    @property
    def selected_count(self) -> int:
        return sum(1 for v in self.values if v.selected)


@dataclass
class RangeFacet:
    name: str  # the parameter prefix: launch_year, capital, users
    label: str
    low: Any
    high: Any
    not_recorded: int
    unit: str = ""
    min_value: str = ""  # as typed, to show back in the form
    max_value: str = ""
    none_checked: bool = False


def _pks(queryset: QuerySet) -> QuerySet:
    return queryset.order_by().values("pk")


def facets(filterset: CaseFilter) -> list[Facet]:
    """Counts for each facet value, each under every *other* active filter: choosing a value
    gives as many results as its count says. Zero-count values are left out unless chosen."""
    data = filterset.form.cleaned_data
    result = []

    def selected(name: str) -> set[str]:
        return set(data.get(name) or [])

    def build(name: str, label: str, rows: list[tuple[str, str, int]], **kwargs: Any) -> Facet:
        chosen = selected(name)
        values = [
            FacetValue(value, text, count, value in chosen)
            for value, text, count in rows
            if count or value in chosen
        ]
        values.sort(key=lambda v: not v.selected)  # chosen values first, then as given
        return Facet(name, label, values, **kwargs)

    for name, label, field_name, choices in [
        ("policy_area", "Policy area", "policy_sector", PolicySector),
        ("stage", "Stage", "stage", Stage),
    ]:
        counts = dict(
            filterset.without(name).order_by().values_list(field_name).annotate(n=Count("pk"))
        )
        rows = [(value, str(text), counts.get(value, 0)) for value, text in choices.choices]
        rows.append((NOT_RECORDED, "Not recorded", counts.get("", 0)))
        result.append(build(name, label, rows))

    base = filterset.without("country")
    counts = dict(
        DeliveryLocation.objects.filter(project__in=_pks(base))
        .exclude(country="")
        .order_by()
        .values_list("country")
        .annotate(n=Count("project", distinct=True))
    )
    rows = sorted(
        ((code, countries.name(code) or code, n) for code, n in counts.items()),
        key=lambda row: (-row[2], row[1]),
    )
    rows.append((NOT_RECORDED, "Not recorded", base.exclude(_has_country()).count()))
    result.append(build("country", "Country", rows, searchable=True))

    for name, model in ROLE_MODELS.items():
        base = filterset.without(name)
        organisations = (
            model.objects.filter(PUBLIC_PARTY, project__in=_pks(base))
            .order_by()
            .values_list("organisation__indigo_id", "organisation__name")
            .annotate(n=Count("project", distinct=True))
        )
        rows = sorted(organisations, key=lambda row: (-row[2], row[1] or ""))
        chosen = selected(name)
        # The most frequent organisations, and any chosen ones; search finds the rest by name.
        rows = [r for i, r in enumerate(rows) if i < MAX_ORGANISATIONS or r[0] in chosen]
        rows.append((NOT_RECORDED, "Not recorded", base.exclude(_has_role(model)).count()))
        result.append(build(name, ROLE_LABELS[name], rows, searchable=True))

    for name, label in [("has_results", "Has results"), ("has_evaluation", "Has an evaluation")]:
        totals = filterset.without(name).aggregate(
            yes=Count("pk", filter=Q(**{name: True})), no=Count("pk", filter=Q(**{name: False}))
        )
        chosen = data.get(name) or ""
        values = [
            FacetValue(key, text, totals[key], key == chosen)
            for key, text in _yes_no()
            if totals[key] or key == chosen
        ]
        result.append(Facet(name, label, values))
    return result


def ranges(filterset: CaseFilter) -> list[RangeFacet]:
    """The span of each numeric facet under the other filters, and how many lack a value."""
    result = []
    for prefix, label, field_name, unit in [
        ("launch_year", "Launch year", "launch_year", ""),
        ("capital", "Capital raised", "capital_raised_usd", "USD"),
        ("users", "Service users targeted", "service_users_targeted", ""),
    ]:
        totals = filterset.without(f"{prefix}_min", f"{prefix}_max", f"{prefix}_none").aggregate(
            low=Min(field_name),
            high=Max(field_name),
            missing=Count("pk", filter=Q(**{f"{field_name}__isnull": True})),
        )
        data = filterset.form.data
        cleaned = filterset.form.cleaned_data
        result.append(
            RangeFacet(
                prefix,
                label,
                totals["low"],
                totals["high"],
                totals["missing"],
                unit,
                min_value=str(data.get(f"{prefix}_min", ""))[:30],
                max_value=str(data.get(f"{prefix}_max", ""))[:30],
                none_checked=bool(cleaned.get(f"{prefix}_none")),
            )
        )
    return result
