"""/insights/prices/: outcome price benchmarks by policy area and kind of outcome, each
contract counted once, the figures computed by the database."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from cases.models import DeliveryLocation, PolicySector
from common.models import PublicationStatus
from golab.insights.prices import KINDS
from tests.factories import OutcomeMetricFactory, OutcomePricingFactory, ProjectFactory


def priced(project, definition: str, *usd: int, currency: str = "GBP") -> None:
    metric = OutcomeMetricFactory(project=project, local_id=f"m{project.pk}", definition=definition)
    for amount in usd:
        OutcomePricingFactory(
            project=project,
            outcome_metric_ref=metric.local_id.upper(),  # ids match whatever the case
            currency=currency,
            price_per_unit=Decimal(amount) * Decimal("0.8"),
            price_per_unit_usd=amount,
        )


@pytest.fixture
def market(db):
    homeless = [ProjectFactory(policy_sector=PolicySector.HOMELESSNESS) for _ in range(4)]
    # One contract with many prices counts once (its mean: 2,000).
    priced(homeless[0], "Accommodation sustained for 6 months", 1000, 2000, 3000)
    priced(homeless[1], "Sustained tenancy at 12 months", 4000)
    priced(homeless[2], "Tenancy sustainment for 3 months", 500)
    priced(homeless[3], "Something nobody can classify", 100)
    draft = ProjectFactory(policy_sector=PolicySector.HOMELESSNESS, status=PublicationStatus.DRAFT)
    priced(draft, "Accommodation sustained for 6 months", 10**6)
    jobs = ProjectFactory(policy_sector=PolicySector.EMPLOYMENT)
    priced(jobs, "Metric 15: 13 weeks full-time Employment", 2500)
    DeliveryLocation.objects.create(project=jobs, position=0, country="PT")
    return homeless, jobs


def benchmark(response, area: str, kind: str):
    group = next(a for a in response.context["areas"] if a.area == area)
    return next(b for b in group.kinds if b.kind == kind)


def test_each_contract_counts_once_and_drafts_not_at_all(client, market):
    response = client.get("/insights/prices/")
    assert response.status_code == 200
    sustained = benchmark(response, "homelessness", "accommodation-sustained")
    assert (sustained.contracts, sustained.prices) == (3, 5)
    assert (sustained.least, sustained.median, sustained.greatest) == (500, 2000, 4000)
    assert sustained.currencies == ["GBP 400 – 3,200 (5 prices)"]
    assert len(sustained.projects) == 3
    unassigned = benchmark(response, "homelessness", "")
    assert unassigned.label == "Not assigned" and unassigned.contracts == 1
    jobs = benchmark(response, "employment-and-training", "sustained-employment")
    assert jobs.median == 2500
    assert "1000000" not in response.content.decode().replace(",", "")


def test_an_even_number_of_contracts_has_the_mean_of_the_middle_two(client, market):
    homeless, _jobs = market
    homeless[2].delete()  # 2,000 and 4,000 left
    sustained = benchmark(
        client.get("/insights/prices/"), "homelessness", "accommodation-sustained"
    )
    assert sustained.median == 3000


def test_the_case_list_filters_apply(client, market):
    response = client.get("/insights/prices/?country=PT")
    assert [a.area for a in response.context["areas"]] == ["employment-and-training"]


def test_kind_patterns_read_real_definitions():
    import re

    def kind(text: str) -> str:
        return next((k for k, _l, p in KINDS if re.search(p, text, re.IGNORECASE)), "")

    assert kind("26 Weeks part-time Employment. Sustained part time employment") == (
        "sustained-employment"
    )
    assert kind("Entry to Employment") == "job-entry"
    assert kind("Accommodation sustained for 3 Months") == "accommodation-sustained"
    assert kind("Reduced rate of re-incarceration in the 12 months post release.") == (
        "reduced-reoffending"
    )
    assert kind("First level 2 or equivalent qualification") == "school-attainment"
    assert kind("Savings on a wide range of costs.") == ""


def test_benchmarks_download_as_csv(client, market):
    response = client.get("/insights/prices/export.csv?policy_area=homelessness")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Policy area", "Kind of outcome", "Contracts"]
    assert rows[1][:7] == [
        "Homelessness",
        "Accommodation sustained",
        "3",
        "5",
        "500",
        "2000",
        "4000",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("params", ["?country=zz", "?q=%00", "?launch_year_min=x"])
def test_odd_parameters_never_fail(client, params):
    assert client.get("/insights/prices/" + params).status_code in (200, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [5, 60])
def test_query_count_does_not_grow_with_the_prices(client, django_assert_num_queries, n):
    for i in range(n):
        priced(ProjectFactory(), "Accommodation sustained for 6 months", 100 + i, 200 + i)
    # 1 the count of case studies; 2 the prices, each with its case, area and metric (the
    # means, spans and currencies are worked out from them: 3 queries before)
    with django_assert_num_queries(2):
        response = client.get("/insights/prices/")
    assert benchmark(response, "homelessness", "accommodation-sustained").contracts == n


def test_on_the_2025_snapshot_every_usd_price_is_in_one_figure(client, indigo_2025):
    from tests.conftest import SNAPSHOT_2025, read_csv

    _header, rows = read_csv(SNAPSHOT_2025 / "projects_outcome_pricings.csv")
    usd = [r for r in rows if r["Price Per Unit - Amount USD - (Value)"].strip()]
    areas = client.get("/insights/prices/").context["areas"]
    assert sum(b.prices for a in areas for b in a.kinds) == len(usd)
    # Homelessness prices all come from one contract: the page says so beside the median.
    homelessness = next(a for a in areas if a.area == "homelessness")
    assert {b.contracts for b in homelessness.kinds} == {1}
    html = client.get("/insights/prices/?policy_area=homelessness").content.decode()
    assert "(one contract)" in html
    for area in areas:
        print(area.label, [(b.kind, b.contracts, b.prices) for b in area.kinds])
    assigned = sum(b.prices for a in areas for b in a.kinds if b.kind)
    print(f"prices with a kind of outcome: {assigned} of {len(usd)}")
    assert assigned > len(usd) / 2


def test_kinds_are_read_whatever_the_case_of_the_definition():
    """The definition is lowered once and the patterns match without IGNORECASE (three times
    faster), so every pattern must be lower case."""
    from cases.outcome_kinds import KINDS, outcome_kind

    assert all(pattern == pattern.lower() for _key, _label, pattern in KINDS)
    assert outcome_kind("Sustained ACCOMMODATION for 6 months") == outcome_kind(
        "sustained accommodation for 6 months"
    )
    assert outcome_kind("Sustained ACCOMMODATION for 6 months") != ""
    assert outcome_kind(None) == outcome_kind("") == ""


def test_the_kind_is_stored_on_the_metric_when_it_is_saved(db):
    from cases.models import OutcomeMetric

    metric = OutcomeMetricFactory(definition="Accommodation sustained for 6 months")
    assert OutcomeMetric.objects.get(pk=metric.pk).outcome_kind == "accommodation-sustained"
    metric.definition = "Reduced reoffending after 12 months"
    metric.save(update_fields=["definition"])
    assert OutcomeMetric.objects.get(pk=metric.pk).outcome_kind == "reduced-reoffending"
    metric.definition = "Something nobody can classify"
    metric.save()
    assert OutcomeMetric.objects.get(pk=metric.pk).outcome_kind == ""


def test_the_benchmarks_read_the_stored_kind_and_classify_nothing_while_the_page_waits(
    client, market, monkeypatch
):
    """At 100,000 cases a policy area's page classified 80,000 definitions (1.5 s of 3 s)
    while it was rendered: the kind is now read from the metric, set when it was written."""
    from cases import outcome_kinds
    from cases.models import OutcomeMetric

    homeless, _jobs = market
    OutcomeMetric.objects.filter(project=homeless[3]).update(outcome_kind="care-avoided")

    def refuse(definition):
        raise AssertionError("classified while the page waits")

    monkeypatch.setattr(outcome_kinds, "outcome_kind", refuse)
    response = client.get("/insights/prices/")
    assert benchmark(response, "homelessness", "care-avoided").contracts == 1
    assert not any(b.kind == "" for a in response.context["areas"] for b in a.kinds)


def test_refresh_sets_the_kinds_an_import_wrote_without_saving(db):
    from cases.models import OutcomeMetric
    from cases.services import refresh_derived_fields

    metric = OutcomeMetricFactory(definition="Entry into employment")
    OutcomeMetric.objects.filter(pk=metric.pk).update(outcome_kind="")  # as a bulk write
    assert refresh_derived_fields(project_ids=[metric.project_id]) == 1
    assert OutcomeMetric.objects.get(pk=metric.pk).outcome_kind == "job-entry"


def test_on_the_2025_snapshot_every_metric_has_the_kind_its_definition_says(indigo_2025):
    from cases.models import OutcomeMetric
    from cases.outcome_kinds import outcome_kind

    rows = list(OutcomeMetric.objects.values_list("definition", "outcome_kind"))
    assert rows and all(kind == outcome_kind(definition) for definition, kind in rows)
    assert sum(1 for _d, kind in rows if kind) > len(rows) / 3
