"""/insights/evidence/: the evidence gap map, its counts, empty cells, links and queries."""

from __future__ import annotations

import pytest

from cases.models import PolicySector, Project
from common.models import PublicationStatus
from evidence.models import DocumentType, EvaluationDesign, Relation
from evidence.services import refresh_evaluation_flags
from tests.factories import DocumentProjectFactory, EvidenceDocumentFactory, ProjectFactory


def evaluate(
    project,
    design,
    *,
    status=PublicationStatus.PUBLISHED,
    kind=DocumentType.EVALUATION_REPORT,
    relation=Relation.EVALUATION_OF,
):
    document = EvidenceDocumentFactory(evaluation_design=design, document_type=kind, status=status)
    DocumentProjectFactory(document=document, project=project, relation=relation)
    return document


@pytest.fixture
def evaluated(db):
    health = ProjectFactory.create_batch(3, policy_sector=PolicySector.HEALTH)
    homeless = ProjectFactory(policy_sector=PolicySector.HOMELESSNESS)
    shared = evaluate(health[0], EvaluationDesign.RCT)
    DocumentProjectFactory(document=shared, project=health[1], relation=Relation.EVALUATION_OF)
    evaluate(health[0], EvaluationDesign.RCT)  # a second RCT of the same contract
    # Research about a contract is evidence, though not an evaluation of it.
    evaluate(health[2], "", kind=DocumentType.ACADEMIC_ARTICLE, relation=Relation.ABOUT)
    evaluate(homeless, EvaluationDesign.RCT, status=PublicationStatus.DRAFT)  # not counted
    refresh_evaluation_flags()
    return health, homeless


def cells(grid, area):
    row = next(r for r in grid.rows if r.area == area)
    return row, {value: cell for (value, _l), cell in zip(grid.columns, row.cells, strict=True)}


def test_cells_count_contracts_and_works_of_published_evidence(client, evaluated):
    response = client.get("/insights/evidence/")
    assert response.status_code == 200
    designs, types = response.context["grids"]
    row, health = cells(designs, PolicySector.HEALTH)
    assert (health["rct"].contracts, health["rct"].works) == (2, 2)
    assert (health["none"].contracts, health["none"].works) == (1, 1)
    assert health["quasi-experimental"].contracts == 0
    assert health["rct"].url == "/evidence/?design=rct&policy_area=health"
    assert (row.contracts, row.evaluated, row.unevaluated) == (3, 2, 1)
    row, homeless = cells(designs, PolicySector.HOMELESSNESS)
    assert homeless["rct"].contracts == 0 and row.unevaluated == 1  # the draft is no evidence
    _row, health_types = cells(types, PolicySector.HEALTH)
    assert health_types["evaluation-report"].contracts == 2
    assert health_types["academic-article"].works == 1
    html = response.content.decode()
    assert 'href="/evidence/?design=rct&amp;policy_area=health"' in html
    assert html.count('<span class="visually-hidden">None</span>') == designs.empty_cells + (
        types.empty_cells
    )
    assert 'href="/cases/?policy_area=homelessness&amp;has_evaluation=no"' in html


def test_the_gap_map_follows_the_case_list_filters(client, evaluated):
    response = client.get("/insights/evidence/?policy_area=homelessness")
    designs, _types = response.context["grids"]
    assert [row.area for row in designs.rows] == ["homelessness"]
    assert designs.empty_cells == len(designs.columns)
    assert "Policy area: Homelessness" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("params", ["?policy_area=bogus", "?q=%00", "?has_evaluation=maybe"])
def test_odd_parameters_never_fail(client, params):
    assert client.get("/insights/evidence/" + params).status_code in (200, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [10, 200])
def test_query_count_does_not_grow_with_the_projects(client, django_assert_num_queries, n):
    projects = ProjectFactory.create_batch(n, policy_sector=PolicySector.EDUCATION)
    for project in projects[::3]:
        evaluate(project, EvaluationDesign.QUASI_EXPERIMENTAL)
    # 1 contracts per area (and with an evaluation); 2 cells by design; 3 cells by type
    with django_assert_num_queries(3):
        response = client.get("/insights/evidence/")
    designs, _types = response.context["grids"]
    assert designs.rows[0].contracts == Project.objects.count() == n
