"""The case-study filters, shared by the list page, exports and the API: one definition each.

Every parameter is validated by its form field; a value that does not validate is ignored
(and the page says so), never a server error.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django_countries import countries

from cases.models import (
    DeliveryLocation,
    Organisation,
    Pipeline,
    PipelineInstrument,
    PipelineSector,
    PipelineStage,
    PipelineState,
    PolicySector,
    Project,
    ProjectParty,
    Stage,
)
from cases.parties import (
    COUNTRY_FLAG,
    FACET_ROLES,
    country_condition,
    public_party,
    role_condition,
    role_flag,
)
from cases.roles import BY_KEY, Role
from cases.search import PIPELINES, PROJECTS
from common.facets import (
    BOUNDED,
    NOT_RECORDED,
    RELEVANCE,
    AggregateSpec,
    AmountFilter,
    CodeListFilter,
    ColumnFacet,
    Counted,
    CountFilter,
    Facet,
    FacetedFilterSet,
    JoinFacet,
    Kind,
    NotRecordedFilter,
    Part,
    Parts,
    RangeSpec,
    Rows,
    Sort,
    Tally,
    YearFilter,
    YesNoFacet,
    YesNoFilter,
    _facet,
    conditional_count,
    in_or_blank,
    row_pks,
)
from common.models import PublicationStatus

ORG_ID = re.compile(r"^INDIGO-ORG-\d{4,9}$")


def _not_recorded(rows: QuerySet, flag: str) -> Tally:
    """How many list rows lack the facet's value (its ``flag`` is false): one row of
    (NOT_RECORDED, label, n), tallied with the others over the same rows."""
    return Tally(
        rows, Value(NOT_RECORDED), Value("Not recorded"), conditional_count(Q(**{flag: False}))
    )


def _country_counts(filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
    located = DeliveryLocation.objects.filter(project__in=row_pks(base)).exclude(country="")

    def grouped(rows: QuerySet, limit: int | None = None) -> Part:
        return Part.of(
            rows.order_by()
            .values(v=F("country"))
            .annotate(l=Value(None, CharField()), n=Count("project", distinct=True))
            .values_list("v", "l", "n"),
            limit,
        )

    parts: list[Part | Tally] = [grouped(located, limit)]
    chosen = filterset.chosen("country") - {NOT_RECORDED}
    if limit is not None and chosen:
        parts.append(grouped(located.filter(country__in=sorted(chosen))))
    parts.append(_not_recorded(base, COUNTRY_FLAG))
    return parts


def _country_name(code: str) -> str:
    return countries.name(code) or code


def _role_counts(role: Role):
    """(INDIGO id, name, projects) of each public party in this role among the list rows:
    one grouped query over ``ProjectParty`` (each published party a project names in the
    role, once: cases.parties keeps it), so neither the role tables nor a count of distinct
    projects is needed. Still joined to the organisation and checked published there."""

    def counts(filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
        quote = connections[base.db].ops.quote_name
        pks, pk_params = row_pks(base).query.sql_with_params()
        parties = quote(ProjectParty._meta.db_table)
        organisations = quote(Organisation._meta.db_table)

        def grouped(chosen: list[str] | None = None, limit: int | None = None) -> Part:
            only = f" AND o.indigo_id IN ({', '.join(['%s'] * len(chosen))})" if chosen else ""
            # Grouped by the organisation's key first: its row is read once per party, not
            # once per project.
            sql = (
                "SELECT o.indigo_id AS v, o.name AS l, c.n AS n FROM ("  # noqa: S608  # nosec B608 - model names
                f"SELECT r.organisation_id AS org_id, COUNT(*) AS n FROM {parties} r "
                f"WHERE r.role = %s AND r.project_id IN ({pks}) GROUP BY r.organisation_id"
                f") c JOIN {organisations} o ON o.id = c.org_id WHERE o.status = %s{only}"
            )
            return Part(
                sql,
                (role.key, *pk_params, PublicationStatus.PUBLISHED, *(chosen or [])),
                limit,
            )

        parts: list[Part | Tally] = [grouped(limit=limit)]
        chosen = sorted(filterset.chosen(role.key) - {NOT_RECORDED})
        if limit is not None and chosen:
            parts.append(grouped(chosen))
        parts.append(_not_recorded(base, role_flag(role)))
        return parts

    return counts


def _with_not_recorded(choices) -> list[tuple[str, str]]:
    return [*choices, (NOT_RECORDED, "Not recorded")]


class CaseFilter(FacetedFilterSet):
    policy_area = CodeListFilter(
        method="filter_policy_area",
        label="Policy area",
        choices=_with_not_recorded(PolicySector.choices),
    )
    country = CodeListFilter(
        method="filter_country", label="Country", pattern=re.compile(r"^[A-Z]{2}$")
    )
    stage = CodeListFilter(
        method="filter_stage", label="Stage", choices=_with_not_recorded(Stage.choices)
    )
    outcome_payer = CodeListFilter(method="filter_role", label="Outcome payer", pattern=ORG_ID)
    investor = CodeListFilter(method="filter_role", label="Investor", pattern=ORG_ID)
    service_provider = CodeListFilter(
        method="filter_role", label="Service provider", pattern=ORG_ID
    )
    launch_year_min = YearFilter(
        field_name="launch_year", lookup_expr="gte", label="Launched from", low=1900, high=2200
    )
    launch_year_max = YearFilter(
        field_name="launch_year", lookup_expr="lte", label="Launched until", low=1900, high=2200
    )
    launch_year_none = NotRecordedFilter(
        field_name="launch_year", lookup_expr="isnull", label="Launch year not recorded"
    )
    capital_min = AmountFilter(
        field_name="capital_raised_usd",
        lookup_expr="gte",
        label="Capital from (USD)",
        low=0,
        high=10**14,
    )
    capital_max = AmountFilter(
        field_name="capital_raised_usd",
        lookup_expr="lte",
        label="Capital up to (USD)",
        low=0,
        high=10**14,
    )
    capital_none = NotRecordedFilter(
        field_name="capital_raised_usd", lookup_expr="isnull", label="Capital not recorded"
    )
    users_min = CountFilter(
        field_name="service_users_targeted",
        lookup_expr="gte",
        label="Service users from",
        low=0,
        high=10**12,
    )
    users_max = CountFilter(
        field_name="service_users_targeted",
        lookup_expr="lte",
        label="Service users up to",
        low=0,
        high=10**12,
    )
    users_none = NotRecordedFilter(
        field_name="service_users_targeted",
        lookup_expr="isnull",
        label="Service users not recorded",
    )
    has_results = YesNoFilter(method="filter_flag", label="Has results")
    has_evaluation = YesNoFilter(method="filter_flag", label="Has an evaluation document")

    search_index = PROJECTS
    sorts = {
        RELEVANCE: Sort("Relevance", ()),
        "newest": Sort("Newest launch", (F("launch_year").desc(nulls_last=True), "indigo_id")),
        "capital": Sort(
            "Capital raised", (F("capital_raised_usd").desc(nulls_last=True), "indigo_id")
        ),
        "users": Sort(
            "Service users", (F("service_users_targeted").desc(nulls_last=True), "indigo_id")
        ),
        # project_by_name_idx: the published cases by name
        "name": Sort("Name", ("name", "indigo_id"), walk=True),
    }
    default_sort = "name"
    facet_page = "cases:case-facet"
    facets = [
        ColumnFacet("policy_area", "Policy area", "policy_sector", PolicySector.choices),
        ColumnFacet("stage", "Stage", "stage", Stage.choices),
        JoinFacet(
            "country",
            "Country",
            searchable=True,
            counts=_country_counts,
            bound=BOUNDED,
            label_of=_country_name,
        ),
        *(
            JoinFacet(r.key, r.label, searchable=True, counts=_role_counts(r), bound=BOUNDED)
            for r in FACET_ROLES
        ),
        YesNoFacet("has_results", "Has results", Q(has_results=True)),
        YesNoFacet("has_evaluation", "Has an evaluation", Q(has_evaluation=True)),
        RangeSpec(
            "launch_year",
            "Launch year",
            "launch_year",
            kind=Kind.YEAR,
            note="The year service started, or else the year contracts were signed.",
        ),
        RangeSpec("capital", "Capital raised", "capital_raised_usd", unit="USD", kind=Kind.AMOUNT),
        RangeSpec("users", "Service users targeted", "service_users_targeted"),
    ]

    class Meta:
        model = Project
        fields: list[str] = []

    # -- filter methods ------------------------------------------------------------------

    def filter_policy_area(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return in_or_blank(queryset, "policy_sector", value)

    def filter_stage(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return in_or_blank(queryset, "stage", value)

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        codes = [v for v in value if v != NOT_RECORDED]
        # The cases in these countries, read from the locations' country index (a probe of
        # each listed case instead cost SQLite 34 ms over 100,000 cases, 20 ms this way).
        condition = Q(
            pk__in=DeliveryLocation.objects.filter(country__in=codes).values("project_id")
        )
        if NOT_RECORDED in value:
            condition |= ~Q(country_condition())
        return queryset.filter(condition)

    def filter_role(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        role = BY_KEY[name]
        ids = [v for v in value if v != NOT_RECORDED]
        condition = Q()
        for model, field in role.sources():
            rows = model._default_manager.filter(
                public_party(field), project=OuterRef("pk"), **{f"{field}__indigo_id__in": ids}
            )
            condition |= Q(Exists(rows))
        if NOT_RECORDED in value:
            condition |= ~role_condition(role)
        return queryset.filter(condition)

    def filter_flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(**{name: value == "yes"})


# ---------------------------------------------------------------------------------------------
# The pipeline: projects in development


@dataclass
class FlagsFacet(AggregateSpec):
    """Several Yes/No columns of the list's own table as one facet (a pipeline project can
    answer Yes for several sectors): a count per column that says Yes, and "not recorded"
    for rows that say Yes to none. Shares the aggregate query with the column facets."""

    name: str
    label: str
    prefix: str  # the columns are ``<prefix><value>``
    choices: list[tuple[str, str]]
    not_recorded: str = "None recorded"

    def any_yes(self) -> Q:
        condition = Q()
        for value, _label in self.choices:
            condition |= Q(**{f"{self.prefix}{value}": True})
        return condition

    def aggregates(self) -> dict[str, Any]:
        counts = {
            f"{self.name}__{i}": Count("pk", filter=Q(**{f"{self.prefix}{value}": True}))
            for i, (value, _label) in enumerate(self.choices)
        }
        counts[f"{self.name}__none"] = Count("pk", filter=~self.any_yes())
        return counts

    def parts(self, filterset: FacetedFilterSet, base: QuerySet, limit: int | None) -> Parts:
        """One row per column: how many rows say Yes to it; and to none (one pass)."""

        def counted(condition: Q, value: str) -> Tally:
            return Tally(base, Value(value), Value(None, CharField()), conditional_count(condition))

        columns = [Q(**{f"{self.prefix}{value}": True}) for value, _label in self.choices]
        return [
            *(counted(q, str(value)) for q, (value, _l) in zip(columns, self.choices, strict=True)),
            counted(~self.any_yes(), NOT_RECORDED),
        ]

    def build(self, filterset: FacetedFilterSet, counted: Counted) -> Facet:
        found = {v: n for v, _l, n in counted.merged(*range(len(counted.rows)))}
        totals = {
            f"{self.name}__{i}": found.get(str(v), 0) for i, (v, _l) in enumerate(self.choices)
        }
        totals[f"{self.name}__none"] = found.get(NOT_RECORDED, 0)
        return self.build_totals(filterset, totals)

    def build_totals(self, filterset: FacetedFilterSet, totals: dict[str, Any]) -> Facet:
        rows = [
            (str(value), str(label), totals[f"{self.name}__{i}"])
            for i, (value, label) in enumerate(self.choices)
        ]
        rows.sort(key=lambda row: -row[2])
        rows.append((NOT_RECORDED, self.not_recorded, totals[f"{self.name}__none"]))
        return _facet(filterset, self, rows)

    def filter(self, queryset: QuerySet, values: list[str]) -> QuerySet:
        """Rows that say Yes to any chosen column (or to none, for ``NOT_RECORDED``)."""
        if not values:
            return queryset
        condition = Q()
        for value in values:
            if value == NOT_RECORDED:
                condition |= ~self.any_yes()
            else:
                condition |= Q(**{f"{self.prefix}{value}": True})
        return queryset.filter(condition)


PIPELINE_SECTORS = FlagsFacet(
    "policy_area", "Policy area", "sector_", PipelineSector.choices, "No sector recorded"
)
PIPELINE_INSTRUMENTS = FlagsFacet(
    "instrument", "Instrument", "instrument_", PipelineInstrument.choices, "No type recorded"
)


def has_country(code: str) -> Q:
    """A pipeline project's ``countries`` (``KE,TZ,UG``) holds ``code``."""
    return (
        Q(countries=code)
        | Q(countries__startswith=f"{code},")
        | Q(countries__endswith=f",{code}")
        | Q(countries__contains=f",{code},")
    )


def _pipeline_country_rows(filterset: FacetedFilterSet, base: QuerySet) -> Rows:
    # One column holds each row's list of countries: read it for the rows in one query and
    # count in Python (pipelines are few: 132 in 2025-05; a join table would pay at 100×).
    counts: Counter[str] = Counter()
    for value in base.order_by().values_list("countries", flat=True):
        counts.update(code for code in value.split(",") if code)
        if not value:
            counts[NOT_RECORDED] += 1
    rows = sorted(
        (
            (code, countries.name(code) or code, n)
            for code, n in counts.items()
            if code != NOT_RECORDED
        ),
        key=lambda row: (-row[2], row[1]),
    )
    rows.append((NOT_RECORDED, "Not recorded", counts[NOT_RECORDED]))
    return rows


class PipelineFilter(FacetedFilterSet):
    """The pipeline list's filters (``/pipeline/``): the same parameter names as the case
    list where they mean the same (``country``, ``policy_area``, ``stage``), though the
    values are the pipeline's own code lists."""

    stage = CodeListFilter(
        method="filter_stage",
        label="Stage of development",
        choices=_with_not_recorded(PipelineStage.choices),
    )
    state = CodeListFilter(
        method="filter_state", label="State", choices=_with_not_recorded(PipelineState.choices)
    )
    country = CodeListFilter(
        method="filter_country", label="Country", pattern=re.compile(r"^[A-Z]{2}$")
    )
    policy_area = CodeListFilter(
        method="filter_flags",
        label="Policy area",
        choices=_with_not_recorded(PipelineSector.choices),
    )
    instrument = CodeListFilter(
        method="filter_flags",
        label="Instrument",
        choices=_with_not_recorded(PipelineInstrument.choices),
    )
    launch_year_min = YearFilter(
        field_name="expected_launch_year",
        lookup_expr="gte",
        label="Expected launch from",
        low=1900,
        high=2200,
    )
    launch_year_max = YearFilter(
        field_name="expected_launch_year",
        lookup_expr="lte",
        label="Expected launch until",
        low=1900,
        high=2200,
    )
    launch_year_none = NotRecordedFilter(
        field_name="expected_launch_year",
        lookup_expr="isnull",
        label="Expected launch not recorded",
    )

    search_index = PIPELINES
    sorts = {
        RELEVANCE: Sort("Relevance", ()),
        "name": Sort("Name", ("name", "indigo_id")),
        "launch": Sort(
            "Expected launch", (F("expected_launch_year").asc(nulls_last=True), "indigo_id")
        ),
        "newest": Sort("Newest in the pipeline", ("-indigo_id",)),
    }
    default_sort = "name"
    facets = [
        ColumnFacet("stage", "Stage of development", "stage", PipelineStage.choices),
        PIPELINE_SECTORS,
        JoinFacet("country", "Country", _pipeline_country_rows, searchable=True),
        PIPELINE_INSTRUMENTS,
        ColumnFacet("state", "State", "state", PipelineState.choices),
        RangeSpec(
            "launch_year",
            "Expected launch year",
            "expected_launch_year",
            kind=Kind.YEAR,
            note="The first year the expected launch date names (“Q2 - 2023 or later”: 2023).",
        ),
    ]

    class Meta:
        model = Pipeline
        fields: list[str] = []

    def filter_stage(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return in_or_blank(queryset, "stage", value)

    def filter_state(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return in_or_blank(queryset, "state", value)

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        condition = Q()
        for code in value:
            condition |= Q(countries="") if code == NOT_RECORDED else has_country(code)
        return queryset.filter(condition)

    def filter_flags(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        facet = PIPELINE_SECTORS if name == "policy_area" else PIPELINE_INSTRUMENTS
        return facet.filter(queryset, value)
