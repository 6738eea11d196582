"""The insights pages: the dashboard (/insights/) and each of its tables as CSV."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cases.filters import CaseFilter
from cases.models import PolicySector, Project, Stage
from common import downloads
from common.facets import NOT_RECORDED, Facet, FacetValue
from common.listing import SearchPage, chips, search_results
from golab.insights.figures import Dashboard, dashboard
from golab.insights.gaps import gap_map

# What a dashboard link keeps of a case-list address: the filters and the search, not the
# list's own page, page size or sort.
LIST_ONLY = ("page", "per_page", "sort")


def _population(request: HttpRequest) -> SearchPage:
    """The case list's result set for the request's parameters (same FilterSet, same
    search): the dashboard's projects."""
    return search_results(request, CaseFilter(request.GET, queryset=Project.objects.published()))


def _chosen_countries(found: SearchPage) -> set[str]:
    return found.filterset.chosen("country") - {NOT_RECORDED}


def _query(request: HttpRequest) -> str:
    params = request.GET.copy()
    for name in LIST_ONLY:
        params.pop(name, None)
    return f"?{params.urlencode()}" if params else ""


def _labelled(found: SearchPage, board: Dashboard) -> list[Facet]:
    """Labels for the chips of the filters chosen, without counting anything. A country is
    named only when some result is delivered there (as the case list's facet names it): a
    country only private records name stays a bare code."""

    def facet(name: str, label: str, choices: list[tuple[str, str]]) -> Facet:
        values = [FacetValue(str(v), str(text), 0, False) for v, text in choices]
        return Facet(name, label, [*values, FacetValue(NOT_RECORDED, "Not recorded", 0, False)])

    return [
        facet("policy_area", "Policy area", PolicySector.choices),
        facet("stage", "Stage", Stage.choices),
        facet("country", "Country", list(board.countries.items())),
    ]


@require_safe
def insights(request: HttpRequest) -> HttpResponse:
    found = _population(request)
    board = dashboard(found.queryset, _chosen_countries(found))
    query = _query(request)
    for panel in board.panels:
        panel.csv_url = reverse("insights-csv", args=[panel.slug]) + query
    context: dict[str, Any] = {
        "board": board,
        "totals": board.totals,
        "query": found.query,
        "active_filters": chips(found.filterset, _labelled(found, board), request.GET),
        "ignored": found.ignored,
        "cases_url": reverse("cases:case-list") + query,
        "gap_map_url": reverse("insights-evidence") + query,
    }
    return render(request, "insights/dashboard.html", context)


@require_safe
def evidence_gap_map(request: HttpRequest) -> HttpResponse:
    """Policy areas × evaluation designs and × kinds of document, for the case list's
    result set: where evidence is and where it is missing."""
    found = _population(request)
    grids = gap_map(found.queryset)
    query = _query(request)
    context: dict[str, Any] = {
        "grids": [grids["designs"], grids["types"]],
        "unassigned": grids["unassigned"],
        "totals": {"projects": grids["projects"]},
        "query": found.query,
        "active_filters": chips(found.filterset, _labelled(found, Dashboard({}, [])), request.GET),
        "ignored": found.ignored,
        "cases_url": reverse("cases:case-list") + query,
        "insights_url": reverse("insights") + query,
    }
    return render(request, "insights/gap_map.html", context)


@require_safe
def insights_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """One panel's table as CSV, for the same parameters as the dashboard."""
    found = _population(request)
    board: Dashboard = dashboard(found.queryset, _chosen_countries(found))
    panel = board.panel(slug)
    if panel is None:
        raise Http404("No such chart")
    columns = [downloads.Column(name, itemgetter(i)) for i, name in enumerate(panel.table.headers)]
    response = StreamingHttpResponse(
        downloads.csv_chunks(panel.table.rows, columns), content_type=downloads.CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="insights-{slug}.csv"'
    response["X-Data-Attribution"] = settings.INDIGO_ATTRIBUTION
    response["X-Data-Licence"] = settings.INDIGO_LICENCE
    return response
