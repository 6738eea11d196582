"""The open-data API's case resources: cases (projects), organisations, outcome funds and
outcome metrics with their prices and results (wired up in ``golab.api``).

Cases and outcome metrics take the case list's parameters (``cases.filters.CaseFilter``):
``/api/v1/outcome-metrics/?policy_area=health`` is the metrics of the cases that
``/cases/?policy_area=health`` lists. Records are addressed by their INDIGO ids; a metric,
which has none of its own, by a number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar, cast

from django.db.models import F, Prefetch, Q, QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers

from cases.filters import CaseFilter, PipelineFilter
from cases.models import (
    DeliveryLocation,
    ImportRun,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePricing,
    Pipeline,
    PipelineInstrument,
    PipelineSector,
    Project,
    ProjectQuerySet,
    Result,
    published_project_q,
)
from cases.outcomes import attach_to_metrics
from cases.roles import ROLES
from common.api import (
    ERRORS,
    INDIGO_ID,
    NUMBER_ID,
    UPDATED_SINCE,
    PageURLField,
    PublishedViewSet,
    WithdrawnSerializer,
    filter_parameters,
    latest_change,
    once_public,
)
from common.downloads import Column, field, fields_of
from common.models import PublicationStatus

PUBLISHED = PublicationStatus.PUBLISHED


def cases_last_changed() -> dt.datetime | None:
    """The latest change to case data: a record saved here, or an import (which may change
    a project's rows without the project)."""
    return latest_change(
        (Project, "updated_at"),
        (Organisation, "updated_at"),
        (OutcomeFund, "updated_at"),
        (ImportRun, "finished_at"),
    )


def id_parameter(serializer: Any) -> OpenApiParameter:
    """The record's id in its URL: an INDIGO id, or a metric's number."""
    if serializer is OutcomeMetricSerializer:
        return OpenApiParameter("id", NUMBER_ID, OpenApiParameter.PATH)
    return OpenApiParameter(
        "indigo_id", str, OpenApiParameter.PATH, pattern=INDIGO_ID, description="INDIGO id"
    )


def _list_schema(serializer: Any, filterset: Any = None, **extra: Any) -> dict[str, Any]:
    parameters = filter_parameters(filterset) if filterset else [UPDATED_SINCE]
    return {
        "list": extend_schema(
            parameters=parameters, responses={200: serializer(many=True), **ERRORS}, **extra
        ),
        "retrieve": extend_schema(
            parameters=[id_parameter(serializer)],
            responses={200: serializer, 404: ERRORS[404], 429: ERRORS[429]},
        ),
        "withdrawn": extend_schema(
            parameters=[UPDATED_SINCE],
            responses={200: WithdrawnSerializer(many=True), **ERRORS},
            description="The ids of records that were public and are no longer: delete them.",
        ),
    }


# ---------------------------------------------------------------------------------------------
# Serialisers


class PricingSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomePricing
        fields = [
            "outcome_metric_ref",
            "currency",
            "price_per_unit",
            "price_per_unit_text",
            "price_per_unit_usd",
            "max_price",
            "description",
            "contracted_increases",
        ]


class ResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = [
            "outcome_metric_ref",
            "level",
            "result_type",
            "period_start",
            "period_end",
            "outcomes_achieved",
            "outcomes_achieved_text",
            "number_engaged",
            "number_positive",
            "other_description",
        ]


class OutcomeMetricSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:outcome-metric-detail")
    case = serializers.CharField(source="project.indigo_id", read_only=True)
    case_name = serializers.CharField(source="project.name", read_only=True)
    policy_area = serializers.CharField(source="policy_sector", read_only=True)
    pricings = PricingSerializer(many=True, read_only=True, help_text="Its prices per outcome.")
    results = ResultSerializer(many=True, read_only=True, help_text="Its results.")

    class Meta:
        model = OutcomeMetric
        fields = [
            "id",
            "api_url",
            "case",
            "case_name",
            "local_id",
            "definition",
            "target_population",
            "service_users_targeted",
            "targeted_unit_type",
            "targeted_unit_description",
            "target",
            "other_target",
            "validation_method",
            "validation_data_source",
            "policy_area",
            "pricings",
            "results",
        ]


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="indigo_id", read_only=True, help_text="INDIGO id")
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:case-detail", lookup_field="indigo_id"
    )
    page = PageURLField(help_text="The case study's page.")
    policy_area = serializers.CharField(source="policy_sector", read_only=True)
    countries = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2 codes.")

    class Meta:
        model = Project
        fields = [
            "id",
            "api_url",
            "page",
            "name",
            "alternative_names",
            "stage",
            "policy_area",
            "countries",
            "launch_year",
            *Project.DATE_FIELDS,
            "capital_raised_usd",
            "capital_currency",
            "capital_amount_min",
            "capital_amount",
            "capital_amount_max",
            "capital_usd_min",
            "capital_usd",
            "capital_usd_max",
            "max_outcome_payment_currency",
            "max_outcome_payment",
            "max_outcome_payment_usd",
            "outcome_payments_made_currency",
            "outcome_payments_made",
            "outcome_payments_made_usd",
            "service_users_targeted",
            "service_users_actual",
            "social_challenge",
            "intervention",
            "target_population",
            "primary_sdg_goal",
            "secondary_sdg_goals",
            "has_results",
            "has_evaluation",
            "updated_at",
        ]

    def get_countries(self, project: Project) -> list[str]:
        locations = project.delivery_locations.all()
        return list(dict.fromkeys(loc.country for loc in locations if loc.country))


class PartySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[role.key for role in ROLES])
    organisation = serializers.CharField(
        allow_null=True, help_text="INDIGO id; null for an organisation not (yet) published."
    )
    name = serializers.CharField(allow_null=True)
    role_category = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    summary = serializers.CharField(read_only=True, help_text="Curated, as cleaned HTML.")
    lessons = serializers.CharField(read_only=True, help_text="Curated, as cleaned HTML.")
    parties = serializers.SerializerMethodField()
    outcome_funds = serializers.SerializerMethodField(help_text="INDIGO ids of outcome funds.")
    outcome_metrics = OutcomeMetricSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "summary",
            "lessons",
            "parties",
            "outcome_funds",
            "outcome_metrics",
        ]

    @extend_schema_field(PartySerializer(many=True))
    def get_parties(self, project: Project) -> list[dict[str, Any]]:
        parties: dict[tuple[str, str | None, str | None, str], dict[str, Any]] = {}
        for role in ROLES:
            for row in getattr(project, role.related).all():
                organisation = row.organisation
                if organisation is None:
                    indigo_id, name = (row.organisation_ref or None), None
                elif organisation.status == PUBLISHED:
                    indigo_id, name = organisation.indigo_id, organisation.name
                else:  # a draft organisation is named nowhere public
                    indigo_id, name = None, None
                key = (role.key, indigo_id, name, row.role_category)
                parties.setdefault(key, dict(zip(("role", "organisation", "name",
                                                  "role_category"), key, strict=True)))  # fmt: skip
        return list(parties.values())

    def get_outcome_funds(self, project: Project) -> list[str]:
        return [
            link.fund.indigo_id
            for link in project.project_outcome_funds.all()
            if link.fund and link.fund.status == PUBLISHED
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="indigo_id", read_only=True, help_text="INDIGO id")
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="indigo_id"
    )
    page = PageURLField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "api_url",
            "page",
            "name",
            "trading_name",
            "translated_name_english",
            "organisation_type",
            "jurisdiction",
            "country",
            "website",
            "org_id_primary",
            "description",
            "updated_at",
        ]


class FundSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="indigo_id", read_only=True, help_text="INDIGO id")
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:fund-detail", lookup_field="indigo_id"
    )
    page = PageURLField()

    class Meta:
        model = OutcomeFund
        fields = [
            "id",
            "api_url",
            "page",
            "name",
            "stage",
            "host_institution",
            "mechanism",
            "launch_date",
            "anticipated_end",
            "actual_end",
            "purpose",
            "target_population",
            "country",
            "value_currency",
            "value_aspiration",
            "value_aspiration_usd",
            "value_actual",
            "value_actual_usd",
            "updated_at",
        ]


# ---------------------------------------------------------------------------------------------
# Resources


def attach_outcomes(metrics: Iterable[OutcomeMetric]) -> None:
    """Each metric's prices and results (``metric.pricings``, ``metric.results``), matched
    as the case page matches them (against all of its project's metrics), in three queries
    for any number of metrics."""
    metrics = list(metrics)
    project_ids = {m.project_id for m in metrics}
    if not project_ids:
        return
    siblings: dict[int, list[OutcomeMetric]] = defaultdict(list)
    for metric in OutcomeMetric.objects.filter(project_id__in=project_ids).only(
        "pk", "project_id", "local_id", "position"
    ):
        siblings[metric.project_id].append(metric)
    pricings: dict[int, list[OutcomePricing]] = defaultdict(list)
    for pricing in OutcomePricing.objects.filter(project_id__in=project_ids):
        pricings[pricing.project_id].append(pricing)
    results: dict[int, list[Result]] = defaultdict(list)
    for result in Result.objects.filter(project_id__in=project_ids):
        results[result.project_id].append(result)
    attached = {}
    for project_id in project_ids:
        prices, _ = attach_to_metrics(siblings[project_id], pricings[project_id])
        found, _ = attach_to_metrics(siblings[project_id], results[project_id])
        attached[project_id] = (prices, found)
    for metric in metrics:
        prices, found = attached[metric.project_id]
        metric.pricings = prices.get(metric.pk, [])  # type: ignore[attr-defined]
        metric.results = found.get(metric.pk, [])  # type: ignore[attr-defined]


def _locations() -> Prefetch:
    return Prefetch(
        "delivery_locations",
        queryset=DeliveryLocation.objects.only("project_id", "position", "country"),
    )


@extend_schema_view(**_list_schema(CaseSerializer, CaseFilter))
class CaseViewSet(PublishedViewSet):
    """Case studies: impact bonds and other outcomes contracts."""

    filterset_class = CaseFilter
    serializer_class = CaseSerializer
    lookup_field = "indigo_id"

    def published(self) -> QuerySet:
        return Project.objects.published()

    def shape(self, queryset: QuerySet) -> QuerySet:
        return queryset.defer("import_baseline", "search_text").prefetch_related(_locations())

    def get_queryset(self) -> QuerySet:
        published = cast(ProjectQuerySet, self.published())
        return published.for_detail().defer("import_baseline", "search_text")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def decorate(self, rows: Iterable[Any]) -> None:
        if self.action != "retrieve":
            return
        for project in rows:  # for_detail() fetched its metrics, prices and results
            metrics = list(project.outcome_metrics.all())
            prices, _ = attach_to_metrics(metrics, project.outcome_pricings.all())
            results, _ = attach_to_metrics(metrics, project.results.all())
            for metric in metrics:
                metric.pricings = prices.get(metric.pk, [])
                metric.results = results.get(metric.pk, [])

    def withdrawn_rows(self) -> QuerySet:
        return Project.objects.filter(once_public(Project, published_project_q(""))).values(
            "updated_at", record_id=F("indigo_id")
        )

    def last_changed(self) -> dt.datetime | None:
        return cases_last_changed()


class IndigoRecordViewSet(PublishedViewSet):
    """Records with an INDIGO id and their own publication status (organisations, funds,
    the pipeline): looked up by that id, listed in its order, withdrawn when once public."""

    model: ClassVar[type[Any]]
    lookup_field = "indigo_id"
    default_order = ("indigo_id",)

    def published(self) -> QuerySet:
        return self.model.objects.published().defer("import_baseline")

    def withdrawn_rows(self) -> QuerySet:
        return self.model.objects.filter(once_public(self.model, Q(status=PUBLISHED))).values(
            "updated_at", record_id=F("indigo_id")
        )

    def last_changed(self) -> dt.datetime | None:
        return cases_last_changed()


@extend_schema_view(**_list_schema(OrganisationSerializer))
class OrganisationViewSet(IndigoRecordViewSet):
    """Organisations: outcome payers, investors, service providers, intermediaries."""

    model = Organisation
    serializer_class = OrganisationSerializer


@extend_schema_view(**_list_schema(FundSerializer))
class FundViewSet(IndigoRecordViewSet):
    """Outcome funds: funds that pay for outcomes across several projects."""

    model = OutcomeFund
    serializer_class = FundSerializer


class WithdrawnMetricSerializer(WithdrawnSerializer):
    id = serializers.IntegerField(source="record_id")


@extend_schema_view(
    **{
        **_list_schema(OutcomeMetricSerializer, CaseFilter),
        "withdrawn": extend_schema(
            parameters=[UPDATED_SINCE],
            responses={200: WithdrawnMetricSerializer(many=True), **ERRORS},
            description="Metrics of cases that were public and are no longer: delete them.",
        ),
    }
)
class OutcomeMetricViewSet(PublishedViewSet):
    """Outcome metrics with their prices and results, of the cases the case-list
    parameters choose; ``updated_since`` keeps the metrics of cases changed since."""

    filterset_class = CaseFilter
    serializer_class = OutcomeMetricSerializer
    lookup_value_regex = "[0-9]{1,18}"  # NUMBER_ID
    withdrawn_serializer_class = WithdrawnMetricSerializer

    def published(self) -> QuerySet:
        return Project.objects.published()

    def listed(self, request: Any) -> QuerySet:
        # The cases the parameters choose (updated_since applies to them: a metric has no
        # time of its own), and their metrics.
        return metrics_of(super().listed(request))

    def get_queryset(self) -> QuerySet:
        return metrics_of(self.published())

    def decorate(self, rows: Iterable[Any]) -> None:
        attach_outcomes(rows)

    def withdrawn_rows(self) -> QuerySet:
        return OutcomeMetric.objects.filter(
            project__in=Project.objects.filter(
                once_public(Project, published_project_q(""))
            ).values("pk")
        ).values(record_id=F("id"), updated_at=F("project__updated_at"))

    def last_changed(self) -> dt.datetime | None:
        return cases_last_changed()


class PipelineSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="indigo_id", read_only=True, help_text="INDIGO id")
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:pipeline-detail", lookup_field="indigo_id"
    )
    page = PageURLField()
    countries = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2 codes.")
    policy_areas = serializers.SerializerMethodField(help_text="The sectors it answers yes to.")
    instruments = serializers.SerializerMethodField()

    class Meta:
        model = Pipeline
        fields = [
            "id",
            "api_url",
            "page",
            "name",
            "alternative_names",
            "state",
            "stage",
            "countries",
            "location_names",
            "policy_areas",
            "instruments",
            "expected_launch",
            "expected_launch_year",
            "social_challenge",
            "intervention_model",
            "target_population",
            "service_users_targeted",
            "updated_at",
        ]

    def get_countries(self, pipeline: Pipeline) -> list[str]:
        return pipeline.country_codes()

    def get_policy_areas(self, pipeline: Pipeline) -> list[str]:
        return [v for v in PipelineSector.values if getattr(pipeline, f"sector_{v}") is True]

    def get_instruments(self, pipeline: Pipeline) -> list[str]:
        return [v for v in PipelineInstrument.values if getattr(pipeline, f"instrument_{v}")]


@extend_schema_view(**_list_schema(PipelineSerializer, PipelineFilter))
class PipelineViewSet(IndigoRecordViewSet):
    """The pipeline: outcomes-based projects in development."""

    model = Pipeline
    filterset_class = PipelineFilter
    serializer_class = PipelineSerializer

    def last_changed(self) -> dt.datetime | None:
        return latest_change((Pipeline, "updated_at"), (ImportRun, "finished_at"))


# ---------------------------------------------------------------------------------------------
# Downloads (``cases.views.case_download``, ``cases.views.outcome_metric_download``): the same
# records, one row each.


def _countries(project: Project) -> list[str]:
    return project.download_countries  # type: ignore[attr-defined]  # by attach_countries


def attach_countries(rows: list[Project]) -> None:
    """A download's chunk of cases with their countries, in one query of (case, country)
    pairs. Not a prefetch: that builds a queryset and a model instance for every location of
    every row, about a third of a download's peak memory."""
    found: dict[int, list[str]] = defaultdict(list)
    pairs = (
        DeliveryLocation.objects.filter(project_id__in=[row.pk for row in rows])
        .exclude(country="")
        .order_by("project_id", "position")
        .values_list("project_id", "country")
    )
    for project_id, country in pairs:
        found[project_id].append(country)
    for row in rows:
        row.download_countries = list(dict.fromkeys(found.get(row.pk, ())))  # type: ignore[attr-defined]


def _page(row: Any) -> str:
    return row.get_absolute_url()


CASE_COLUMNS = [
    field("id", "indigo_id"),
    field("name"),
    field("stage"),
    field("policy_area", "policy_sector"),
    Column("countries", _countries),
    field("launch_year"),
    *(field(name) for name in Project.DATE_FIELDS),
    field("capital_raised_usd"),
    field("capital_currency"),
    field("capital_amount"),
    field("capital_usd_min"),
    field("capital_usd"),
    field("capital_usd_max"),
    field("max_outcome_payment_currency"),
    field("max_outcome_payment"),
    field("max_outcome_payment_usd"),
    field("outcome_payments_made_usd"),
    field("service_users_targeted"),
    field("service_users_actual"),
    field("target_population"),
    field("intervention"),
    field("has_results"),
    field("has_evaluation"),
    field("updated_at"),
    Column("page", _page, url=True),
]


def download_cases(queryset: QuerySet) -> QuerySet:
    """A download's rows of cases: the columns above (their countries by
    ``attach_countries``, a chunk of rows at a time)."""
    return queryset.only(*fields_of(CASE_COLUMNS))


def _prices(metric: Any) -> list[str]:
    return [
        f"{p.currency} {p.price_per_unit}".strip()
        for p in metric.pricings
        if p.price_per_unit is not None
    ]


def _prices_usd(metric: Any) -> list[str]:
    return [str(p.price_per_unit_usd) for p in metric.pricings if p.price_per_unit_usd is not None]


def _results(metric: Any) -> list[str]:
    described = []
    for r in metric.results:
        period = "–".join(d for d in (r.period_start, r.period_end) if d)
        facts = [
            f"{label} {value}"
            for label, value in (
                ("achieved", r.outcomes_achieved),
                ("engaged", r.number_engaged),
                ("positive", r.number_positive),
            )
            if value is not None
        ]
        described.append(" ".join(filter(None, [r.result_type, period, ", ".join(facts)])))
    return described


METRIC_COLUMNS = [
    field("id", "pk"),
    Column("case", lambda m: m.project.indigo_id),
    Column("case_name", lambda m: m.project.name),
    field("local_id"),
    field("definition"),
    field("target_population"),
    field("service_users_targeted"),
    field("target"),
    field("validation_method"),
    field("validation_data_source"),
    field("policy_area", "policy_sector"),
    Column("prices", _prices),
    Column("prices_usd", _prices_usd),
    Column("results", _results),
]


def metrics_of(projects: QuerySet) -> QuerySet:
    """The outcome metrics of the cases found, in the API's order."""
    return (
        OutcomeMetric.objects.filter(
            published_project_q(), project__in=projects.order_by().values("pk")
        )
        .select_related("project")
        .defer("import_baseline", "project__import_baseline", "project__search_text")
        .order_by("project__indigo_id", "position")
    )
