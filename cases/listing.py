"""What the searchable list pages (case studies, evidence) share: page size and URLs that
drop one filter."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20


def page_size(request: HttpRequest) -> int:
    """The requested page size if it is one we offer, else the default."""
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def url_without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The current query string less one parameter (or one of its values), and the page."""
    kept = [
        (key, item)
        for key in params
        for item in params.getlist(key)
        if key != "page" and not (key == name and (value is None or item == value))
    ]
    return "?" + urlencode(kept) if kept else "?"
