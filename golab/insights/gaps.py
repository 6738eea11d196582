"""The evidence gap map: policy areas × evaluation designs, and policy areas × kinds of
document, each cell the contracts with such evidence and the works, linked to the library's
matching search; empty cells say so. Counted by the database over the case list's result
set (``evidence.areas.evidence_links``: what the policy-area pages count too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from cases.models import PolicySector
from common.facets import NOT_RECORDED
from common.models import PublicationStatus
from evidence.areas import evidence_links, library_url
from evidence.models import DocumentProject, DocumentType, EvaluationDesign

AREAS: list[tuple[str, str]] = [(str(v), str(label)) for v, label in PolicySector.choices]
DESIGNS: list[tuple[str, str]] = [
    *((str(v), str(label)) for v, label in EvaluationDesign.choices),
    (NOT_RECORDED, "Design not recorded"),
]
# Kinds of document that are evidence about a contract (correspondence and interviews are a
# case's sources, not evidence; the library leaves them out by default too).
TYPES: list[tuple[str, str]] = [
    (str(v), str(label))
    for v, label in DocumentType.choices
    if v not in (DocumentType.CORRESPONDENCE, DocumentType.OTHER)
]


@dataclass
class Cell:
    contracts: int
    works: int
    url: str
    level: int  # 0 (empty) to 4 (the most contracts of the map): the shading


@dataclass
class Row:
    area: str
    label: str
    contracts: int  # in the result set
    evaluated: int  # with an evaluation document (``has_evaluation``, the list's filter)
    cells: list[Cell] = field(default_factory=list)
    cases_url: str = ""  # this area's contracts
    unevaluated_url: str = ""  # those without an evaluation document

    @property
    def unevaluated(self) -> int:
        return self.contracts - self.evaluated


@dataclass
class Grid:
    title: str
    columns: list[tuple[str, str]]
    rows: list[Row]

    @property
    def empty_cells(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if not cell.contracts)


def _level(n: int, top: int) -> int:
    if not n:
        return 0
    return min(4, 1 + (4 * n - 1) // max(top, 1))


def unevaluated_url(area: str) -> str:
    """The case list of an area's contracts with no evaluation document."""
    query = urlencode({"policy_area": area, "has_evaluation": "no"})
    return f"{reverse('cases:case-list')}?{query}"


def gap_map(projects: QuerySet) -> dict[str, Any]:
    """Both grids for ``projects`` (published, filtered). Three queries: contracts (and
    those with an evaluation) per area, and the cells of each grid."""
    projects = projects.order_by()
    library = reverse("evidence:document-list")
    per_area = {
        area: (n, with_evaluation)
        for area, n, with_evaluation in projects.values_list("policy_sector").annotate(
            n=Count("pk"), e=Count("pk", filter=Q(has_evaluation=True))
        )
    }
    links = evidence_links(projects).order_by()
    by_design = {
        (area, design or NOT_RECORDED): (contracts, works)
        for area, design, contracts, works in links.values_list(
            "project__policy_sector", "document__evaluation_design"
        ).annotate(c=Count("project", distinct=True), w=Count("document", distinct=True))
    }
    typed = (
        DocumentProject.objects.filter(
            project__in=projects.values("pk"), document__status=PublicationStatus.PUBLISHED
        )
        .filter(Q(document__document_type__in=[v for v, _l in TYPES]))
        .order_by()
    )
    by_type = {
        (area, kind): (contracts, works)
        for area, kind, contracts, works in typed.values_list(
            "project__policy_sector", "document__document_type"
        ).annotate(c=Count("project", distinct=True), w=Count("document", distinct=True))
    }

    def grid(title: str, columns, counts, url) -> Grid:
        top = max((c for c, _w in counts.values()), default=0)
        rows = []
        for area, label in AREAS:
            if not per_area.get(area):
                continue
            row = Row(area, label, *per_area[area])
            for value, _label in columns:
                contracts, works = counts.get((area, value), (0, 0))
                row.cells.append(Cell(contracts, works, url(value, area), _level(contracts, top)))
            cases = reverse("cases:case-list")
            row.cases_url = f"{cases}?{urlencode({'policy_area': area})}"
            row.unevaluated_url = unevaluated_url(area)
            rows.append(row)
        return Grid(title, columns, rows)

    def type_url(kind: str, area: str) -> str:
        return f"{library}?{urlencode([('type', kind), ('policy_area', area)])}"

    return {
        "designs": grid(
            "Evaluations and research by design",
            DESIGNS,
            by_design,
            lambda design, area: library_url(library, design, area),
        ),
        "types": grid("Evidence by kind of document", TYPES, by_type, type_url),
        "unassigned": per_area.get("", (0, 0))[0],
        "projects": sum(n for n, _e in per_area.values()),
    }
