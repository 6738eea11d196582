"""/insights/: the dashboard's figures against the 2025-05 CSVs, its filters (the case list's),
its CSVs, bad input and its query count."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from cases.models import DeliveryLocation, PolicySector, Project, Stage
from common.models import PublicationStatus
from tests.conftest import SNAPSHOT_2025, read_csv
from tests.factories import (
    OutcomeMetricFactory,
    PipelineFactory,
    ProjectFactory,
    ResultFactory,
)

PROJECT_COLUMNS = {
    "area": "Purpose and classifications - Policy sector - (Value)",
    "capital": (
        "Overall project finance - Total investment commitment - Amount USD - Exact - (Value)"
    ),
    # The launch year's dates, the best first (the README: service start, else contracts).
    "dates": [
        "Dates - Start date of service provision - (Value)",
        "Dates - Date outcomes contract signed - (Value)",
        "Dates - Date contracts between all parties signed - (Value)",
    ],
}


def expected_from_csvs(area_label: str | None = None):
    """Per launch year: projects and exact USD capital; per country: projects and capital;
    straight from the CSVs (optionally of one policy area, as INDIGO labels it)."""
    _header, projects = read_csv(SNAPSHOT_2025 / "projects.csv")
    if area_label:
        projects = [p for p in projects if p[PROJECT_COLUMNS["area"]].strip() == area_label]
    years: Counter[int] = Counter()
    capital_by_year: dict[int, Decimal] = defaultdict(Decimal)
    capital: dict[str, Decimal | None] = {}
    for project in projects:
        amount = project[PROJECT_COLUMNS["capital"]].strip()
        capital[project["ID"].strip()] = Decimal(amount) if amount else None
        dates = [project[c].strip() for c in PROJECT_COLUMNS["dates"] if project[c].strip()]
        if dates:
            year = int(dates[0][:4])
            years[year] += 1
            capital_by_year[year] += Decimal(amount) if amount else 0
    _header, locations = read_csv(SNAPSHOT_2025 / "projects_delivery_locations.csv")
    in_country: dict[str, set[str]] = defaultdict(set)
    for row in locations:
        project, country = row["Project ID"].strip(), row["Location - Country - (Value)"].strip()
        if project in capital and country:
            in_country[country].add(project)
    countries = {
        code: (len(ids), round(sum(capital[i] or 0 for i in ids)))
        for code, ids in in_country.items()
    }
    return years, {y: round(v) for y, v in capital_by_year.items()}, countries, len(projects)


def figures_on_page(client, params: str = ""):
    response = client.get("/insights/" + params)
    assert response.status_code == 200
    board = response.context["board"]
    launches = board.panel("launches").table
    years = {row[0]: row[-1] for row in launches.rows if row[-1]}
    capital = {row[0]: row[2] for row in board.panel("capital").table.rows if row[1]}
    names = {}
    from django_countries import countries as iso

    for code, _name in iso:
        names[iso.name(code)] = code
    countries = {
        names[row[0]]: (row[1], row[2] or 0) for row in board.panel("countries").table.rows
    }
    return years, capital, countries, board.totals["projects"], response


@pytest.mark.parametrize(
    ("params", "area"), [("", None), ("?policy_area=homelessness", "Homelessness")]
)
def test_year_and_country_figures_equal_the_csvs(client, indigo_2025, params, area):
    want_years, want_capital, want_countries, want_total = expected_from_csvs(area)
    years, capital, countries, total, response = figures_on_page(client, params)
    assert total == want_total and total > 10
    assert years == dict(want_years)
    assert capital == {y: v for y, v in want_capital.items() if v}
    assert countries == want_countries
    html = response.content.decode()
    assert html.count('role="img"') >= 6  # launches, capital, map, 3 distributions, ...
    if area:
        assert "Policy area: Homelessness" in html  # the chip, as on the case list


def test_every_table_downloads_as_csv_with_the_page_parameters(client, indigo_2025):
    board = client.get("/insights/?policy_area=homelessness").context["board"]
    for panel in board.panels:
        assert panel.csv_url.endswith("?policy_area=homelessness")
        response = client.get(panel.csv_url)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == panel.table.headers
        assert len(rows) == len(panel.table.rows) + 1


@pytest.mark.django_db
def test_drafts_and_withdrawn_projects_count_nowhere(client):
    ProjectFactory(launch_year=2019, policy_sector=PolicySector.HEALTH, capital_usd=10)
    for status in (PublicationStatus.DRAFT, PublicationStatus.WITHDRAWN):
        hidden = ProjectFactory(status=status, launch_year=2001, capital_usd=10**9)
        DeliveryLocation.objects.create(project=hidden, position=0, country="NZ")
    response = client.get("/insights/")
    board = response.context["board"]
    assert board.totals["projects"] == 1
    assert [row[0] for row in board.panel("launches").table.rows] == [2019]
    assert board.panel("countries").table.rows == []
    assert "New Zealand" not in response.content.decode()


@pytest.mark.django_db
def test_quartiles_are_computed_by_the_database_as_numpy_would(client):
    for users in (10, 20, 30, 40, 1000):
        ProjectFactory(service_users_targeted=users)
    ProjectFactory(service_users_targeted=None)
    rows = client.get("/insights/").context["board"].panel("distributions").table.rows
    users = next(row for row in rows if row[0] == "Service users targeted")
    # numpy.percentile([10, 20, 30, 40, 1000], [0, 25, 50, 75, 100])
    assert users[1:] == [5, 10, 20, 30, 40, 1000]


@pytest.mark.django_db
def test_duration_is_stated_months_or_else_months_between_dates(client):
    ProjectFactory(actual_service_duration="41")
    ProjectFactory(service_start="2018-01", anticipated_service_end="2020-01")  # 24
    ProjectFactory(service_start="2018", actual_service_end="2020")  # no months: left out
    rows = client.get("/insights/").context["board"].panel("distributions").table.rows
    duration = next(row for row in rows if row[0].startswith("Duration"))
    assert duration[1:3] == [2, 24] and duration[-1] == 41


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        "?policy_area=nonsense",
        "?launch_year_min=abc&country=gb",
        "?q=%00",
        "?capital_min=-5&sort=bogus&page=x",
        "?q=the",
    ],
)
def test_odd_parameters_are_ignored_never_an_error(client, params):
    ProjectFactory(launch_year=2020)
    response = client.get("/insights/" + params)
    assert response.status_code in (200, 400)


@pytest.mark.django_db
def test_unknown_chart_csv_is_a_404(client):
    assert client.get("/insights/no-such-chart.csv").status_code == 404


@pytest.mark.django_db
def test_empty_result_says_so_and_draws_nothing(client):
    response = client.get("/insights/?q=zzzzzz")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No project here records a launch year." in html
    assert 'role="img"' not in html


def _projects(n: int) -> None:
    areas, stages = list(PolicySector), list(Stage)
    projects = Project.objects.bulk_create(
        Project(
            indigo_id=f"INDIGO-POJ-{9000 + i}",
            name=f"Project {i}",
            policy_sector=areas[i % len(areas)],
            stage=stages[i % len(stages)],
            launch_year=2010 + i % 15,
            capital_usd=Decimal(1000 * (i + 1)),
            service_users_targeted=10 * (i + 1),
            actual_service_duration=str(12 + i % 40),
            has_results=i % 3 == 0,
            status=PublicationStatus.PUBLISHED,
        )
        for i in range(n)
    )
    DeliveryLocation.objects.bulk_create(
        DeliveryLocation(project=p, position=0, country=("GB", "US", "FR", "KE")[i % 4])
        for i, p in enumerate(projects)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("n", [10, 1000])
def test_query_count_does_not_grow_with_the_projects(client, django_assert_num_queries, n):
    _projects(n)
    stages = list(Stage)
    # 1 totals and each distribution's count, least and greatest; 2 counts and capital by
    # year and policy area; 3 countries; 4-6 the quartiles of capital, users and duration;
    # 7 outcome payers by type; 8-9 results, payments and evaluations by policy area, and
    # numeric targets against results; 10 the pipeline's count and sectors; 11 its countries
    with django_assert_num_queries(11):
        response = client.get("/insights/?stage=implementation&stage=contracted")
    assert response.status_code == 200
    chosen = sum(1 for i in range(n) if stages[i % len(stages)] in ("implementation", "contracted"))
    assert response.context["totals"]["projects"] == chosen


@pytest.mark.django_db
def test_the_pipeline_shows_by_country_and_sector_published_only(client):
    PipelineFactory()  # Kenya and Uganda; health and WASH
    PipelineFactory(countries="KE", sector_wash=False)
    PipelineFactory(countries="NZ", status=PublicationStatus.DRAFT)
    board = client.get("/insights/").context["board"]
    assert board.panel("pipeline-countries").table.rows == [["Kenya", 2], ["Uganda", 1]]
    sectors = board.panel("pipeline-sectors").table.rows
    assert sectors == [["Health", 2], ["Water, sanitation and hygiene", 1]]
    board = client.get("/insights/?country=UG").context["board"]
    assert board.panel("pipeline-countries").table.rows == [["Kenya", 1], ["Uganda", 1]]


@pytest.mark.django_db
def test_did_it_work_counts_results_against_targets_and_says_what_is_missing(client):
    met = ProjectFactory(
        policy_sector=PolicySector.HEALTH,
        has_results=True,
        outcome_payments_made_usd=50,
        max_outcome_payment_usd=200,
    )
    OutcomeMetricFactory(project=met, local_id="m1", target=" 1,000 ")
    ResultFactory(project=met, outcome_metric_ref="M1", outcomes_achieved=1200, result_type="final")
    missed = ProjectFactory(policy_sector=PolicySector.HEALTH, has_results=True)
    OutcomeMetricFactory(project=missed, local_id="m1", target="500")
    ResultFactory(project=missed, outcome_metric_ref="m1", outcomes_achieved=100)
    words = ProjectFactory(policy_sector=PolicySector.HEALTH)
    OutcomeMetricFactory(project=words, local_id="m1", target="Half of the cohort")
    ProjectFactory(policy_sector=PolicySector.EDUCATION)
    panel = client.get("/insights/").context["board"].panel("did-it-work")
    health, education = panel.table.rows
    assert health == ["Health", 3, 2, 1, 2, 1, "25% (1 contract)", 0]
    assert education == ["Education", 1, 0, 0, 0, "–", "Not recorded", 0]
    assert panel.summary.startswith("Only 2 of these 4 contracts report any result")
