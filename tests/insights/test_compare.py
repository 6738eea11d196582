"""/compare/: two to four published cases side by side, the problems explained (4xx), the
CSV, and a query count that does not grow with what the cases hold."""

from __future__ import annotations

import csv
import io

import pytest

from cases.models import PolicySector, Project
from common.models import PublicationStatus
from tests.factories import (
    DeliveryLocationFactory,
    InvestmentFactory,
    OrganisationFactory,
    OutcomeMetricFactory,
    OutcomePricingFactory,
    ProjectFactory,
    ResultFactory,
)


@pytest.fixture
def cases(db):
    projects = [
        ProjectFactory(indigo_id=f"INDIGO-POJ-000{i}", name=f"Bond {i}", launch_year=2015 + i)
        for i in range(1, 6)
    ]
    for project in projects:
        DeliveryLocationFactory(project=project, country="GB")
    return projects


def ids(projects) -> str:
    return ",".join(p.indigo_id for p in projects)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_two_to_four_cases_render_side_by_side(client, cases, n):
    response = client.get(f"/compare/?cases={ids(cases[:n])}")
    assert response.status_code == 200
    html = response.content.decode()
    assert all(f"Bond {i}" in html for i in range(1, n + 1))
    facts = response.context["sections"][0]
    launch = next(line for line in facts.lines if line.label == "Launch year")
    assert launch.values == [2016 + i for i in range(n)] and launch.differs
    country = next(line for line in facts.lines if line.label == "Countries")
    assert not country.differs  # all in the United Kingdom
    assert html.count("differs</span>") == sum(
        line.differs for section in response.context["sections"] for line in section.lines
    )


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("?cases=INDIGO-POJ-0001", 400, "at least two"),
        ("?cases=" + ",".join(f"INDIGO-POJ-000{i}" for i in range(1, 6)), 400, "At most 4"),
        ("?cases=INDIGO-POJ-0001,INDIGO-POJ-7777", 404, "1 of the case ids given names no"),
        ("?cases=INDIGO-POJ-0001,<script>", 400, "do not"),
        ("?cases=", 400, "at least two"),
        ("?cases=" + "x," * 3000, 400, "do not"),
    ],
)
def test_problems_are_explained_never_a_server_error(client, cases, query, status, says):
    response = client.get("/compare/" + query)
    assert response.status_code == status
    html = response.content.decode()
    assert says in html and "<script>" not in html
    assert client.get("/compare/export.csv" + query).status_code == status


def test_unpublished_cases_are_unknown(client, cases):
    draft = ProjectFactory(indigo_id="INDIGO-POJ-0999", status=PublicationStatus.DRAFT)
    response = client.get(f"/compare/?cases=INDIGO-POJ-0001,{draft.indigo_id}")
    assert response.status_code == 404
    assert draft.name not in response.content.decode()


def test_cases_may_be_repeated_parameters_as_a_form_sends_them(client, cases):
    response = client.get("/compare/?cases=INDIGO-POJ-0001&cases=indigo-poj-0002&cases=")
    assert response.status_code == 200
    assert [p.indigo_id for p in response.context["projects"]] == [
        "INDIGO-POJ-0001",
        "INDIGO-POJ-0002",
    ]


def test_one_case_offers_cases_of_its_policy_area_to_add(client, cases):
    other = ProjectFactory(policy_sector=PolicySector.HEALTH, name="Elsewhere")
    response = client.get("/compare/?cases=INDIGO-POJ-0001")
    suggested = {p.indigo_id for p in response.context["suggestions"]}
    assert "INDIGO-POJ-0002" in suggested and other.indigo_id not in suggested
    assert 'name="cases" value="INDIGO-POJ-0001"' in response.content.decode()


def test_prices_results_and_parties_show_and_drafts_do_not(client, cases):
    first, second = cases[:2]
    OutcomeMetricFactory(project=first, local_id="m1", definition="Sustained housing", target="100")
    OutcomePricingFactory(
        project=first, outcome_metric_ref="m1", currency="GBP", price_per_unit=500,
        price_per_unit_usd=640,
    )  # fmt: skip
    ResultFactory(project=first, outcome_metric_ref="m1", outcomes_achieved=80, result_type="final")
    InvestmentFactory(project=first, organisation=OrganisationFactory(name="Big Society"))
    InvestmentFactory(
        project=second,
        organisation=OrganisationFactory(name="Secret Draft Ltd", status=PublicationStatus.DRAFT),
    )
    response = client.get(f"/compare/?cases={ids([first, second])}")
    html = response.content.decode()
    assert "GBP 500 (USD 640)" in html
    assert "Sustained housing: 80 of 100 (80%)" in html
    assert "Big Society" in html and "Secret Draft Ltd" not in html
    assert "An organisation not yet published" in html


def test_the_comparison_downloads_as_csv(client, cases):
    response = client.get(f"/compare/export.csv?cases={ids(cases[:3])}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Section", "", "INDIGO-POJ-0001", "INDIGO-POJ-0002", "INDIGO-POJ-0003"]
    assert ["Key facts", "Launch year", "2016", "2017", "2018"] in rows


@pytest.mark.django_db
@pytest.mark.parametrize(("projects", "rows"), [(10, 1), (1000, 20)])
def test_query_count_does_not_grow_with_projects_or_rows(
    client, django_assert_num_queries, projects, rows
):
    Project.objects.bulk_create(
        Project(
            indigo_id=f"INDIGO-POJ-{5000 + i}", name=f"P{i}", status=PublicationStatus.PUBLISHED
        )
        for i in range(projects)
    )
    compared = list(Project.objects.order_by("?")[:4])
    for project in compared:
        for i in range(rows):
            OutcomeMetricFactory(project=project, local_id=f"m{i}")
            OutcomePricingFactory(project=project, outcome_metric_ref=f"m{i}", price_per_unit=1)
            ResultFactory(project=project, outcome_metric_ref=f"m{i}")
            InvestmentFactory(project=project)
            DeliveryLocationFactory(project=project, country="GB")
    # 1 the projects; 2-11 for_detail()'s prefetches (locations, metrics, prices, results,
    # payments with payer, commitments, investments, provisions, intermediaries with their
    # organisations, funds); 12 the evidence links
    with django_assert_num_queries(12):
        response = client.get(f"/compare/?cases={ids(compared)}")
    assert response.status_code == 200 and len(response.context["projects"]) == 4


def test_add_to_comparison_starts_one_with_cases_to_choose(client, cases):
    page = client.get("/cases/INDIGO-POJ-0001/").content.decode()
    assert 'href="/compare/?add=INDIGO-POJ-0001"' in page
    response = client.get("/compare/?add=INDIGO-POJ-0001")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="hidden" name="cases" value="INDIGO-POJ-0001"' in html
    assert 'value="INDIGO-POJ-0002"' in html  # a case of the same policy area to tick
    assert client.get("/compare/").status_code == 200
    assert client.get("/compare/?add=INDIGO-POJ-0999").status_code == 404
    assert client.get("/compare/?add=%00junk").status_code in (400, 404)


@pytest.mark.django_db
def test_every_case_list_row_offers_to_add_the_case_to_a_comparison(client):
    ids = [ProjectFactory().indigo_id for _ in range(3)]

    html = client.get("/cases/").content.decode()

    for indigo_id in ids:
        assert f'href="/compare/?add={indigo_id}">Add to comparison' in html
