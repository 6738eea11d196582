"""The evidence summary of a policy area: how many of its contracts have an evaluation or
research, by evaluation design (with links into the library), and which have none (the
gaps)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from common.facets import NOT_RECORDED
from common.models import PublicationStatus
from evidence.case_page import evaluation_or_research_q
from evidence.models import DocumentProject, EvaluationDesign, EvidenceDocument


@dataclass
class DesignRow:
    design: str  # EvaluationDesign value, or NOT_RECORDED
    label: str
    contracts: int  # contracts with at least one such work
    works: int
    library_url: str


def library_url(library: str, design: str, area: str) -> str:
    """The library's search for works of ``design`` in policy area ``area``."""
    params = [("design", design), ("policy_area", area)]
    if design == NOT_RECORDED:  # evidence works only, not every document without a design
        params += [("type", "evaluation-report"), ("type", "academic-article")]
    return f"{library}?{urlencode(params)}"


def evidence_links(projects: QuerySet) -> QuerySet:
    """The links that make a published work evaluation or research of one of ``projects``
    (what the policy-area pages and the evidence gap map count)."""
    return DocumentProject.objects.filter(
        evaluation_or_research_q(),
        project__in=projects.values("pk"),
        document__status=PublicationStatus.PUBLISHED,
    )


def key_works(projects: QuerySet, limit: int = 10) -> list[EvidenceDocument]:
    """The strongest published evaluation and research works of ``projects``: rated best
    first, then newest (for a policy area's page)."""
    return list(
        EvidenceDocument.objects.filter(pk__in=evidence_links(projects).values("document_id"))
        .only("title", "url", "publication_date", "document_type", "evidence_rating")
        .order_by(F("evidence_rating").desc(nulls_last=True), "-publication_date", "title")[:limit]
    )


GAPS_LISTED = 20  # contracts with no evaluation named on a policy area's page


def area_evidence(projects: QuerySet, area: str) -> dict[str, Any]:
    """For the published ``projects`` of policy area ``area``: ``evaluated`` (how many have
    an evaluation or research work), ``designs`` (DesignRow, most contracts first) and
    ``gaps`` (the ``GAPS_LISTED`` newest projects with none). Two queries."""
    rows = (
        evidence_links(projects)
        .order_by()
        .values_list("project_id", "document_id", "document__evaluation_design")
        .distinct()
    )
    contracts: dict[str, set[int]] = defaultdict(set)
    works: dict[str, set[int]] = defaultdict(set)
    evaluated: set[int] = set()
    for project_id, document_id, design in rows:
        key = design or NOT_RECORDED
        contracts[key].add(project_id)
        works[key].add(document_id)
        evaluated.add(project_id)
    labels = {**dict(EvaluationDesign.choices), NOT_RECORDED: "Design not recorded"}
    library = reverse("evidence:document-list")
    designs = sorted(
        (
            DesignRow(
                key,
                str(labels.get(key, key)),
                len(contracts[key]),
                len(works[key]),
                library_url(library, key, area),
            )
            for key in contracts
        ),
        key=lambda row: (row.design == NOT_RECORDED, -row.contracts, row.label),
    )
    # The newest few only: the page must not grow with the data (at 10,000 contracts the
    # full list was 120 kB of a 158 kB page). The rest are a link to the case list away.
    gaps = list(
        projects.exclude(pk__in=evidence_links(projects).values("project_id"))
        .order_by("-launch_year", "name")
        .only("indigo_id", "name", "launch_year", "stage")[:GAPS_LISTED]
    )
    return {"evaluated": len(evaluated), "designs": designs, "gaps": gaps}
