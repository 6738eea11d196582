"""Public pages of the evidence library. Only published documents are ever read here."""

from __future__ import annotations

import json
from typing import cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from cases.models import published_project_q
from common import downloads
from common.listing import search_page, search_results
from evidence import api as open_data
from evidence import citations
from evidence.filters import EvidenceFilter
from evidence.models import DocumentQuerySet, EvidenceDocument, EvidenceRating, Relation
from evidence.ratings import MEANINGS, SCALE

MAX_EXPORT = 2000


def _filterset(request: HttpRequest) -> EvidenceFilter:
    return EvidenceFilter(request.GET, queryset=EvidenceDocument.objects.published())


@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    page = search_page(
        request, _filterset(request), rows=lambda queryset: queryset.for_list(), wide_rows=True
    )
    return render(request, "evidence/document_list.html", page.context(max_export=MAX_EXPORT))


@require_safe
def export_results(request: HttpRequest, fmt: str) -> HttpResponse:
    """The current search results (up to MAX_EXPORT) for a reference manager."""
    # The filterset's queryset (``_filterset``) is a DocumentQuerySet; SearchPage types it
    # as any QuerySet.
    queryset = cast(DocumentQuerySet, search_results(request, _filterset(request)).queryset)
    if fmt not in {"bib", "ris"}:
        raise Http404("Export as .bib or .ris")
    documents = list(queryset.for_list()[:MAX_EXPORT])
    if fmt == "bib":
        body, content_type = citations.bibtex(documents), "application/x-bibtex"
    else:
        body, content_type = citations.ris(documents), "application/x-research-info-systems"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evidence.{fmt}"'
    return response


def _published_or_404(pk: int) -> EvidenceDocument:
    return get_object_or_404(EvidenceDocument.objects.published().for_detail(), pk=pk)


@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _published_or_404(pk)
    url = request.build_absolute_uri(document.get_absolute_url())
    links = list(document.project_links.all())
    order: dict[str, int] = {Relation.EVALUATION_OF: 0, Relation.ABOUT: 1, Relation.SOURCE_FOR: 2}
    links.sort(key=lambda link: (order.get(link.relation, 9), link.project.name))
    # Every citation of the work by a published case, with the part cited (locator).
    sources = list(
        document.project_sources.filter(published_project_q())
        .select_related("project")
        .prefetch_related("citations")
        .order_by("project__indigo_id", "position")
    )
    cited: dict[int, list] = {}
    for source in sources:
        cited.setdefault(source.project_id, []).append(source)
    for link in links:
        # For the template: how often the case cites the work, and where in it.
        link.cited = cited.get(link.project_id, [])  # type: ignore[attr-defined]
        link.locators = [s.locator for s in link.cited if s.locator]  # type: ignore[attr-defined]
    context = {
        "document": document,
        "links": links,
        "sections": [s for s in sources if s.citations.all()],
        "rating_meaning": MEANINGS.get(document.evidence_rating or 0, ""),
        "apa": citations.apa(document),
        "harvard": citations.harvard(document),
        "json_ld": citations.json_ld(document, url),
        "has_file": bool(document.file),
        "has_text": document.has_searchable_text,
    }
    return render(request, "evidence/document_detail.html", context)


@require_safe
def document_citation(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    document = _published_or_404(pk)
    if fmt == "bib":
        body, content_type = citations.bibtex_entry(document), "application/x-bibtex"
    elif fmt == "ris":
        body, content_type = citations.ris_entry(document), "application/x-research-info-systems"
    else:
        url = request.build_absolute_uri(document.get_absolute_url())
        body = json.dumps([citations.csl_json(document, url)], ensure_ascii=False, indent=2)
        content_type = "application/vnd.citationstyles.csl+json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evidence-{document.pk}.{fmt}"'
    return response


@require_safe
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The document's PDF, always as a download, never rendered by the browser in our
    origin: nosniff, and a sandboxing Content-Security-Policy in case it is opened."""
    document = _published_or_404(pk)
    if not document.file:
        raise Http404("This document has no file")
    name = (slugify(document.title)[:80] or f"evidence-{document.pk}") + ".pdf"
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_safe
def ratings(request: HttpRequest) -> HttpResponse:
    scale = [{"value": int(r), "label": r.label, "meaning": text} for r, text in SCALE]
    return render(
        request, "evidence/ratings.html", {"scale": scale, "top": EvidenceRating.RANDOMISED}
    )


# Downloads of the library's results (common.downloads): the same parameters as /evidence/.


@require_safe
def document_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    found = search_results(request, _filterset(request)).queryset
    rows = open_data.download_documents(found)
    return downloads.download(request, fmt, rows, open_data.DOCUMENT_COLUMNS, name="evidence")


downloads.offer_downloads(
    "evidence:document-list",
    [("Documents", "evidence:document-download")],
    api="api:evidence-list",
)
