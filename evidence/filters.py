"""The evidence-library filters, shared by the list page and its exports (one definition).

Same rules as the case filters: a value that does not validate is ignored and listed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django_countries import countries

from cases.models import PolicySector, Project, Stage, published_project_q
from common.facets import (
    NOT_RECORDED,
    RELEVANCE,
    CodeListFilter,
    ColumnFacet,
    Counted,
    Facet,
    FacetedFilterSet,
    JoinFacet,
    NotRecordedFilter,
    Part,
    RangeFacet,
    RangeSpec,
    Sort,
    YearFilter,
    YesNoFacet,
    YesNoFilter,
    _facet,
    row_pks,
)
from common.models import PublicationStatus
from evidence.models import (
    SEARCHABLE_TEXT,
    DocumentCountry,
    DocumentPolicyArea,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    EvidenceRating,
)
from evidence.search import DOCUMENTS


def _linked_project(**conditions: Any) -> Exists:
    return Exists(
        DocumentProject.objects.filter(published_project_q(), document=OuterRef("pk"), **conditions)
    )


def _not_recorded(rows: QuerySet, label: str = "Not recorded") -> Part:
    """How many list rows lack the facet's value: one row of (NOT_RECORDED, label, n)."""
    return Part.of(
        rows.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(v=Value(NOT_RECORDED), l=Value(label), n=Count("*"))
        .values_list("v", "l", "n")
    )


def _joined(rows: QuerySet, column: str, count: Any = None, limit: int | None = None) -> Part:
    """``rows`` of a joined table grouped by ``column``: (value, NULL, documents). A table
    with one row per document and value needs no DISTINCT (COUNT(*) reads the index only)."""
    return Part.of(
        rows.order_by()
        .values(v=F(column))
        .annotate(l=Value(None, CharField()), n=count or Count("*"))
        .values_list("v", "l", "n"),
        limit,
    )


def _policy_area_counts(
    filterset: FacetedFilterSet, base: QuerySet, limit: int | None
) -> list[Part]:
    # One row per document and policy area (a unique constraint): COUNT(*) counts documents.
    areas = DocumentPolicyArea.objects.filter(document__in=row_pks(base))
    without = base.exclude(Exists(DocumentPolicyArea.objects.filter(document=OuterRef("pk"))))
    return [_joined(areas, "policy_area"), _not_recorded(without)]


def _country_name(code: str) -> str:
    return countries.name(code) or code


def _country_counts(filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> list[Part]:
    # One row per document and country (a unique constraint).
    return [_joined(DocumentCountry.objects.filter(document__in=row_pks(base)), "country")]


PUBLISHER_VALUES = 60  # the most frequent publishers a facet lists (chosen ones too)


def _publisher_counts(filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> list[Part]:
    named = base.exclude(publisher="")
    parts = [_joined(named, "publisher", limit=PUBLISHER_VALUES)]
    chosen = sorted(filterset.chosen("publisher"))
    if chosen:
        parts.append(_joined(named.filter(publisher__in=chosen), "publisher"))
    return parts


def _project_stage_counts(
    filterset: FacetedFilterSet, base: QuerySet, limit: int | None
) -> list[Part]:
    links = DocumentProject.objects.filter(document__in=row_pks(base)).order_by()
    if connections[base.db].vendor != "sqlite":
        # PostgreSQL hashes the join (the cases read from their facet index).
        public = links.filter(published_project_q()).annotate(stage=F("project__stage"))
        return [_joined(public, "stage", count=Count("document", distinct=True))]
    # SQLite: driven by the links of the listed documents (their document_id index), each
    # link's case read by its key from a narrow index (evidence.search): a CROSS JOIN keeps
    # that order, where SQLite otherwise scanned every published case and probed the links
    # of each for every listed document (9 s at 10,000 cases). Public cases only: the
    # condition of published_project_q.
    quote = connections[base.db].ops.quote_name
    pks, params = row_pks(base).query.sql_with_params()
    link, case = DocumentProject._meta, Project._meta
    sql = (
        "SELECT c.stage AS v, NULL AS l, COUNT(DISTINCT k.document_id) AS n "  # noqa: S608  # nosec B608 - names from the models
        f"FROM {quote(link.db_table)} k CROSS JOIN {quote(case.db_table)} c "
        "WHERE c.id = k.project_id AND c.status = %s AND c.deleted_at IS NULL "
        f"AND k.document_id IN ({pks}) GROUP BY c.stage"
    )
    return [Part(sql, (PublicationStatus.PUBLISHED, *params))]


@dataclass
class CodeListJoinFacet(JoinFacet):
    """A joined facet whose values come from a code list: listed in the list's order (as
    the filter's check boxes are), not by count."""

    choices: list[tuple[str, str]] = field(default_factory=list)
    not_recorded: bool = False

    def build(self, filterset: FacetedFilterSet, counted: Counted, *, every: bool = False) -> Facet:
        found = {v: n for v, _l, n in counted.merged(*range(len(counted.rows)))}
        rows = [(value, str(label), found.get(value, 0)) for value, label in self.choices]
        if self.not_recorded:
            rows.append((NOT_RECORDED, "Not recorded", found.get(NOT_RECORDED, 0)))
        return _facet(filterset, self, rows)


# The facets on the document's own columns (type, design, rating, full text, year) read
# one grouped pass over the matching documents, by every combination of their values, and
# each applies the others' filters to its groups here: one pass where each facet had its
# own (on PostgreSQL each re-read the rows its full-text index found, the table's wide rows).
CUBE = ("type", "design", "rating", "has_full_text", "year_min", "year_max", "year_none")


@dataclass(frozen=True)
class _Group:
    """Documents alike in every column facet: type, design, rating ("" when not rated),
    full text ("yes"/"no"), year ("" when not recorded), and how many."""

    type: str
    design: str
    rating: str
    text: str
    year: str
    n: int


def _cube(filterset: FacetedFilterSet) -> Part:
    """The documents under every filter but the column facets', grouped as ``_Group``s."""
    rating = Coalesce(Cast("evidence_rating", CharField()), Value(""))
    text = Case(When(text_status__in=SEARCHABLE_TEXT, then=Value("yes")), default=Value("no"))
    key = Concat(
        *(
            item
            for column in (F("document_type"), F("evaluation_design"), rating, text)
            for item in (column, Value("|"))
        ),
        Substr("publication_date", 1, 4),
        output_field=CharField(),
    )
    return Part.of(
        filterset.without(*CUBE)
        .order_by()
        .values(v=key)
        .annotate(l=Value(None, CharField()), n=Count("*"))
        .values_list("v", "l", "n")
    )


def _groups(filterset: FacetedFilterSet, counted: Counted, skip: tuple[str, ...]) -> list[_Group]:
    """The groups whose documents pass the column facets' filters but those in ``skip``:
    the same conditions as EvidenceFilter's filter methods."""
    data = filterset.form.cleaned_data

    def given(name: str) -> Any:
        return None if name in skip else data.get(name)

    types, designs, ratings = given("type") or [], given("design") or [], given("rating") or []
    full_text, year_min, year_max = given("has_full_text"), given("year_min"), given("year_max")
    hide = "type" not in skip and not filterset.chosen("type")
    low = None if year_min is None else f"{int(year_min):04d}"
    high = None if year_max is None else f"{int(year_max) + 1:04d}"
    chosen_ratings = {str(int(v)) for v in ratings if v != NOT_RECORDED}

    def among(value: str, chosen: list[str] | set[str], listed: list[str]) -> bool:
        """A list filter's condition: no values chosen, a chosen value, or blank when
        "not recorded" is chosen."""
        return not listed or value in chosen or (value == "" and NOT_RECORDED in listed)

    kept = []
    for value, _label, n in counted.rows[0]:
        type_, design, rating, text, year = value.split("|")
        passes = (
            among(type_, types, types)
            and not (hide and type_ == DocumentType.CORRESPONDENCE)
            and among(design, designs, designs)
            and among(rating, chosen_ratings, ratings)
            and (not full_text or text == full_text)
            and (low is None or (year != "" and year >= low))
            and (high is None or (year != "" and year < high))
            and (not given("year_none") or year == "")
        )
        if passes:
            kept.append(_Group(type_, design, rating, text, year, n))
    return kept


class CubeColumnFacet(ColumnFacet):
    """A ColumnFacet counted from the one grouped pass (``_cube``)."""

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> list[Part]:
        return [_cube(filterset)]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> Facet:
        found: Counter[str | None] = Counter()
        for g in _groups(filterset, counted, self.params):
            value: str | None = getattr(g, self.name)
            found[None if value == "" and self.blank is None else value] += g.n
        return super().build(filterset, Counted([[(v, None, n) for v, n in found.items()]], [0]))


class CubeYesNoFacet(YesNoFacet):
    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> list[Part]:
        return [_cube(filterset)]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> Facet:
        found: Counter[str] = Counter()
        for g in _groups(filterset, counted, self.params):
            found[g.text] += g.n
        return super().build(filterset, Counted([[(v, None, n) for v, n in found.items()]], [0]))


class CubeYearRange(RangeSpec):
    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> list[Part]:
        return [_cube(filterset)]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> RangeFacet:
        groups = _groups(filterset, counted, self.params)
        years = [g.year for g in groups if g.year]
        missing = sum(g.n for g in groups if not g.year)
        span = (min(years), max(years)) if years else (None, None)
        return super().build(filterset, Counted([[(*span, missing)]], [0]))


class EvidenceFilter(FacetedFilterSet):
    type = CodeListFilter(method="filter_type", label="Type", choices=DocumentType.choices)
    year_min = YearFilter(method="filter_year", label="Published from", low=1800, high=2200)
    year_max = YearFilter(method="filter_year", label="Published until", low=1800, high=2200)
    year_none = NotRecordedFilter(method="filter_year_none", label="Year not recorded")
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
    publisher = CodeListFilter(
        method="filter_publisher", label="Publisher", pattern=re.compile(r"^[^\x00]{1,300}$")
    )
    has_full_text = YesNoFilter(method="filter_full_text", label="Has full text")
    project_stage = CodeListFilter(
        method="filter_project_stage", label="Linked case's stage", choices=Stage.choices
    )

    search_index = DOCUMENTS
    sorts = {
        RELEVANCE: Sort("Relevance", ()),
        "newest": Sort("Newest", (F("publication_date").desc(), "title", "pk")),
        "oldest": Sort("Oldest", (F("publication_date").asc(), "title", "pk")),
        "title": Sort("Title", ("title", "pk")),
    }
    default_sort = "newest"
    # Correspondence and interviews are a case's provenance, not public evidence: left out
    # until chosen in the type facet (which counts them).
    hidden_by_default = {"type": Q(document_type=DocumentType.CORRESPONDENCE)}
    facets = [
        CubeColumnFacet("type", "Type", "document_type", DocumentType.choices, None, by_count=True),
        CodeListJoinFacet(
            "policy_area",
            "Policy area",
            counts=_policy_area_counts,
            choices=PolicySector.choices,
            not_recorded=True,
        ),
        JoinFacet(
            "country", "Country", searchable=True, counts=_country_counts, label_of=_country_name
        ),
        CubeColumnFacet(
            "design", "Evaluation design", "evaluation_design", EvaluationDesign.choices
        ),
        CubeColumnFacet(
            "rating",
            "Evidence rating",
            "evidence_rating",
            EvidenceRating.choices,
            "Not rated",
            blank=None,
        ),
        JoinFacet("publisher", "Publisher", searchable=True, counts=_publisher_counts),
        CubeYesNoFacet("has_full_text", "Has full text", Q(text_status__in=SEARCHABLE_TEXT)),
        CodeListJoinFacet(
            "project_stage",
            "Linked case's stage",
            counts=_project_stage_counts,
            choices=Stage.choices,
        ),
        CubeYearRange("year", "Year published", "publication_date", partial_date=True),
    ]

    class Meta:
        model = EvidenceDocument
        fields: list[str] = []

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

    def filter_publisher(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(publisher__in=value) if value else queryset

    def filter_full_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        has = Q(text_status__in=SEARCHABLE_TEXT)
        return queryset.filter(has if value == "yes" else ~has)

    def filter_project_stage(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(_linked_project(project__stage__in=value)) if value else queryset
