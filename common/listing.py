"""One search page: what the searchable lists (case studies, evidence; later the API,
downloads and insights) share. ``search_page()`` reads the request through the list's
``FacetedFilterSet``, resolves the sort, pages the results, adds the search passages, counts
the facets and builds the chips of the active filters, and returns one ``SearchPage``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet, Subquery
from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse

from common import search
from common.facets import (
    NOT_RECORDED,
    RELEVANCE,
    Facet,
    FacetedFilterSet,
    Kind,
    RangeFacet,
    count_facets,
    facet_values,
    kind_of,
)

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def page_size(request: HttpRequest) -> int:
    """The requested page size if it is one we offer, else the default."""
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def format_value(kind: Kind, value: Any) -> str:
    """A filter's value as a person reads it: years plain, amounts and counts grouped."""
    if kind == Kind.YEAR:
        return str(int(value))
    if kind in (Kind.AMOUNT, Kind.COUNT) and isinstance(value, Decimal | int | float):
        return f"{value:,.0f}"
    return str(value)


def url_without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The query string less one parameter (or one of its values), and the page number."""
    query = params.copy()
    query.pop("page", None)
    kept = [item for item in query.getlist(name) if value is not None and item != value]
    if kept:
        query.setlist(name, kept)
    else:
        query.pop(name, None)
    return "?" + query.urlencode() if query else "?"


@dataclass
class Chip:
    label: str
    remove: str  # the query string without this filter (value)


def chips(filterset: FacetedFilterSet, facets: list[Facet], params: QueryDict) -> list[Chip]:
    """One removable entry per active filter value: facet values by their label, numbers as
    their filter's kind reads them, ticked boxes by their label."""
    labels = {f.name: {v.value: v.label for v in f.values} for f in facets}
    result = []
    for name, value in filterset.active().items():
        filter_ = filterset.filters[name]
        label, kind = filter_.label, kind_of(filter_)
        if isinstance(value, list):
            for item in value:
                text = labels.get(name, {}).get(item) or (
                    "Not recorded" if item == NOT_RECORDED else item
                )
                remove = url_without(params, name, item)
                result.append(Chip(f"{label}: {text}", remove))
        elif kind == Kind.FLAG:
            result.append(Chip(str(label), url_without(params, name)))
        else:
            shown = labels.get(name, {}).get(value) or format_value(kind, value)
            remove = url_without(params, name)
            result.append(Chip(f"{label}: {shown}", remove))
    return result


def ignored_parameters(filterset: FacetedFilterSet, query: str) -> dict[str, str]:
    """What the page ignores, and why: parameters that do not validate, and the words of
    the search too common to search for (a search of only those is no search at all)."""
    ignored = filterset.ignored()
    dropped = search.dropped_words(query)
    if dropped:
        ignored["q"] = "Too common to search for: " + ", ".join(dropped)
    return ignored


@dataclass
class SearchPage:
    filterset: FacetedFilterSet
    queryset: QuerySet  # filtered and sorted, all pages
    query: str
    searching: bool
    sort: str
    sorts: list[tuple[str, str]]
    per_page: int
    page: Page | None = None
    rows: list[Any] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    ranges: list[RangeFacet] = field(default_factory=list)
    active_filters: list[Chip] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "filterset": self.filterset,
            "query": self.query,
            "searching": self.searching,
            "sort": self.sort,
            "sorts": self.sorts,
            "per_page": self.per_page,
            "page_sizes": PAGE_SIZES,
            "page": self.page,
            "rows": self.rows,
            "facets": self.facets,
            "ranges": self.ranges,
            "active_filters": self.active_filters,
            "ignored": self.ignored,
            **extra,
        }


def search_results(request: HttpRequest, filterset: FacetedFilterSet) -> SearchPage:
    """The filtered, sorted results of a list (for a page, an export or the API): relevance
    first when searching, else the list's default sort; an unknown sort is ignored, and
    said so."""
    queryset = filterset.qs
    query = filterset.form.cleaned_data.get("q") or ""
    searching = bool(search.words(query))
    ignored = ignored_parameters(filterset, query)
    requested = request.GET.get("sort", "")
    options = {k: s for k, s in filterset.sorts.items() if k != RELEVANCE or searching}
    if requested and requested not in filterset.sorts:
        ignored["sort"] = f"there is no sort “{requested[:40]}”"
    sort = requested if requested in options else (RELEVANCE if searching else "")
    sort = sort or filterset.default_sort
    if sort == RELEVANCE:
        queryset = queryset.order_by("-search_rank", "pk")
    else:
        queryset = queryset.order_by(*filterset.sorts[sort].order)
    return SearchPage(
        filterset=filterset,
        queryset=queryset,
        query=query,
        searching=searching,
        sort=sort,
        sorts=[(key, s.label) for key, s in options.items()],
        per_page=page_size(request),
        ignored=ignored,
    )


def search_page(
    request: HttpRequest,
    filterset: FacetedFilterSet,
    *,
    # Takes the filterset's queryset, of the list's own QuerySet class (``for_list()``).
    rows: Callable[[Any], QuerySet] = lambda queryset: queryset,
    decorate: Callable[[Iterable[Any]], None] | None = None,
    wide_rows: bool = False,
) -> SearchPage:
    """A whole list page: ``rows`` shapes the page's query (``for_list()``), ``decorate``
    adds what a row shows from other tables (in a query or two for the whole page).
    ``wide_rows``: a row of the page is long (a document's abstract), so that a search's
    ranking is better made without it (one query more)."""
    found = search_results(request, filterset)
    number = request.GET.get("page")
    if wide_rows and found.sort == RELEVANCE:
        # Ranked by relevance, every matching row is read before the first is known: the
        # page's ids are ranked first (each matching row read from a narrow index), then the
        # page's rows read by id. Ranking whole rows sorted every matching document with its
        # abstract: at 200,000 documents, a word in 26,000 of them took 78 ms, 55 ms so.
        # (The case list's rows are narrow: there it saved 1-3 ms and cost a query.)
        ids_page = Paginator(found.queryset.values_list("pk", flat=True), found.per_page)
        found.page = ids_page.get_page(number)
        ids = list(found.page.object_list)
        by_pk = {row.pk: row for row in rows(filterset.queryset.filter(pk__in=ids))}
        found.rows = [by_pk[pk] for pk in ids if pk in by_pk]
        found.page.object_list = found.rows
    else:
        found.page = Paginator(rows(found.queryset), found.per_page).get_page(number)
        walked = _walked(found, filterset, rows, found.page)
        found.rows = list(found.page.object_list) if walked is None else walked
        found.page.object_list = found.rows
    passages = (
        filterset.search_index.passages([row.pk for row in found.rows], found.query)
        if found.searching
        else {}
    )
    for row in found.rows:
        row.passage = passages.get(row.pk)
    if decorate:
        decorate(found.rows)
    found.facets, found.ranges = count_facets(filterset)
    link_long_facets(filterset, found.facets, request.GET)
    found.active_filters = chips(filterset, found.facets, request.GET)
    return found


# SQLite: a page of a list sorted in an order an index gives (Sort.walk) is read walking that
# index when at least WALK_FROM rows match: the first WALK rows of the unfiltered list are the
# candidates, and when enough of them match, the page is among them.
WALK_FROM = 1000
WALK = 2000


def _walked(
    found: SearchPage, filterset: FacetedFilterSet, rows: Callable[[Any], QuerySet], page: Page
) -> list[Any] | None:
    """The page's rows read walking the sort's index (its queries as the page's own), or None
    where the walk does not reach them (then the matching rows are sorted, as on PostgreSQL,
    whose planner walks such an index by itself when it pays): the page's queries twice.

    SQLite sorts all the matching rows when its planner finds them through another index
    (a policy area, stage and years: the facet keys), however many match: 14,465 cases of
    100,000 took 25 ms for one page, 4 ms so. Walking needs the rows to be many (a few
    matching rows are sorted at once, and a walk would not meet them early)."""
    sort = filterset.sorts.get(found.sort)
    if sort is None or not sort.walk or connections[found.queryset.db].vendor != "sqlite":
        return None
    count = page.paginator.count
    bottom = (page.number - 1) * found.per_page
    top = bottom + found.per_page
    if count < WALK_FROM or top > WALK:
        return None
    head = filterset.queryset.order_by(*sort.order).values("pk")[:WALK]
    walked = list(rows(found.queryset.filter(pk__in=Subquery(head)))[bottom:top])
    # The page is the walk's when the first WALK rows of the list held all its rows.
    return walked if len(walked) == min(top, count) - bottom else None


def link_long_facets(filterset: FacetedFilterSet, facets: list[Facet], params: QueryDict) -> None:
    """A facet that lists only its most frequent values links to the page of them all, with
    the current filters (its own chosen values stay chosen there)."""
    if not filterset.facet_page:
        return
    query = params.copy()
    for name in ("page", "per_page", "sort", "find"):
        query.pop(name, None)
    suffix = "?" + query.urlencode() if query else ""
    for facet in facets:
        facet.more_url = reverse(filterset.facet_page, args=[facet.name]) + suffix


FACET_PAGE_SIZE = 50
FIND_LENGTH = 100


@dataclass
class FacetPage:
    """Every value of one facet, found by text and paged: the page behind "Show all"."""

    name: str
    label: str
    find: str
    page: Page
    kept: list[tuple[str, str]]  # the other filters, and chosen values not on this page
    find_kept: list[tuple[str, str]]  # what the find box keeps: everything but find and page
    list_url: str
    back_url: str

    def context(self, **extra: Any) -> dict[str, Any]:
        return {"facet_page": self, "page": self.page, **extra}


def facet_page(
    request: HttpRequest, filterset: FacetedFilterSet, name: str, list_url: str
) -> FacetPage:
    """The values of facet ``name`` under the list's other filters whose label or value holds
    ``find``, a page of them, as check boxes of a GET form back to ``list_url`` that keeps
    the other filters. 404 when the list has no such facet."""
    found = facet_values(filterset, name)
    if found is None:
        raise Http404("No such facet")
    spec, values = found
    find = " ".join(str(request.GET.get("find", "")).split())[:FIND_LENGTH]
    needle = find.casefold()
    if needle:
        values = [v for v in values if needle in v.label.casefold() or needle in v.value.casefold()]
    values.sort(key=lambda v: not v.selected)
    page = Paginator(values, FACET_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {v.value for v in page.object_list}
    params = request.GET
    others = [
        (key, value)
        for key in params
        if key not in (name, "page", "find")
        for value in params.getlist(key)
    ]
    # Only what the list reads, and chosen values that pass its checks.
    others = [(k, v) for k, v in others if k in filterset.filters or k in ("sort", "per_page")]
    chosen = [(name, v) for v in sorted(filterset.chosen(name)) if v not in shown]
    back = params.copy()
    for key in ("page", "find"):
        back.pop(key, None)
    return FacetPage(
        name=name,
        label=spec.label,
        find=find,
        page=page,
        kept=others + chosen,
        find_kept=[(k, v) for k, v in others] + [(name, v) for v in sorted(filterset.chosen(name))],
        list_url=list_url,
        back_url=list_url + ("?" + back.urlencode() if back else ""),
    )
