"""What the searchable list pages (case studies, evidence) share: page size, URLs that
drop one filter, and the notice of what was ignored."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

from common import search

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def page_size(request: HttpRequest) -> int:
    """The requested page size if it is one we offer, else the default."""
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def ignored_parameters(filterset, query: str) -> dict[str, str]:
    """What the page ignores, and why: parameters that do not validate, and the words of
    the search too common to search for (a search of only those is no search at all)."""
    ignored = filterset.ignored()
    dropped = search.dropped_words(query)
    if dropped:
        ignored["q"] = "Too common to search for: " + ", ".join(dropped)
    return ignored


def url_without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The current query string less one parameter (or one of its values), and the page."""
    kept = [
        (key, item)
        for key in params
        for item in params.getlist(key)
        if key != "page" and not (key == name and (value is None or item == value))
    ]
    return "?" + urlencode(kept) if kept else "?"


def active_filter_chips(filterset, facet_list, params: QueryDict) -> list[dict[str, str]]:
    """One removable entry per active filter value, for the summary above the results:
    facet values by their label, numbers as whole numbers, ticked boxes by their label."""
    from decimal import Decimal

    labels = {f.name: {v.value: v.label for v in f.values} for f in facet_list}
    chips = []
    for name, value in filterset.active().items():
        label = filterset.filters[name].label
        if isinstance(value, list):
            for item in value:
                text = labels.get(name, {}).get(item) or (
                    "Not recorded" if item == "none" else item
                )
                chips.append(
                    {"label": f"{label}: {text}", "remove": url_without(params, name, item)}
                )
        elif value is True:
            chips.append({"label": label, "remove": url_without(params, name)})
        else:
            if isinstance(value, Decimal):
                shown = f"{value:,.0f}" if not name.startswith("year_") else f"{int(value)}"
            else:
                shown = labels.get(name, {}).get(value, value)
            chips.append({"label": f"{label}: {shown}", "remove": url_without(params, name)})
    return chips
