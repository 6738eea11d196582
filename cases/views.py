"""Public pages of case studies, organisations, outcome funds and policy areas.

Only published records are ever read here (``published()``); anything else is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, StringAgg, Value
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.text import Truncator
from django.views.decorators.http import require_safe
from django_countries import countries

from cases import api as open_data
from cases import citations
from cases.changelog import public_changes
from cases.filters import CaseFilter, PipelineFilter
from cases.indigo.layout import Number, YesNo
from cases.indigo.tables import TABLES_BY_FILE
from cases.indigo.values import parse_id_list
from cases.models import (
    DeliveryLocation,
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePayment,
    OutcomePaymentCommitment,
    OutcomePricing,
    Pipeline,
    PolicySector,
    Project,
    ProjectOutcomeFund,
    Result,
    ServiceProvision,
)
from cases.outcomes import attach_to_metrics, payments_share, results_against_targets
from cases.policy_areas import INTRODUCTIONS
from cases.roles import ROLES
from common import downloads
from common.listing import search_page, search_results
from common.models import PublicationStatus
from common.templatetags import formatting


def _add_countries(rows) -> None:
    """The country names of each row, from its (prefetched) delivery locations."""
    for project in rows:
        codes = dict.fromkeys(
            loc.country for loc in project.delivery_locations.all() if loc.country
        )
        project.country_names = [countries.name(code) or code for code in codes]


@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    page = search_page(
        request,
        CaseFilter(request.GET, queryset=Project.objects.published()),
        rows=lambda queryset: queryset.for_list(),
        decorate=_add_countries,
    )
    # The countries chosen, for the link to the projects in development there.
    chosen = [c for c in page.filterset.form.cleaned_data.get("country") or [] if c != "none"]
    pipeline_url = (
        reverse("cases:pipeline-list") + "?" + urlencode([("country", c) for c in chosen])
        if chosen
        else ""
    )
    return render(request, "cases/case_list.html", page.context(pipeline_url=pipeline_url))


def _shown(model: type[models.Model], *fields: str) -> models.QuerySet:
    """``model``'s rows of one project with only the columns the case page reads: the rows
    are wide (notes, sources, cells as written, the import baseline as JSON) and building
    them was most of the page's time. In INDIGO order (``position``; the models' default
    ordering joins the project table for nothing)."""
    queryset = model._default_manager.only("project_id", "position", *fields).order_by("position")
    if "organisation" in fields:
        return queryset.select_related("organisation")
    return queryset


# Organisations as the parties list shows them: a link, a name, and whether it is public.
_PARTY = (
    "organisation",
    "organisation_ref",
    "role_category",
    "organisation__indigo_id",
    "organisation__name",
    "organisation__status",
)


def _case_page_projects():
    """Published projects with what the case page shows, one query per table (as
    ``for_detail()``, with the page's columns only: the API and comparisons need them all)."""
    return (
        Project.objects.published()
        .defer("search_text", "import_baseline")
        .prefetch_related(
            Prefetch("delivery_locations", _shown(DeliveryLocation, "country", "name")),
            Prefetch(
                "outcome_metrics",
                _shown(
                    OutcomeMetric,
                    "local_id",
                    "definition",
                    "target",
                    "service_users_targeted",
                    "validation_method",
                ),
            ),
            Prefetch(
                "outcome_pricings",
                _shown(
                    OutcomePricing,
                    "outcome_metric_ref",
                    "currency",
                    "price_per_unit",
                    "price_per_unit_text",
                    "price_per_unit_usd",
                    "max_price",
                ),
            ),
            Prefetch(
                "results",
                _shown(
                    Result,
                    "outcome_metric_ref",
                    "result_type",
                    "evaluation_documents",
                    "period_start",
                    "period_start_text",
                    "period_end",
                    "period_end_text",
                    "outcomes_achieved",
                    "outcomes_achieved_text",
                    "number_engaged",
                    "number_engaged_text",
                    "number_positive",
                    "number_positive_text",
                ),
            ),
            Prefetch(
                "outcome_payments",
                _shown(
                    OutcomePayment,
                    "payer_ref",
                    "period_start",
                    "period_start_text",
                    "period_end",
                    "payment_type",
                    "currency",
                    "amount",
                    "amount_text",
                    "amount_usd",
                ),
            ),
            Prefetch(
                "outcome_payment_commitments",
                _shown(OutcomePaymentCommitment, *_PARTY, "max_payment", "max_payment_currency"),
            ),
            Prefetch("investments", _shown(Investment, *_PARTY, "amount", "currency")),
            Prefetch("service_provisions", _shown(ServiceProvision, *_PARTY)),
            Prefetch("intermediary_services", _shown(IntermediaryService, *_PARTY)),
            Prefetch(
                "project_outcome_funds",
                _shown(
                    ProjectOutcomeFund,
                    "fund",
                    "fund__indigo_id",
                    "fund__name",
                    "fund__status",
                ).select_related("fund"),
            ),
        )
    )


SOURCE_SHOWN = (
    "project_id",
    "position",
    "local_id",
    "name",
    "url",
    "source_type",
    "publication_date",
    "locator",
    "document",
    "document__status",
    "document__document_type",
    "document__title",
)


@require_safe
def case_detail(request: HttpRequest, indigo_id: str) -> HttpResponse:
    project = get_object_or_404(_case_page_projects(), indigo_id=indigo_id)
    # The sources with what the page and its evidence block read of them and of their works
    # (not a work's text: a few kilobytes each).
    # Each with the sections it is cited for ("stage,finance"), in the same query.
    sources = list(
        project.sources.select_related("document")
        .only(*SOURCE_SHOWN)
        .annotate(cited_for=StringAgg("citations__section", Value(",")))
        .order_by("position")
    )
    # Newest first through the partial index project_related_idx, each checked for a shared
    # country until six are found: no join, no DISTINCT and no sort of the area's every case
    # (PostgreSQL at 100,000 cases: 27 ms, now under 1 ms for a common country).
    its_countries = {loc.country for loc in project.delivery_locations.all() if loc.country}
    related: list[Project] = []
    if its_countries:  # (none: no case shares a country, and no query)
        shares_one = Exists(
            DeliveryLocation.objects.filter(
                project=OuterRef("pk"), country__in=sorted(its_countries)
            )
        )
        related = list(
            Project.objects.published()
            .filter(shares_one, policy_sector=project.policy_sector)
            .exclude(pk=project.pk)
            .order_by("-launch_year", "indigo_id")
            .only("indigo_id", "name", "launch_year", "stage")[:6]
        )
    context = _case_context(project, sources)
    url = request.build_absolute_uri(project.get_absolute_url())
    context.update(
        related=related,
        changelog=public_changes(project),
        citation=citations.citation_text(project, url),
        bibtex=citations.bibtex(project, url),
        json_ld=citations.json_ld(project, url, [name for _code, name in context["countries"]]),
    )
    return render(request, "cases/case_detail.html", context)


def _case_context(project: Project, sources) -> dict[str, Any]:
    # Number the sources as the page cites them: [1], [2], ... in INDIGO order.
    numbers = {source.local_id.strip().casefold(): n for n, source in enumerate(sources, 1)}
    section_refs: dict[str, list[int]] = defaultdict(list)
    for n, source in enumerate(sources, 1):
        source.number = n
        for section in dict.fromkeys((source.cited_for or "").split(",")):
            if section:
                section_refs[section].append(n)
    metrics = list(project.outcome_metrics.all())
    pricings, unmatched_pricings = attach_to_metrics(metrics, project.outcome_pricings.all())
    results, other_results = attach_to_metrics(metrics, project.results.all())
    for result in project.results.all():
        # The numbered sources its "Evaluation Documents" cell names (INDIGO source ids).
        named = (token.strip().casefold() for token in result.evaluation_documents.split(","))
        result.evaluation_refs = [numbers[t] for t in named if t in numbers]  # type: ignore[attr-defined]
    # Results that name no metric are the project's own; those naming one that cannot be
    # told (missing, or used twice ambiguously) are shown apart, with the id they name.
    project_results = [r for r in other_results if not r.outcome_metric_ref.strip()]
    unmatched_results = [r for r in other_results if r.outcome_metric_ref.strip()]
    all_results = list(project.results.all())
    did_it_work = {
        "results": len(all_results),
        "final": sum(1 for r in all_results if r.result_type == "final"),
        "against": results_against_targets(metrics, results),
        "payments_share": payments_share(project),
    }
    for metric in metrics:
        # For the template (``metric.pricings``, ``metric.results``): not model fields.
        metric.pricings = pricings[metric.pk]  # type: ignore[attr-defined]
        metric.results = results[metric.pk]  # type: ignore[attr-defined]
    payments = sorted(
        project.outcome_payments.all(), key=lambda p: (p.period_start or "9999", p.position)
    )
    locations = list(project.delivery_locations.all())
    codes = list(dict.fromkeys(loc.country for loc in locations if loc.country))
    _add_shown_values(metrics, project.outcome_pricings.all(), project.results.all())
    return {
        "project": project,
        # The numbered sources cited for each section, as links: numbers only.
        "refs": {
            section: format_html(
                '<sup class="refs">{}</sup>',
                format_html_join(
                    "",
                    '<a href="#source-{}" aria-label="source {}">[{}]</a>',
                    ((n, n, n) for n in refs),
                ),
            )
            for section, refs in section_refs.items()
        },
        "countries": [(code, countries.name(code) or code) for code in codes],
        "places": [loc for loc in locations if loc.name],
        "parties": _parties(project),
        "metrics": metrics,
        "unmatched_pricings": unmatched_pricings,
        "unmatched_results": unmatched_results,
        "project_results": project_results,
        "payments": payments,
        "timeline": project.timeline(),
        "did_it_work": did_it_work,
        "sources": sources,
        "section_refs": section_refs,
        "source_numbers": numbers,
        "funds": [
            link.fund
            for link in project.project_outcome_funds.all()
            if link.fund and link.fund.status == PublicationStatus.PUBLISHED
        ],
    }


def _long_text(text: str, limit: int) -> str:
    """``text`` in full: cut at ``limit`` characters, the rest one click away (no JavaScript)."""
    if len(text) <= limit:
        return conditional_escape(text)
    return format_html(
        '<details class="long-text"><summary>{}<span class="visually-hidden"> (show all)'
        "</span></summary><p>{}</p></details>",
        Truncator(text).chars(limit),
        linebreaksbr(text, autoescape=True),
    )


def _add_shown_values(metrics: list, pricings, results) -> None:
    """The cells of the metrics, prices and results as the page shows them (``shown_*``),
    formatted here once: in the template each took several filters and an include."""
    for metric in metrics:
        metric.shown_target = _long_text(metric.target, 400) if metric.target else ""
        metric.shown_users = formatting.number(metric.service_users_targeted)
    for pricing in pricings:
        price = (
            formatting.money(pricing.price_per_unit, pricing.currency)
            if pricing.price_per_unit is not None
            else pricing.price_per_unit_text or "Not recorded"
        )
        shown = conditional_escape(price)
        if pricing.price_per_unit_usd is not None and pricing.currency != "USD":
            shown += format_html(
                ' <span class="usd">({})</span>', formatting.usd(pricing.price_per_unit_usd)
            )
        if pricing.max_price is not None:
            shown += format_html(
                "; at most {}", formatting.money(pricing.max_price, pricing.currency)
            )
        pricing.shown = shown
    for result in results:
        start = formatting.partial_date(result.period_start) or result.period_start_text
        if result.period_end or result.period_end_text:
            end = formatting.partial_date(result.period_end) or result.period_end_text
            start = f"{start} – {end}"
        result.shown_period = start
        result.shown_achieved = (
            formatting.number(result.outcomes_achieved)
            if result.outcomes_achieved is not None
            else _long_text(result.outcomes_achieved_text, 120)
        )
        result.shown_engaged = (
            formatting.number(result.number_engaged) or result.number_engaged_text
        )
        result.shown_positive = (
            formatting.number(result.number_positive) or result.number_positive_text
        )


def _party_from(row: Any, organisation: Organisation | None, indigo_id: str) -> SimpleNamespace:
    """A party as the parties list shows it, from a row that names it in another table."""
    return SimpleNamespace(
        pk=row.pk,
        organisation=organisation,
        organisation_ref=indigo_id,
        role_category="named in outcome payments",
        amount=None,
        max_payment=None,
    )


def _parties(project: Project) -> list[dict[str, Any]]:
    """Each role's parties. A party named twice in one role is shown twice when the rows say
    different things (two investments of different amounts); identical rows once."""
    parties = []
    for role in ROLES:
        label, rows = role.plural, list(getattr(project, role.related).all())
        # Parties only other tables name in this role (a payer of outcome payments with no
        # commitment row), once each; a cell may name several ("ORG-0171, ORG-1155").
        named = {r.organisation.indigo_id if r.organisation else r.organisation_ref for r in rows}
        extra: dict[str, Any] = {}
        for _model, field, related in role.also:
            for other in getattr(project, related).all():
                for indigo_id in parse_id_list(getattr(other, f"{field}_ref")):
                    if indigo_id not in named and indigo_id not in extra:
                        extra[indigo_id] = other
        if extra:
            known = Organisation.objects.in_bulk(list(extra), field_name="indigo_id")
            for indigo_id, other in extra.items():
                rows.append(_party_from(other, known.get(indigo_id), indigo_id))
        seen: dict[tuple, Any] = {}
        for row in rows:
            if row.organisation and row.organisation.status != PublicationStatus.PUBLISHED:
                # A draft organisation is named nowhere public: the role shows, unnamed.
                row.organisation, row.organisation_ref, row.unpublished_party = None, "", True
            who = row.organisation.indigo_id if row.organisation else row.organisation_ref
            if getattr(row, "unpublished_party", False):
                who = f"unpublished-{row.pk}"
            shown = (
                who,
                row.role_category,
                getattr(row, "amount", None),
                getattr(row, "currency", ""),
                getattr(row, "max_payment", None),
                getattr(row, "max_payment_currency", ""),
            )
            if who and shown not in seen:
                seen[shown] = row
        for row in seen.values():
            # As the list shows them, formatted once here rather than in the template.
            amount, max_payment = getattr(row, "amount", None), getattr(row, "max_payment", None)
            row.shown_url = row.organisation.get_absolute_url() if row.organisation else ""
            row.shown_amount = formatting.money(amount, getattr(row, "currency", ""))
            row.shown_max = formatting.money(max_payment, getattr(row, "max_payment_currency", ""))
        if seen:
            parties.append({"label": label, "rows": list(seen.values())})
    return parties


# ---------------------------------------------------------------------------------------------


@require_safe
def organisation_detail(request: HttpRequest, indigo_id: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.published(), indigo_id=indigo_id)
    published = Project.objects.published()
    roles = []
    project_ids: set[int] = set()
    for role in ROLES:
        named = Q()
        for model, field in role.sources():
            rows = model._default_manager.filter(**{field: organisation})
            named |= Q(pk__in=rows.values("project_id"))
        projects = list(
            published.filter(named)
            .only("indigo_id", "name", "stage", "policy_sector", "launch_year")
            .order_by("name")
        )
        project_ids.update(p.pk for p in projects)
        if projects:
            roles.append({"name": role.key, "label": role.label, "filter": role.facet,
                          "projects": projects})  # fmt: skip
    country_codes = (
        DeliveryLocation.objects.filter(project_id__in=project_ids)
        .exclude(country="")
        .values_list("country", flat=True)
        .distinct()
        .order_by("country")
    )
    areas = (
        Project.objects.filter(pk__in=project_ids)
        .exclude(policy_sector="")
        .values_list("policy_sector", flat=True)
        .distinct()
        .order_by("policy_sector")
    )
    context = {
        "organisation": organisation,
        "roles": roles,
        "project_count": len(project_ids),
        "countries": [(code, countries.name(code) or code) for code in country_codes],
        "policy_areas": [(area, PolicySector(area).label) for area in areas],
    }
    return render(request, "cases/organisation_detail.html", context)


@require_safe
def fund_detail(request: HttpRequest, indigo_id: str) -> HttpResponse:
    fund = get_object_or_404(OutcomeFund.objects.published(), indigo_id=indigo_id)
    projects = list(
        Project.objects.published()
        .filter(project_outcome_funds__fund=fund)
        .distinct()
        .only("indigo_id", "name", "stage", "policy_sector", "launch_year")
        .order_by("name")
    )
    return render(request, "cases/fund_detail.html", {"fund": fund, "projects": projects})


# ---------------------------------------------------------------------------------------------


@require_safe
def policy_area_list(request: HttpRequest) -> HttpResponse:
    counts = dict(
        Project.objects.published().order_by().values_list("policy_sector").annotate(n=Count("pk"))
    )
    areas = [
        {
            "slug": area.value,
            "label": area.label,
            "count": counts.get(area.value, 0),
            "introduction": INTRODUCTIONS.get(area.value, ""),
        }
        for area in PolicySector
    ]
    return render(request, "cases/policy_area_list.html", {"areas": areas})


# ---------------------------------------------------------------------------------------------
# The pipeline: projects in development


def _add_pipeline_facts(rows) -> None:
    """Country names, policy sectors and instruments of each row (from its own columns)."""
    for pipeline in rows:
        pipeline.country_names = [countries.name(c) or c for c in pipeline.country_codes()]
        pipeline.sector_labels = pipeline.sectors()
        pipeline.instrument_labels = pipeline.instruments()


@require_safe
def pipeline_list(request: HttpRequest) -> HttpResponse:
    page = search_page(
        request,
        PipelineFilter(request.GET, queryset=Pipeline.objects.published()),
        rows=lambda queryset: queryset.for_list(),
        decorate=_add_pipeline_facts,
    )
    return render(request, "cases/pipeline_list.html", page.context())


def pipeline_sections(pipeline: Pipeline) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every value INDIGO gives for the project, by the sections of its file, as a reader
    reads it: code lists by their labels, Yes/No as Yes or No (or the cell as written),
    countries by name, sources and notes under the section they belong to. Blank values
    are left out."""
    table = TABLES_BY_FILE[Pipeline.indigo_file]
    sections: dict[str, list[tuple[str, str]]] = {}
    section = ""
    for column in table.stored_columns():
        parts = column.header.removesuffix(" - (Value)").split(" - ")
        if column.header.startswith("("):  # (Source ID's) / (Notes) of the section before
            label = "Sources" if "Source" in column.header else "Notes"
        else:
            section = parts[0]
            tail = [p for p in parts[1:] if p not in ("(Source ID's)", "(Notes)")]
            if parts[-1] == "(Source ID's)":
                tail.append("Sources")
            elif parts[-1] == "(Notes)":
                tail.append("Notes")
            # "Part of a larger ... program? - Part of a larger ... program?": said once.
            label = " - ".join(p for p in tail if p != section) or section
        if column.field == "countries":
            value = ", ".join(countries.name(c) or c for c in pipeline.country_codes())
            value = pipeline.countries_text or value
        else:
            value = column.write(lambda attr: getattr(pipeline, attr))
        plain = getattr(column.kind, "kind", column.kind)
        typed = getattr(pipeline, column.field)
        # A number not kept as written: its digits grouped.
        if (
            isinstance(plain, Number)
            and isinstance(typed, int | Decimal)
            and value == plain.format(typed)
        ):
            value = f"{typed:,f}".rstrip("0").rstrip(".") if typed % 1 else f"{typed:,.0f}"
        if isinstance(plain, YesNo) and value:
            value = {"yes": "Yes", "no": "No"}.get(value.casefold(), value)
        if value:
            sections.setdefault(section, []).append((label, value))
    return list(sections.items())


@require_safe
def pipeline_detail(request: HttpRequest, indigo_id: str) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline.objects.published(), indigo_id=indigo_id)
    return render(
        request,
        "cases/pipeline_detail.html",
        {
            "pipeline": pipeline,
            "countries": [(c, countries.name(c) or c) for c in pipeline.country_codes()],
            "sections": pipeline_sections(pipeline),
        },
    )


# ---------------------------------------------------------------------------------------------
# Downloads of the case list's results (common.downloads): the same parameters as /cases/.


def _cases_found(request: HttpRequest):
    return search_results(
        request, CaseFilter(request.GET, queryset=Project.objects.published())
    ).queryset


@require_safe
def case_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    rows = open_data.download_cases(_cases_found(request))
    return downloads.download(
        request,
        fmt,
        rows,
        open_data.CASE_COLUMNS,
        name="cases",
        decorate=open_data.attach_countries,
    )


@require_safe
def outcome_metric_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    rows = open_data.metrics_of(_cases_found(request))
    return downloads.download(
        request,
        fmt,
        rows,
        open_data.METRIC_COLUMNS,
        name="outcome-metrics",
        decorate=open_data.attach_outcomes,
    )


downloads.offer_downloads(
    "cases:case-list",
    [("Cases", "cases:case-download"), ("Their outcome metrics", "cases:outcome-metric-download")],
    api="api:case-list",
)
