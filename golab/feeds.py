"""Atom feeds of new and updated case studies and evidence documents, for any search of
/cases/ or /evidence/: a feed takes the page's own query parameters, read by the page's own
FilterSet (``CaseFilter``, ``EvidenceFilter``), so "follow this search" follows exactly what
the page lists. Newest change first; only published records."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from cases.filters import CaseFilter
from cases.models import Project
from common.facets import FacetedFilterSet
from evidence.filters import EvidenceFilter
from evidence.models import EvidenceDocument
from golab.oai import xml_text

FEED_SIZE = 50
# Parameters of a list page that do not change what it lists.
_PAGE_ONLY = ("page", "per_page", "sort")


class SearchFeed(Feed):
    feed_type = Atom1Feed
    list_url_name: str
    noun: str

    def filterset(self, request: HttpRequest) -> FacetedFilterSet:
        raise NotImplementedError

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        params = request.GET.copy()
        for name in _PAGE_ONLY:
            params.pop(name, None)
        filterset = self.filterset(request)
        query = filterset.active().get("q", "")
        return {
            "filterset": filterset,
            "query": query,
            "params": params.urlencode(),
            "path": request.path,
        }

    def title(self, obj: dict[str, Any]) -> str:
        about = f" matching “{obj['query']}”" if obj["query"] else ""
        # The search as typed may hold characters XML cannot (a feed of them would not render).
        return xml_text(f"{settings.SITE_NAME}: new and updated {self.noun}{about}")

    def link(self, obj: dict[str, Any]) -> str:
        return reverse(self.list_url_name) + (f"?{obj['params']}" if obj["params"] else "")

    def feed_url(self, obj: dict[str, Any]) -> str:
        return obj["path"] + (f"?{obj['params']}" if obj["params"] else "")

    def subtitle(self, obj: dict[str, Any]) -> str:
        return f"{settings.INDIGO_ATTRIBUTION}."

    def feed_copyright(self, obj: dict[str, Any]) -> str:
        return settings.INDIGO_ATTRIBUTION

    def items(self, obj: dict[str, Any]) -> QuerySet:
        return obj["filterset"].qs.order_by("-updated_at", "-pk")[:FEED_SIZE]

    def item_updateddate(self, item: Any) -> Any:
        return item.updated_at

    def item_pubdate(self, item: Any) -> Any:
        return item.created_at


class CaseFeed(SearchFeed):
    list_url_name = "cases:case-list"
    noun = "case studies"

    def filterset(self, request: HttpRequest) -> FacetedFilterSet:
        return CaseFilter(request.GET, queryset=Project.objects.published())

    def items(self, obj: dict[str, Any]) -> QuerySet:
        return (
            super()
            .items(obj)
            .only("pk", "indigo_id", "name", "summary", "intervention", "updated_at", "created_at")
        )

    def item_title(self, item: Project) -> str:
        return xml_text(item.name or item.indigo_id)

    def item_description(self, item: Project) -> str:
        return xml_text(strip_tags(item.summary or item.intervention))[:1000]

    def item_author_name(self, item: Project) -> str:
        return "Government Outcomes Lab"


class EvidenceFeed(SearchFeed):
    list_url_name = "evidence:document-list"
    noun = "evidence documents"

    def filterset(self, request: HttpRequest) -> FacetedFilterSet:
        return EvidenceFilter(request.GET, queryset=EvidenceDocument.objects.published())

    def items(self, obj: dict[str, Any]) -> QuerySet:
        return (
            super()
            .items(obj)
            .only("pk", "title", "url", "abstract", "updated_at", "created_at")
            .prefetch_related("authors")
        )

    def item_title(self, item: EvidenceDocument) -> str:
        return xml_text(item)

    def item_description(self, item: EvidenceDocument) -> str:
        return xml_text(item.abstract)[:1000]

    def item_author_name(self, item: EvidenceDocument) -> str:
        return xml_text("; ".join(author.name for author in item.authors.all()))


# The list pages that have a feed, by URL name, and their feed's URL name.
FEEDS = {"cases:case-list": "feed-cases", "evidence:document-list": "feed-evidence"}


def search_feed(request: HttpRequest) -> dict[str, str]:
    """Context processor: the Atom feed of the list page being shown (``search_feed_url``),
    for its "follow this search" link and ``<link rel="alternate">``. No query."""
    match = getattr(request, "resolver_match", None)
    name = FEEDS.get(match.view_name) if match else None
    return {"search_feed_url": reverse(name)} if name else {}
