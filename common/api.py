"""What every resource of the read-only open-data API shares (the resources themselves are
declared in ``cases.api`` and ``evidence.api``, and assembled in ``golab.api``).

A list reads its parameters through the same ``FacetedFilterSet`` and ``search_results()`` as
its HTML page, so the page, the API and the downloads cannot disagree; a parameter whose
value does not validate is a 400 here (a program should hear about a typo), where the page
ignores it and says so. Lists are paged (``page``, ``per_page`` up to 100) and answer
``{count, next, previous, attribution, licence, results}``; ``updated_since`` keeps only
records changed after a moment, and each list has a ``withdrawn/`` list of the ids that are
no longer public, so that a mirror can delete them. Every response carries the INDIGO
attribution and licence (headers ``X-Data-Attribution`` and ``X-Data-Licence``), an ETag
and, where known, a Last-Modified, and answers a conditional GET with 304.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from common.facets import (
    MAX_VALUES,
    NOT_RECORDED,
    CodeListFilter,
    FacetedFilterSet,
    Kind,
    NotRecordedFilter,
    YesNoFilter,
    kind_of,
)
from common.listing import search_results

MAX_PAGE_SIZE = 100
# What a record's id in a URL may be: an INDIGO id, or a number (a database id).
INDIGO_ID = "^[A-Za-z0-9-]{1,64}$"
NUMBER_ID = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}


def attribution_headers(response: Any) -> None:
    """The data's attribution and licence, on every API response and download."""
    response["X-Data-Attribution"] = settings.INDIGO_ATTRIBUTION
    response["X-Data-Licence"] = settings.INDIGO_LICENCE


class BadParameters(APIException):
    status_code = 400
    default_detail = "Some parameters do not validate."
    default_code = "bad_parameters"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__()
        self.detail = {"detail": self.default_detail, "errors": errors}


class ErrorSerializer(serializers.Serializer):
    """An error (404, 429)."""

    detail = serializers.CharField()


class BadParametersSerializer(serializers.Serializer):
    """A 400: which parameters do not validate, and why."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.CharField())


ERRORS = {400: BadParametersSerializer, 404: ErrorSerializer, 429: ErrorSerializer}


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "per_page"
    max_page_size = MAX_PAGE_SIZE

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "attribution": settings.INDIGO_ATTRIBUTION,
                "licence": settings.INDIGO_LICENCE,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        envelope = super().get_paginated_response_schema(schema)
        envelope["properties"] = {
            **{k: v for k, v in envelope["properties"].items() if k != "results"},
            "attribution": {"type": "string"},
            "licence": {"type": "string"},
            "results": schema,
        }
        envelope["required"] = ["count", "next", "previous", "attribution", "licence", "results"]
        return envelope


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class PageURLField(serializers.Field):
    """The record's page on the site (its ``get_absolute_url()``), as an absolute URL; null
    while the site has no page for such records."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:
        try:
            url = value.get_absolute_url()
        except NoReverseMatch:
            return None
        return self.context["request"].build_absolute_uri(url)


# ---------------------------------------------------------------------------------------------
# The OpenAPI description of a list's parameters, read from its FilterSet.

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description=(
        "Only records changed after this moment (ISO 8601: 2025-05-01 or "
        "2025-05-01T12:00:00Z; without a time zone, UTC)."
    ),
)


def _filter_schema(filter_: Any) -> dict[str, Any]:
    kind = kind_of(filter_)
    if isinstance(filter_, CodeListFilter):
        pattern = filter_.extra.get("pattern")
        choices = filter_.extra.get("choices")
        item: dict[str, Any] = {"type": "string"}
        if pattern is not None:
            item["pattern"] = f"{pattern.pattern}|^{NOT_RECORDED}$"
        elif choices:
            item["enum"] = [str(value) for value, _label in choices]
        return {"type": "array", "items": item, "maxItems": MAX_VALUES}
    if isinstance(filter_, YesNoFilter):
        return {"type": "string", "enum": ["yes", "no"]}
    if isinstance(filter_, NotRecordedFilter):
        return {"type": "boolean"}
    if kind in (Kind.YEAR, Kind.AMOUNT, Kind.COUNT):
        limits = {type(v).__name__: v.limit_value for v in filter_.extra.get("validators", [])}
        return {
            "type": "integer" if kind == Kind.YEAR else "number",
            "minimum": limits["MinValueValidator"],
            "maximum": limits["MaxValueValidator"],
        }
    schema: dict[str, Any] = {"type": "string"}
    if filter_.extra.get("max_length"):
        schema["maxLength"] = filter_.extra["max_length"]
    return schema


def filter_parameters(filterset_class: type[FacetedFilterSet]) -> list[OpenApiParameter]:
    """Each filter of a list page as an API parameter, and its ``sort``."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        schema = _filter_schema(filter_)
        description = str(filter_.label or name)
        if schema["type"] == "array":
            description += " (repeat the parameter for several values; 'none': not recorded)"
        parameters.append(OpenApiParameter(name, schema, description=description, explode=True))
    parameters.append(
        OpenApiParameter(
            "sort",
            str,
            enum=list(filterset_class.sorts),
            description=(
                f"Order of the results; default: relevance when searching (q), else "
                f"{filterset_class.default_sort}."
            ),
        )
    )
    return [*parameters, UPDATED_SINCE]


# ---------------------------------------------------------------------------------------------
# The resources


def parse_since(raw: str | None) -> dt.datetime | None:
    """``updated_since`` as an aware datetime; a value that is not one is a 400."""
    if raw is None or raw == "":
        return None
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = dt.datetime.combine(day, dt.time())
        if value is None:
            raise ValueError
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise BadParameters(
            {"updated_since": "a date or date and time in ISO 8601, e.g. 2025-05-01T12:00:00Z"}
        ) from None


class WithdrawnSerializer(serializers.Serializer):
    """A record that was public and is no longer: a mirror deletes it."""

    id = serializers.CharField(source="record_id")
    withdrawn_at = serializers.DateTimeField(
        source="updated_at", help_text="When the record stopped being public (its last change)."
    )


class PublishedViewSet(viewsets.ReadOnlyModelViewSet):
    """A resource of published records: paged lists filtered as the HTML list is, each
    record at its id, the ids of the records no longer public, ETag and Last-Modified.

    A subclass sets ``filterset_class`` (or ``None`` for no filters), ``serializer_class``
    and ``lookup_field``, and fills in ``published()``, ``withdrawn_rows()`` and
    ``last_changed()``; ``shape()`` and ``decorate()`` prepare a page's rows in a few
    queries whatever its size."""

    filterset_class: ClassVar[type[FacetedFilterSet] | None] = None
    pagination_class = Pages
    filter_backends: ClassVar[list[Any]] = []  # filtering is the FilterSet's, below
    lookup_value_regex = INDIGO_ID.strip("^$")
    since_field: ClassVar[str] = "updated_at"
    default_order: ClassVar[tuple[str, ...]] = ("pk",)
    withdrawn_serializer_class: ClassVar[type[serializers.Serializer]] = WithdrawnSerializer

    # -- to fill in --------------------------------------------------------------------------

    def published(self) -> QuerySet:
        raise NotImplementedError

    def withdrawn_rows(self) -> QuerySet:
        """``values("record_id", "updated_at")`` of the records that were public and are
        not: their id, and their last change (when they stopped being public)."""
        raise NotImplementedError

    def last_changed(self) -> dt.datetime | None:
        """The latest change to anything the resource shows (for Last-Modified)."""
        return None

    def shape(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def decorate(self, rows: Iterable[Any]) -> None:
        return None

    # -- reading -----------------------------------------------------------------------------

    def get_queryset(self) -> QuerySet:
        return self.shape(self.published())

    def listed(self, request: Request) -> QuerySet:
        """The published records under the request's filters, in the list's order: what the
        HTML list shows (the same FilterSet through ``search_results()``)."""
        queryset = self.published()
        if self.filterset_class is not None:
            django_request: HttpRequest = request._request
            filterset = self.filterset_class(request.query_params, queryset=queryset)
            found = search_results(django_request, filterset)
            errors = dict(filterset.ignored())
            if "sort" in found.ignored:
                errors["sort"] = found.ignored["sort"]
            if errors:
                raise BadParameters(errors)
            queryset = found.queryset
        else:
            queryset = queryset.order_by(*self.default_order)
        since = parse_since(request.query_params.get("updated_since"))
        if since is not None:
            queryset = queryset.filter(**{f"{self.since_field}__gt": since})
        return queryset

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.shape(self.listed(request)))
        rows = list(page or [])
        self.decorate(rows)
        self.modified = self.last_changed()
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        self.decorate([record])
        self.modified = self.last_changed()
        return Response(self.get_serializer(record).data)

    @action(detail=False, pagination_class=Pages)
    def withdrawn(self, request: Request) -> Response:
        rows = self.withdrawn_rows()
        since = parse_since(request.query_params.get("updated_since"))
        if since is not None:
            rows = rows.filter(updated_at__gt=since)
        page = self.paginate_queryset(rows.order_by("record_id"))
        self.modified = self.last_changed()
        data = self.withdrawn_serializer_class(page, many=True).data
        return self.get_paginated_response(data)

    # -- every response ----------------------------------------------------------------------

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        attribution_headers(response)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        set_response_etag(response)
        modified = getattr(self, "modified", None)
        timestamp = int(modified.timestamp()) if modified else None
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        conditional = get_conditional_response(
            request._request, etag=response["ETag"], last_modified=timestamp, response=response
        )
        if conditional is not response:
            attribution_headers(conditional)
        return conditional


def latest_change(*sources: tuple[QuerySet | type[Model], str]) -> dt.datetime | None:
    """The latest of several timestamps (each the greatest ``field`` of a table)."""
    from django.db.models import Max

    found = []
    for source, field in sources:
        queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
        value = queryset.order_by().aggregate(latest=Max(field))["latest"]
        if value is not None:
            found.append(value)
    return max(found, default=None)


def once_public(model: type[Model], published: Q) -> Q:
    """Records that were public once (published or withdrawn, by import or by the workflow
    log) and are not now: withdrawn, or published and soft-deleted, or returned from
    published to draft or review. A record that was only ever a draft is not among them."""
    from django.contrib.contenttypes.models import ContentType

    from common.models import PublicationStatus, StatusChange

    returned = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        from_status=PublicationStatus.PUBLISHED,
    ).values("object_id")
    was_public = (
        Q(status=PublicationStatus.WITHDRAWN)
        | Q(status=PublicationStatus.PUBLISHED)
        | Q(pk__in=returned)
    )
    return was_public & ~published
