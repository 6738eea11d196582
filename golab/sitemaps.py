"""/sitemap.xml (an index of one sitemap per kind of page, each paged at the protocol's
50,000 URLs) and /robots.txt, which points crawlers at it and keeps them out of the admin.
Only published records are listed."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from cases.models import Organisation, OutcomeFund, Pipeline, PolicySector, Project
from evidence.models import EvidenceDocument


class RecordSitemap(Sitemap):
    """Published records of a model, by their own URL, last modified when last saved."""

    model: Any
    key: str

    def items(self) -> QuerySet:
        return self.model.objects.published().only("pk", self.key, "updated_at").order_by(self.key)

    def lastmod(self, item: Any) -> Any:
        return item.updated_at


class CaseSitemap(RecordSitemap):
    model, key = Project, "indigo_id"
    priority = 0.8


class OrganisationSitemap(RecordSitemap):
    model, key = Organisation, "indigo_id"


class FundSitemap(RecordSitemap):
    model, key = OutcomeFund, "indigo_id"


class PipelineSitemap(RecordSitemap):
    """Outcomes contracts in development (INDIGO's pipeline)."""

    model, key = Pipeline, "indigo_id"


class DocumentSitemap(RecordSitemap):
    model, key = EvidenceDocument, "pk"
    priority = 0.7


class PolicyAreaSitemap(Sitemap):
    def items(self) -> list[str]:
        return list(PolicySector.values)

    def location(self, item: str) -> str:
        return reverse("policy-area-detail", args=[item])


class PageSitemap(Sitemap):
    """The pages that are not records: lists, landing pages, the downloads."""

    priority = 0.6
    names = [
        "home",
        "cases:case-list",
        "cases:pipeline-list",
        "cases:policy-area-list",
        "evidence:document-list",
        "evidence:ratings",
        "glossary",
        "downloads",
    ]

    def items(self) -> list[str]:
        return self.names

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": PageSitemap,
    "policy-areas": PolicyAreaSitemap,
    "cases": CaseSitemap,
    "organisations": OrganisationSitemap,
    "funds": FundSitemap,
    "pipeline": PipelineSitemap,
    "evidence": DocumentSitemap,
}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
