"""A cache of the popular public pages, shared by every app process (common.cache).

For a visitor with no session (no session or messages cookie, not logged in), a GET or HEAD
of one of the pages below is answered from the cache when the page was rendered before under
the current data version; a miss renders it as usual and stores the 200 response. Any change
to public data bumps the version, so a publish is seen at once by every process.

What is stored is the body with the request's CSP nonce replaced by a placeholder, and the
headers the view set. On every hit a fresh nonce (the one the CSP middleware puts in this
response's header) takes the placeholder's place, so a nonce is never replayed and the body
and the header always agree.

Never stored: a response other than a plain 200, one that sets a cookie, carries a CSRF token
or shows messages, one with its own Content-Security-Policy or Cache-Control: private or
no-store, and anything requested by a logged-in user.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.csp import CSP

from common import cache as result_cache

NAMESPACE = "page"
# The pages worth keeping: the most visited, the dearest to render, and the record pages (a
# case, an organisation, a fund, a document, a pipeline entry) that search engines and
# citations send visitors to. Not the facet lists, the exports or anything under /admin/.
CACHED_PATHS = re.compile(
    r"^/(?:"
    r"cases/|evidence/|policy-areas/(?:[-\w]+/)?|insights/|pipeline/"
    r"|(?:cases|organisations|funds|evidence|pipeline)/(?!facets/|export)[-.\w]+/"
    r")?$"
)
# A query string longer than this is not someone's bookmark: render it, do not store it.
MAX_QUERY_LENGTH = 2000
PLACEHOLDER = b"\x00golab-csp-nonce\x00"
# Headers the outer middleware sets again on every response, or that must not be replayed.
NOT_STORED = {
    "content-length",
    "set-cookie",
    "vary",
    CSP.HEADER_ENFORCE.lower(),
    CSP.HEADER_REPORT_ONLY.lower(),
}
HEADER = "X-Page-Cache"


def _anonymous(request: HttpRequest) -> bool:
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def page_key(request: HttpRequest) -> str | None:
    """The page's key (scheme, host, path and sorted parameters), or None when not cached."""
    if request.method not in ("GET", "HEAD") or not CACHED_PATHS.match(request.path_info):
        return None
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_LENGTH:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None  # the view answers it (400)
    params = sorted(parse_qsl(query, keep_blank_values=True))
    return f"{request.scheme}://{host}{request.path}?{urlencode(params)}"


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if any(header in response for header in (CSP.HEADER_ENFORCE, CSP.HEADER_REPORT_ONLY)):
        return False
    if hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if "private" in cache_control or "no-store" in cache_control:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    storage = getattr(request, "_messages", None)
    if storage is not None and (storage.used or getattr(storage, "_queued_messages", None)):
        return False
    return _anonymous(request)


def _freeze(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    body = response.content
    nonce = getattr(request, "_csp_nonce", None)
    uses_nonce = bool(nonce)  # a LazyNonce is true once something has read it
    if uses_nonce:
        body = body.replace(str(nonce).encode("ascii"), PLACEHOLDER)
    headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_STORED]
    # HTML compresses about eightfold: the cache table stays small, for a fraction of a ms.
    return {
        "body": zlib.compress(body, 6),
        "size": len(body),
        "headers": headers,
        "nonce": uses_nonce,
    }


def _size(page: dict[str, Any]) -> int:
    """What a page takes in this process's copies: its body compressed and inflated."""
    return len(page["body"]) + page["size"] + 1024


def _thaw(request: HttpRequest, page: dict[str, Any]) -> HttpResponse:
    # A page kept in this process (common.cache) is inflated once, not on every hit: the
    # copy is this process's own object, never stored back.
    body = page.get("inflated")
    if body is None:
        body = page["inflated"] = zlib.decompress(page["body"])
    if page["nonce"]:
        # Reading the nonce makes the CSP middleware put this same value in the header.
        body = body.replace(PLACEHOLDER, str(request._csp_nonce).encode("ascii"))  # type: ignore[attr-defined]
    response = HttpResponse(body)
    for name, value in page["headers"]:
        response[name] = value
    return response


class PageCacheMiddleware:
    """Serve and store the popular public pages (after the CSP middleware, which must see the
    nonce a hit used)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not result_cache.enabled():
            return self.get_response(request)
        key = page_key(request)
        if key is None or not _anonymous(request):
            return self.get_response(request)
        try:
            page = result_cache.cached(NAMESPACE, key, lambda: self.render(request), size=_size)
        except NotStored as skipped:
            skipped.response[HEADER] = "skip"
            return skipped.response
        rendered = getattr(request, "_page_cache_rendered", None)
        if rendered is not None:
            rendered[HEADER] = "miss"
            return rendered
        response = _thaw(request, page)
        response[HEADER] = "hit"
        # The page is what a visitor without a session sees: as the rendered one says, when
        # it read the session, shared caches must not give it to one with a session.
        patch_vary_headers(response, ["Cookie"])
        etag, modified = response.get("ETag"), response.get("Last-Modified")
        if etag or modified:
            conditional = get_conditional_response(
                request, etag=etag, last_modified=_parse_date(modified), response=response
            )
            if conditional is not None:
                return conditional
        return response

    def render(self, request: HttpRequest) -> dict[str, Any]:
        response = self.get_response(request)
        if not isinstance(response, HttpResponse) or not _storable(request, response):
            raise NotStored(response)
        request._page_cache_rendered = response  # type: ignore[attr-defined]
        return _freeze(request, response)


class NotStored(Exception):
    """The response rendered on a miss may not be stored: it is answered as it is."""

    def __init__(self, response: HttpResponseBase) -> None:
        super().__init__()
        self.response = response


def _parse_date(value: str | None) -> int | None:
    from django.utils.http import parse_http_date_safe

    return parse_http_date_safe(value) if value else None
