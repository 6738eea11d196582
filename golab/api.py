"""The read-only open-data API, assembled: ``/api/v1/`` (each app's resources), the OpenAPI 3
schema at ``/api/schema/`` and its human documentation at ``/api/docs/`` (Swagger UI served
from our own static files, drf-spectacular-sidecar; no CDN). Included by ``golab.urls``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.routers import APIRootView, DefaultRouter

from cases.api import (
    CaseViewSet,
    FundViewSet,
    OrganisationViewSet,
    OutcomeMetricViewSet,
    PipelineViewSet,
)
from common.api import attribution_headers
from evidence.api import EvidenceViewSet

app_name = "api"


class Root(APIRootView):
    """The API's resources."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        attribution_headers(response)
        return response


class Docs(SpectacularSwaggerSplitView):
    """The API's documentation: what a person needs to read without JavaScript, then Swagger
    UI to try the API (its script comes from a second request, for our CSP)."""

    template_name = "golab/api_docs.html"
    url_name = "api:schema"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is None:
            response.data.update(
                rate_limit=settings.API_RATE_LIMIT, licence=settings.INDIGO_LICENCE
            )
        return response


class Router(DefaultRouter):
    APIRootView = Root
    include_format_suffixes = False


router = Router(trailing_slash=True)
router.register("cases", CaseViewSet, basename="case")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("funds", FundViewSet, basename="fund")
router.register("outcome-metrics", OutcomeMetricViewSet, basename="outcome-metric")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("pipeline", PipelineViewSet, basename="pipeline")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", Docs.as_view(), name="docs"),
]
