"""The app's URLs plus ``/bench/trivial/``: a view that does no work (no query, no template)
but passes through the whole middleware stack, served only by the benchmark's settings."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from golab.urls import urlpatterns as app_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *app_urlpatterns]
