"""Middleware of the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(params: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in params.getlist(key)) for key in params)


class RejectNulBytesMiddleware:
    """Answer 400 to a request with a NUL byte in its path, query string or form fields.

    PostgreSQL cannot store or compare text containing NUL: such a value reaching a query
    (a path id, an admin filter) raised a database error, a 500. No legitimate request
    carries one, so it is refused before any view runs. Uploaded files are not looked at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or _has_nul(request.GET) or self._form_has_nul(request):
            return HttpResponseBadRequest(
                "Bad request: NUL character in the address or form.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _form_has_nul(request: HttpRequest) -> bool:
        # CsrfViewMiddleware parses the form of every POST anyway; nothing is read twice.
        return (
            request.method == "POST"
            and request.content_type in FORM_TYPES
            and _has_nul(request.POST)
        )


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response: the
    browser features no page uses (camera, geolocation, ...) are off for this site and
    anything it frames. Django has no setting for this header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
