"""The open-data API's evidence resource (wired up in ``golab.api``): published evidence
documents, filtered by the evidence library's parameters (``evidence.filters.EvidenceFilter``).
Only the fields that are stable as the library grows are served."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers

from cases.models import ImportRun
from common.api import (
    ERRORS,
    NUMBER_ID,
    UPDATED_SINCE,
    PageURLField,
    PublishedViewSet,
    WithdrawnSerializer,
    filter_parameters,
    latest_change,
    once_public,
)
from common.downloads import Column, field, fields_of
from evidence.filters import EvidenceFilter
from evidence.models import EvidenceDocument


class EvidenceSerializer(serializers.ModelSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:evidence-detail")
    page = PageURLField(help_text="The document's page in the evidence library.")
    authors = serializers.SerializerMethodField(help_text="In order, as written.")

    class Meta:
        model = EvidenceDocument
        fields = [
            "id",
            "api_url",
            "page",
            "title",
            "authors",
            "url",
            "document_type",
            "publisher",
            "publication_date",
            "abstract",
            "doi",
            "evaluation_design",
            "evidence_rating",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_authors(self, document: EvidenceDocument) -> list[str]:
        return [author.name for author in document.authors.all()]


class WithdrawnDocumentSerializer(WithdrawnSerializer):
    id = serializers.IntegerField(source="record_id")


@extend_schema_view(
    list=extend_schema(
        parameters=filter_parameters(EvidenceFilter),
        responses={200: EvidenceSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        parameters=[OpenApiParameter("id", NUMBER_ID, OpenApiParameter.PATH)],
        responses={200: EvidenceSerializer, 404: ERRORS[404], 429: ERRORS[429]},
    ),
    withdrawn=extend_schema(
        parameters=[UPDATED_SINCE],
        responses={200: WithdrawnDocumentSerializer(many=True), **ERRORS},
        description="The ids of documents that were public and are no longer: delete them.",
    ),
)
class EvidenceViewSet(PublishedViewSet):
    """Evidence documents: evaluations, reports, articles and other sources about cases."""

    filterset_class = EvidenceFilter
    serializer_class = EvidenceSerializer
    withdrawn_serializer_class = WithdrawnDocumentSerializer
    lookup_value_regex = "[0-9]{1,18}"  # NUMBER_ID

    def published(self) -> QuerySet:
        return EvidenceDocument.objects.published()

    def shape(self, queryset: QuerySet) -> QuerySet:
        return queryset.defer("text", "import_baseline").prefetch_related("authors")

    def withdrawn_rows(self) -> QuerySet:
        published = EvidenceDocument.objects.published().values("pk")
        return EvidenceDocument.objects.filter(
            once_public(EvidenceDocument, Q(pk__in=published))
        ).values("updated_at", record_id=F("id"))

    def last_changed(self) -> dt.datetime | None:
        return latest_change((EvidenceDocument, "updated_at"), (ImportRun, "finished_at"))


# Downloads (``evidence.views.document_download``): the same records, one row each.
DOCUMENT_COLUMNS = [
    field("id", "pk"),
    field("title"),
    Column("authors", lambda d: [author.name for author in d.authors.all()]),
    field("url"),
    field("document_type"),
    field("publisher"),
    field("publication_date"),
    field("doi"),
    field("evaluation_design"),
    field("evidence_rating"),
    field("abstract"),
    field("updated_at"),
    Column("page", lambda d: d.get_absolute_url(), url=True),
]


def download_documents(queryset: QuerySet) -> QuerySet:
    return queryset.only(*fields_of(DOCUMENT_COLUMNS)).prefetch_related("authors")
