"""The insights pages: the dashboard (/insights/) and each of its tables as CSV."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from cases.filters import CaseFilter
from cases.models import PolicySector, Project, Stage
from common import downloads
from common.facets import NOT_RECORDED, Facet, FacetValue
from common.listing import SearchPage, chips, search_results
from golab.insights import prices
from golab.insights.compare import (
    MAX_CASES,
    CompareError,
    comparison,
    published_cases,
    requested_ids,
)
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
        "prices_url": reverse("insights-prices") + query,
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


# ---------------------------------------------------------------------------------------------
# Comparison


def _suggestions(ids: list[str]) -> list[Project]:
    """Cases to add: published ones of the first chosen case's policy area (one query)."""
    first = ids[0] if ids else ""
    area = Project.objects.published().filter(indigo_id=first).values("policy_sector")[:1]
    return list(
        Project.objects.published()
        .filter(policy_sector__in=area)
        .exclude(indigo_id__in=ids)
        .order_by(F("launch_year").desc(nulls_last=True), "indigo_id")
        .only("indigo_id", "name", "launch_year")[:8]
    )


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    if "cases" not in request.GET:
        return _start_comparison(request)
    ids = requested_ids(request.GET)
    try:
        projects = published_cases(ids)
    except CompareError as problem:
        context = {
            "problem": problem.message,
            "chosen": problem.ids,
            "suggestions": _suggestions(problem.ids) if len(problem.ids) < MAX_CASES else [],
            "max_cases": MAX_CASES,
        }
        return render(request, "compare/compare.html", context, status=problem.status)
    chosen = [p.indigo_id for p in projects]
    for project in projects:
        others = ",".join(c for c in chosen if c != project.indigo_id)
        project.remove_url = reverse("compare") + "?" + urlencode({"cases": others})  # type: ignore[attr-defined]
    context = {
        "projects": projects,
        "sections": comparison(projects),
        "chosen": chosen,
        "csv_url": reverse("compare-csv") + "?" + urlencode({"cases": ",".join(chosen)}),
        "suggestions": _suggestions(chosen) if len(chosen) < MAX_CASES else [],
        "max_cases": MAX_CASES,
    }
    return render(request, "compare/compare.html", context)


def _start_comparison(request: HttpRequest) -> HttpResponse:
    """The form that starts a comparison (``?add=ID``: "Add to comparison" on a case page),
    with cases of the same policy area to choose from."""
    add = requested_ids(QueryDict(urlencode({"cases": request.GET.get("add", "")})))[:1]
    known = list(
        Project.objects.published().filter(indigo_id__in=add).values_list("indigo_id", flat=True)
    )
    context = {
        "problem": "" if known == add else "No published case study has that id.",
        "chosen": known,
        "suggestions": _suggestions(known),
        "max_cases": MAX_CASES,
        "starting": True,
    }
    return render(request, "compare/compare.html", context, status=200 if known == add else 404)


@require_safe
def compare_csv(request: HttpRequest) -> HttpResponseBase:
    try:
        projects = published_cases(requested_ids(request.GET))
    except CompareError as problem:
        return HttpResponse(problem.message, status=problem.status, content_type="text/plain")
    rows: list[list[str]] = [["Section", "", *(p.indigo_id for p in projects)]]
    rows.append(["", "Name", *(p.name for p in projects)])
    for section in comparison(projects):
        for line in section.lines:
            rows.append([section.title, line.label, *line.texts()])
    columns = [downloads.Column(str(i), itemgetter(i)) for i in range(len(rows[0]))]
    response = StreamingHttpResponse(
        downloads.csv_chunks(rows[1:], _headed(columns, rows[0])),
        content_type=downloads.CONTENT_TYPES["csv"],
    )
    response["Content-Disposition"] = 'attachment; filename="comparison.csv"'
    response["X-Data-Attribution"] = settings.INDIGO_ATTRIBUTION
    response["X-Data-Licence"] = settings.INDIGO_LICENCE
    return response


def _headed(columns: list[downloads.Column], header: list[str]) -> list[downloads.Column]:
    return [downloads.Column(name, c.value) for name, c in zip(header, columns, strict=True)]


# ---------------------------------------------------------------------------------------------
# Outcome price benchmarks


@require_safe
def price_benchmarks(request: HttpRequest) -> HttpResponse:
    found = _population(request)
    areas = prices.benchmarks(found.queryset)
    query = _query(request)
    context: dict[str, Any] = {
        "areas": areas,
        "kinds": prices.KINDS,
        "totals": {"projects": found.queryset.count()},
        "query": found.query,
        "active_filters": chips(found.filterset, _labelled(found, Dashboard({}, [])), request.GET),
        "ignored": found.ignored,
        "cases_url": reverse("cases:case-list") + query,
        "insights_url": reverse("insights") + query,
        "csv_url": reverse("insights-prices-csv") + query,
    }
    return render(request, "insights/prices.html", context)


@require_safe
def price_benchmarks_csv(request: HttpRequest) -> HttpResponseBase:
    rows = prices.csv_rows(prices.benchmarks(_population(request).queryset))
    columns = [downloads.Column(name, itemgetter(i)) for i, name in enumerate(prices.CSV_HEADERS)]
    response = StreamingHttpResponse(
        downloads.csv_chunks(rows, columns), content_type=downloads.CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = 'attachment; filename="outcome-price-benchmarks.csv"'
    response["X-Data-Attribution"] = settings.INDIGO_ATTRIBUTION
    response["X-Data-Licence"] = settings.INDIGO_LICENCE
    return response
