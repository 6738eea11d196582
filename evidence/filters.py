"""The evidence-library filters, shared by the list page and its exports (one definition).

Same rules as the case filters: a value that does not validate is ignored and listed.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django_countries import countries

from cases.filters import (
    NOT_RECORDED,
    CodeListFilter,
    Facet,
    FacetedFilterSet,
    FacetValue,
    RangeFacet,
)
from cases.models import PolicySector, Stage, published_project_q
from evidence.models import (
    DocumentCountry,
    DocumentPolicyArea,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    EvidenceRating,
    TextStatus,
)
from evidence.search import DOCUMENTS

SORTS = {
    "relevance": ("Relevance", None),
    "newest": ("Newest", [F("publication_date").desc(), "title", "pk"]),
    "oldest": ("Oldest", [F("publication_date").asc(), "title", "pk"]),
    "title": ("Title", ["title", "pk"]),
}
HAS_TEXT = [TextStatus.EXTRACTED, TextStatus.TRUNCATED]
YEARS = [MinValueValidator(1800), MaxValueValidator(2200)]


def _linked_project(**conditions: Any) -> Exists:
    return Exists(
        DocumentProject.objects.filter(published_project_q(), document=OuterRef("pk"), **conditions)
    )


class EvidenceFilter(FacetedFilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)
    type = CodeListFilter(method="filter_type", label="Type", choices=DocumentType.choices)
    year_min = django_filters.NumberFilter(
        method="filter_year", label="Published from", validators=YEARS
    )
    year_max = django_filters.NumberFilter(
        method="filter_year", label="Published until", validators=YEARS
    )
    year_none = django_filters.BooleanFilter(
        method="filter_year_none", label="Year not recorded", widget=forms.CheckboxInput
    )
    policy_area = CodeListFilter(
        method="filter_policy_area",
        label="Policy area",
        choices=[*PolicySector.choices, (NOT_RECORDED, "Not recorded")],
    )
    country = CodeListFilter(
        method="filter_country", label="Country", pattern=re.compile(r"^[A-Z]{2}$")
    )
    design = CodeListFilter(
        method="filter_design",
        label="Evaluation design",
        choices=[*EvaluationDesign.choices, (NOT_RECORDED, "Not recorded")],
    )
    rating = CodeListFilter(
        method="filter_rating",
        label="Evidence rating",
        choices=[(str(v), label) for v, label in EvidenceRating.choices]
        + [(NOT_RECORDED, "Not rated")],
    )
    has_full_text = django_filters.ChoiceFilter(
        method="filter_full_text", label="Has full text", choices=[("yes", "Yes"), ("no", "No")]
    )
    project_stage = CodeListFilter(
        method="filter_project_stage", label="Linked case's stage", choices=Stage.choices
    )
    sort = django_filters.ChoiceFilter(
        method="filter_nothing",
        label="Sort by",
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        empty_label=None,
    )

    class Meta:
        model = EvidenceDocument
        fields: list[str] = []

    def __init__(self, data=None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.filters["year_none"].field.required = False

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return DOCUMENTS.search(queryset, value) if value else queryset

    def filter_type(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(document_type__in=value) if value else queryset

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        year = f"{int(value):04d}"
        if name == "year_min":
            return queryset.filter(publication_date__gte=year)
        # Partial dates sort as text: "2020-12-31" < "2021" ≤ anything in 2021.
        return queryset.exclude(publication_date="").filter(
            publication_date__lt=f"{int(value) + 1:04d}"
        )

    def filter_year_none(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(publication_date="") if value else queryset

    def filter_policy_area(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        chosen = [v for v in value if v != NOT_RECORDED]
        condition = Q(
            Exists(
                DocumentPolicyArea.objects.filter(document=OuterRef("pk"), policy_area__in=chosen)
            )
        )
        if NOT_RECORDED in value:
            condition |= ~Q(Exists(DocumentPolicyArea.objects.filter(document=OuterRef("pk"))))
        return queryset.filter(condition)

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            Exists(DocumentCountry.objects.filter(document=OuterRef("pk"), country__in=value))
        )

    def filter_design(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        chosen = [v for v in value if v != NOT_RECORDED]
        condition = Q(evaluation_design__in=chosen)
        if NOT_RECORDED in value:
            condition |= Q(evaluation_design="")
        return queryset.filter(condition)

    def filter_rating(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        chosen = [int(v) for v in value if v != NOT_RECORDED]
        condition = Q(evidence_rating__in=chosen)
        if NOT_RECORDED in value:
            condition |= Q(evidence_rating__isnull=True)
        return queryset.filter(condition)

    def filter_full_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        has = Q(text_status__in=HAS_TEXT)
        return queryset.filter(has if value == "yes" else ~has)

    def filter_project_stage(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(_linked_project(project__stage__in=value)) if value else queryset

    def filter_nothing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset


def _pks(queryset: QuerySet) -> QuerySet:
    return queryset.order_by().values("pk")


def facets(filterset: EvidenceFilter) -> list[Facet]:
    """Counts per value, each under every other active filter; zero values hidden."""
    data = filterset.form.cleaned_data
    result: list[Facet] = []

    def build(name: str, label: str, rows: list[tuple[str, str, int]]) -> Facet:
        chosen = set(data.get(name) or [])
        values = [FacetValue(v, text, n, v in chosen) for v, text, n in rows if n or v in chosen]
        values.sort(key=lambda v: not v.selected)
        return Facet(name, label, values)

    counts = dict(
        filterset.without("type").order_by().values_list("document_type").annotate(n=Count("pk"))
    )
    rows = sorted(
        ((value, str(label), counts.get(value, 0)) for value, label in DocumentType.choices),
        key=lambda row: -row[2],
    )
    result.append(build("type", "Type", rows))

    base = filterset.without("policy_area")
    counts = dict(
        DocumentPolicyArea.objects.filter(document__in=_pks(base))
        .order_by()
        .values_list("policy_area")
        .annotate(n=Count("document", distinct=True))
    )
    rows = [(value, str(label), counts.get(value, 0)) for value, label in PolicySector.choices]
    rows.append(
        (
            NOT_RECORDED,
            "Not recorded",
            base.exclude(
                Exists(DocumentPolicyArea.objects.filter(document=OuterRef("pk")))
            ).count(),
        )
    )
    result.append(build("policy_area", "Policy area", rows))

    counts = dict(
        DocumentCountry.objects.filter(document__in=_pks(filterset.without("country")))
        .order_by()
        .values_list("country")
        .annotate(n=Count("document", distinct=True))
    )
    rows = sorted(
        ((code, countries.name(code) or code, n) for code, n in counts.items()),
        key=lambda row: (-row[2], row[1]),
    )
    facet = build("country", "Country", rows)
    facet.searchable = True
    result.append(facet)

    counts = dict(
        filterset.without("design")
        .order_by()
        .values_list("evaluation_design")
        .annotate(n=Count("pk"))
    )
    rows = [(value, str(label), counts.get(value, 0)) for value, label in EvaluationDesign.choices]
    rows.append((NOT_RECORDED, "Not recorded", counts.get("", 0)))
    result.append(build("design", "Evaluation design", rows))

    counts = dict(
        filterset.without("rating")
        .order_by()
        .values_list("evidence_rating")
        .annotate(n=Count("pk"))
    )
    rows = [
        (str(value), str(label), counts.get(value, 0)) for value, label in EvidenceRating.choices
    ]
    rows.append((NOT_RECORDED, "Not rated", counts.get(None, 0)))
    result.append(build("rating", "Evidence rating", rows))

    totals = filterset.without("has_full_text").aggregate(
        yes=Count("pk", filter=Q(text_status__in=HAS_TEXT)),
        no=Count("pk", filter=~Q(text_status__in=HAS_TEXT)),
    )
    chosen = data.get("has_full_text") or ""
    result.append(
        Facet(
            "has_full_text",
            "Has full text",
            [
                FacetValue(key, text, totals[key], key == chosen)
                for key, text in [("yes", "Yes"), ("no", "No")]
                if totals[key] or key == chosen
            ],
        )
    )

    counts = dict(
        DocumentProject.objects.filter(
            published_project_q(),
            document__in=_pks(filterset.without("project_stage")),
        )
        .order_by()
        .values_list("project__stage")
        .annotate(n=Count("document", distinct=True))
    )
    rows = [(value, str(label), counts.get(value, 0)) for value, label in Stage.choices]
    result.append(build("project_stage", "Linked case's stage", rows))
    return result


def year_range(filterset: EvidenceFilter) -> RangeFacet:
    base = filterset.without("year_min", "year_max").exclude(publication_date="")
    totals = base.aggregate(low=Min("publication_date"), high=Max("publication_date"))
    data = filterset.form.data
    missing = filterset.without("year_min", "year_max").filter(publication_date="").count()
    return RangeFacet(
        "year",
        "Year published",
        int(totals["low"][:4]) if totals["low"] else None,
        int(totals["high"][:4]) if totals["high"] else None,
        missing,
        min_value=str(data.get("year_min", ""))[:10],
        max_value=str(data.get("year_max", ""))[:10],
        none_checked=bool(filterset.form.cleaned_data.get("year_none")),
    )
