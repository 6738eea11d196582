"""Public pages of case studies, organisations, outcome funds and policy areas.

Only published records are ever read here (``published()``); anything else is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_countries import countries

from cases import citations
from cases.changelog import public_changes
from cases.filters import CaseFilter
from cases.models import (
    DeliveryLocation,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    OutcomePricing,
    PolicySector,
    Project,
    Result,
)
from cases.policy_areas import INTRODUCTIONS
from cases.roles import ROLES
from common.listing import search_page
from common.models import PublicationStatus


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
    return render(request, "cases/case_list.html", page.context())


@require_safe
def case_detail(request: HttpRequest, indigo_id: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.published().for_detail(), indigo_id=indigo_id)
    sources = list(
        project.sources.select_related("document")
        .prefetch_related("citations")
        .order_by("position")
    )
    # The evidence app's links, reached through the reverse relation (no import of it).
    links = list(
        project.evidence_links.filter(document__status=PublicationStatus.PUBLISHED)
        .select_related("document")
        .defer("document__text", "document__import_baseline")
        .order_by("document__title", "document_id")
    )
    related = list(
        Project.objects.published()
        .filter(policy_sector=project.policy_sector)
        .exclude(pk=project.pk)
        .filter(
            delivery_locations__country__in=[
                loc.country for loc in project.delivery_locations.all() if loc.country
            ]
        )
        .distinct()
        .order_by("-launch_year", "indigo_id")
        .only("indigo_id", "name", "launch_year", "stage")[:6]
    )
    context = _case_context(project, sources, links)
    url = request.build_absolute_uri(project.get_absolute_url())
    context.update(
        related=related,
        changelog=public_changes(project),
        citation=citations.citation_text(project, url),
        bibtex=citations.bibtex(project, url),
        json_ld=citations.json_ld(project, url, [name for _code, name in context["countries"]]),
    )
    return render(request, "cases/case_detail.html", context)


def _evidence_groups(links) -> list[dict[str, Any]]:
    """The case's documents grouped by kind: evaluations (best rated first), then the
    other kinds; a document linked in several ways appears once, in its first group."""
    seen: set[int] = set()
    evaluations, other = [], defaultdict(list)
    for link in links:
        document = link.document
        if document.pk in seen:
            continue
        if link.relation == "evaluation-of" or document.document_type == "evaluation-report":
            seen.add(document.pk)
            evaluations.append(document)
    for link in links:
        document = link.document
        if document.pk not in seen and link.relation != "source-for":
            seen.add(document.pk)
            other[document.get_document_type_display()].append(document)
    evaluations.sort(key=lambda d: (-(d.evidence_rating or 0), d.title))
    groups = [{"label": "Evaluations", "documents": evaluations}] if evaluations else []
    groups += [{"label": label, "documents": docs} for label, docs in sorted(other.items())]
    return groups


def _case_context(project: Project, sources, links) -> dict[str, Any]:
    # Number the sources as the page cites them: [1], [2], ... in INDIGO order.
    numbers = {source.local_id.strip().casefold(): n for n, source in enumerate(sources, 1)}
    section_refs: dict[str, list[int]] = defaultdict(list)
    for number, source in enumerate(sources, 1):
        source.number = number
        for citation in source.citations.all():
            section_refs[citation.section].append(number)
    metrics = list(project.outcome_metrics.all())
    by_local_id = {m.local_id.strip().casefold(): m for m in metrics if m.local_id.strip()}
    for metric in metrics:
        metric.pricings = []
        metric.results = []
    unmatched_pricings, unmatched_results = [], []
    for pricing in project.outcome_pricings.all():
        metric = by_local_id.get(pricing.outcome_metric_ref.strip().casefold())
        (metric.pricings if metric else unmatched_pricings).append(pricing)
    for result in project.results.all():
        metric = by_local_id.get(result.outcome_metric_ref.strip().casefold())
        (metric.results if metric else unmatched_results).append(result)
    payments = sorted(
        project.outcome_payments.all(), key=lambda p: (p.period_start or "9999", p.position)
    )
    locations = list(project.delivery_locations.all())
    codes = list(dict.fromkeys(loc.country for loc in locations if loc.country))
    return {
        "project": project,
        "countries": [(code, countries.name(code) or code) for code in codes],
        "places": [loc for loc in locations if loc.name],
        "parties": _parties(project),
        "metrics": metrics,
        "unmatched_pricings": unmatched_pricings,
        "unmatched_results": unmatched_results,
        "payments": payments,
        "timeline": _timeline(project),
        "sources": sources,
        "evidence_groups": _evidence_groups(links),
        "section_refs": section_refs,
        "source_numbers": numbers,
        "funds": [
            link.fund
            for link in project.project_outcome_funds.all()
            if link.fund and link.fund.status == PublicationStatus.PUBLISHED
        ],
    }


def _parties(project: Project) -> list[dict[str, Any]]:
    parties = []
    for label, rows in ((role.plural, getattr(project, role.related).all()) for role in ROLES):
        seen: dict[str, Any] = {}
        for row in rows:
            if row.organisation and row.organisation.status != PublicationStatus.PUBLISHED:
                # A draft organisation is named nowhere public: the role shows, unnamed.
                row.organisation, row.organisation_ref, row.unpublished_party = None, "", True
            key = row.organisation.indigo_id if row.organisation else row.organisation_ref
            if getattr(row, "unpublished_party", False):
                key = f"unpublished-{row.pk}"
            if key and key not in seen:
                seen[key] = row
        if seen:
            parties.append({"label": label, "rows": list(seen.values())})
    return parties


def _timeline(project: Project) -> list[dict[str, str]]:
    events = [
        ("Outcomes contract signed", project.outcomes_contract_signed),
        ("All contracts signed", project.all_contracts_signed),
        ("Service provision started", project.service_start),
        ("Service provision anticipated to end", project.anticipated_service_end),
        ("Service provision ended", project.actual_service_end),
        ("Anticipated completion", project.anticipated_completion),
        ("Completed", project.actual_completion),
    ]
    return sorted(
        ({"label": label, "date": date} for label, date in events if date),
        key=lambda event: event["date"],
    )


# ---------------------------------------------------------------------------------------------


@require_safe
def organisation_detail(request: HttpRequest, indigo_id: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.published(), indigo_id=indigo_id)
    published = Project.objects.published()
    roles = []
    project_ids: set[int] = set()
    for role in ROLES:
        projects = list(
            published.filter(
                pk__in=role.model.objects.filter(organisation=organisation).values("project_id")
            )
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


def _area_or_404(slug: str) -> PolicySector:
    try:
        return PolicySector(slug)
    except ValueError:
        raise Http404("No such policy area") from None


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


@require_safe
def policy_area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    area = _area_or_404(slug)
    projects = Project.objects.published().filter(policy_sector=area.value)
    totals = projects.aggregate(
        count=Count("pk"),
        capital=Sum("capital_raised_usd"),
        users=Sum("service_users_targeted"),
        complete=Count("pk", filter=Q(stage="complete")),
        with_results=Count("pk", filter=Q(has_results=True)),
    )
    country_counts = [
        (code, countries.name(code) or code, n)
        for code, n in DeliveryLocation.objects.filter(project__in=projects.values("pk"))
        .exclude(country="")
        .order_by()
        .values_list("country")
        .annotate(n=Count("project", distinct=True))
        .order_by("-n", "country")
    ]
    pricings = list(
        OutcomePricing.objects.filter(
            project__in=projects.values("pk"), price_per_unit_usd__isnull=False
        )
        .select_related("project")
        .only(
            "project__indigo_id",
            "project__name",
            "outcome_metric_ref",
            "currency",
            "price_per_unit",
            "price_per_unit_usd",
            "description",
        )
        .order_by("-price_per_unit_usd")[:25]
    )
    definitions = {
        (m["project_id"], m["local_id"].strip().casefold()): m["definition"]
        for m in OutcomeMetric.objects.filter(
            project_id__in={p.project_id for p in pricings}
        ).values("project_id", "local_id", "definition")
    }
    for pricing in pricings:
        pricing.definition = definitions.get(
            (pricing.project_id, pricing.outcome_metric_ref.strip().casefold()), ""
        )
    usd_prices = sorted(p.price_per_unit_usd for p in pricings)
    results = (
        Result.objects.filter(project__in=projects.values("pk"))
        .order_by()
        .values("result_type")
        .annotate(n=Count("pk"), projects=Count("project", distinct=True))
    )
    evidence = _key_evidence(projects)
    latest = list(
        projects.order_by(F("launch_year").desc(nulls_last=True), "indigo_id").only(
            "indigo_id", "name", "stage", "policy_sector", "launch_year"
        )[:10]
    )
    context = {
        "area": area,
        "introduction": INTRODUCTIONS.get(area.value, ""),
        "totals": totals,
        "countries": country_counts,
        "pricings": pricings,
        "median_price": usd_prices[len(usd_prices) // 2] if usd_prices else None,
        "results": list(results),
        "evidence": evidence,
        "latest": latest,
        "list_url": "/cases/?" + urlencode({"policy_area": area.value}),
    }
    return render(request, "cases/policy_area_detail.html", context)


def _key_evidence(projects) -> list[Any]:
    """Published evaluation reports about the area's projects (reached through the reverse
    relations of the evidence app; cases imports nothing from it)."""
    document_model = (
        Project._meta.get_field("sources").related_model._meta.get_field("document").related_model
    )
    return list(
        document_model.objects.filter(
            status=PublicationStatus.PUBLISHED,
            document_type="evaluation-report",
        )
        .filter(
            Q(project_sources__project__in=projects.values("pk"))
            | Q(project_documents__project__in=projects.values("pk"))
        )
        .distinct()
        .only("title", "url", "publication_date")
        .order_by("title")[:10]
    )
