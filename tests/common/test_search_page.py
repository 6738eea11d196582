"""The faceted-search component (common.facets, common.listing) through the case list, on
factory-made records: chips read as their filter's kind says, facets share one aggregate,
query counts do not grow with the rows."""

from __future__ import annotations

import pytest

from cases.models import Stage
from tests.factories import DeliveryLocationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _projects(n: int) -> None:
    for i in range(n):
        project = ProjectFactory(launch_year=2015 + i % 5, capital_raised_usd=1_000_000 * (i + 1))
        DeliveryLocationFactory(project=project, position=0)


def test_a_year_chip_reads_as_a_year_and_an_amount_chip_is_grouped(client):
    _projects(2)
    response = client.get("/cases/", {"launch_year_min": "2016", "capital_min": "1000000"})
    labels = [chip.label for chip in response.context["active_filters"]]
    assert "Launched from: 2016" in labels  # was "Launched from: 2,016"
    assert "Capital from (USD): 1,000,000" in labels
    html = response.content.decode()
    assert "2,016" not in html and "2,015" not in html


def test_the_launch_year_range_reads_as_years(client):
    _projects(5)
    html = client.get("/cases/").content.decode()
    assert "From 2015 to 2019 in these results." in html


def test_a_chip_removes_only_its_own_value(client):
    _projects(2)
    response = client.get("/cases/", {"stage": [Stage.IMPLEMENTATION, Stage.COMPLETE], "page": "1"})
    chips = {chip.label: chip.remove for chip in response.context["active_filters"]}
    assert chips["Stage: Implementation"] == "?stage=complete"
    assert chips["Stage: Complete"] == "?stage=implementation"


def test_an_unknown_sort_is_ignored_and_said(client):
    _projects(2)
    response = client.get("/cases/", {"sort": "drop table"})
    assert response.status_code == 200
    assert "sort" in response.context["ignored"]
    assert response.context["sort"] == "name"


@pytest.mark.parametrize("rows", [2, 20])
def test_case_list_queries_do_not_grow_with_rows(client, django_assert_num_queries, rows):
    _projects(rows)
    # 1 count; 2 page of projects; 3 their delivery locations; 4 one statement for every
    # facet (common.facets.count_parts): policy area, stage, has results, has evaluation,
    # three ranges, countries, three role facets, each "not recorded"
    with django_assert_num_queries(4):
        assert client.get("/cases/", {"per_page": 100}).status_code == 200
    # A chosen stage is counted under the other filters only: its own part, same statement.
    with django_assert_num_queries(4):
        assert client.get("/cases/", {"stage": Stage.IMPLEMENTATION}).status_code == 200


def test_a_result_row_renders_alone_from_its_partial(client):
    from django.template.loader import render_to_string

    _projects(1)
    page = client.get("/cases/")
    project = page.context["rows"][0]
    html = render_to_string("cases/case_list.html#case-row", {"project": project})
    assert html.strip().startswith('<li class="case-result">')
    assert project.indigo_id in html and html in page.content.decode()


def test_the_capital_range_reads_in_whole_dollars(client):
    from decimal import Decimal

    ProjectFactory(capital_raised_usd=Decimal("59018.8909"))
    ProjectFactory(capital_raised_usd=Decimal("1245496.6547"))
    html = client.get("/cases/").content.decode()
    assert "From 59,019 to 1,245,497 in these results." in html


def test_the_list_says_which_date_a_launch_year_comes_from(client):
    ProjectFactory(name="Started bond", service_start="2016-04", launch_year=2016)
    ProjectFactory(name="Signed bond", outcomes_contract_signed="2015-01", launch_year=2015)
    html = client.get("/cases/").content.decode()
    assert '2015 <span class="hint">(outcomes contract signed)</span>' in html
    assert "2016 <span" not in html
    assert "The year service started, or else the year contracts were signed." in html
