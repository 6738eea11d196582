from __future__ import annotations

import logging

from django.apps import apps
from django.contrib.humanize.templatetags.humanize import intcomma, intword
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.models import PolicySector, Project, capital_note
from cases.policy_areas import area_summary
from evidence.areas import area_evidence, key_works
from golab.insights.figures import did_it_work_panel
from golab.insights.gaps import unevaluated_url
from golab.insights.prices import benchmarks
from golab.outage import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)
HEALTH_ASSET = "css/site.css"  # linked by base.html, so by every page


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    totals = Project.objects.published().headline_figures()
    figures = []
    if totals["projects"]:
        figures = [
            {"label": "Impact bonds and outcomes contracts", "value": intcomma(totals["projects"])},
            {"label": "Countries", "value": intcomma(totals["countries"])},
            {
                "label": "Capital raised (USD)",
                "value": f"${intword(int(totals['capital_exact'] or 0))}",
                "note": capital_note(totals),
            },
            {
                "label": "Service users targeted",
                "value": intcomma(int(totals["service_users"] or 0)),
            },
        ]
    published = Project.objects.published()
    counts = dict(published.order_by().values_list("policy_sector").annotate(n=Count("pk")))
    areas = [
        {"slug": area.value, "label": area.label, "count": counts.get(area.value, 0)}
        for area in PolicySector
    ]
    latest = published.order_by("-created_at", "-indigo_id").only(
        "indigo_id", "name", "policy_sector", "launch_year"
    )[:6]
    return render(
        request,
        "golab/home.html",
        {"figures": figures, "areas": areas, "latest": list(latest)},
    )


@require_safe
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "golab/glossary.html")


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when the app can query its database and render its pages, 503 otherwise (for load
    balancers). The database must answer and hold every table the models need (an empty or
    unmigrated database would fail every page). Every page links the stylesheet through the
    static files' manifest, so a manifest without it (``collectstatic`` not run) means every
    page would fail."""
    try:
        missing = _missing_tables()
    except DatabaseError as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return _unavailable({"database": "unavailable"})
    if missing:
        logger.warning("health check: tables missing: %s", ", ".join(sorted(missing)[:5]))
        return _unavailable({"database": "schema missing"})
    try:
        staticfiles_storage.url(HEALTH_ASSET)
    except ValueError as exc:
        logger.warning("health check: static files not collected: %s", exc)
        return _unavailable({"database": "ok", "static": "not collected"})
    return JsonResponse({"status": "ok", "database": "ok", "static": "ok"})


def _unavailable(details: dict[str, str]) -> JsonResponse:
    response = JsonResponse({"status": "unavailable", **details}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _missing_tables() -> set[str]:
    """The models' tables that the database lacks (one catalogue query)."""
    expected = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return expected - set(connection.introspection.table_names())


@require_safe
def policy_area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A policy area for commissioners: the case data's summary and the key evaluations."""
    try:
        area = PolicySector(slug)
    except ValueError:
        raise Http404("No such policy area") from None
    context = area_summary(area)
    projects = context["projects"]
    context["evidence"] = key_works(projects)
    # The same aggregates as /insights/ and /insights/prices/, for this area's contracts.
    query = "?" + urlencode({"policy_area": area.value})
    context["benchmarks"] = benchmarks(projects)
    context["prices_url"] = reverse("insights-prices") + query
    panel = did_it_work_panel(projects)
    panel.csv_url = reverse("insights-csv", args=[panel.slug]) + query
    context["did_it_work"] = panel
    context.update(area_evidence(context["projects"], area.value))
    context["gaps_count"] = context["totals"]["count"] - context["evaluated"]
    context["unevaluated_url"] = unevaluated_url(area.value)
    return render(request, "golab/policy_area_detail.html", context)
