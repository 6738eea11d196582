"""The page behind a long facet's "Show all" link on the case list: every value of one facet
(countries, organisations in a role, ...) with its count under the list's other filters,
found by text and paged, as check boxes that go back to /cases/ (no JavaScript needed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cases.filters import CaseFilter
from cases.models import Project
from common.listing import facet_page


@require_safe
def case_facet(request: HttpRequest, name: str) -> HttpResponse:
    filterset = CaseFilter(request.GET, queryset=Project.objects.published())
    page = facet_page(request, filterset, name, reverse("cases:case-list"))
    return render(
        request,
        "includes/facet_values_page.html",
        page.context(list_title="Case studies", result_noun="case studies"),
    )
