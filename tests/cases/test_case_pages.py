"""Case, organisation, fund and policy-area pages: what the real 2025-05 snapshot says on
them, and on factory-made records the query counts, the 404s and draft visibility."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from cases.models import PolicySector, Project, Stage
from cases.services import refresh_derived_fields
from common.models import PublicationStatus
from evidence.models import Relation
from tests.conftest import SNAPSHOT_2025, read_csv
from tests.factories import (
    DeliveryLocationFactory,
    DocumentProjectFactory,
    IntermediaryServiceFactory,
    InvestmentFactory,
    OrganisationFactory,
    OutcomeMetricFactory,
    OutcomePaymentCommitmentFactory,
    OutcomePaymentFactory,
    OutcomePricingFactory,
    ProjectFactory,
    ProjectOutcomeFundFactory,
    ProjectSourceFactory,
    ResultFactory,
    SectionCitationFactory,
    ServiceProvisionFactory,
    varied_projects,
)

pytestmark = pytest.mark.django_db


def _most_metrics() -> str:
    _header, rows = read_csv(SNAPSHOT_2025 / "projects_outcome_metrics.csv")
    return Counter(r["Project ID"].strip() for r in rows).most_common(1)[0][0]


def test_case_page_shows_facts_parties_metrics_sources_and_citation(client, indigo_2025):
    response = client.get("/cases/INDIGO-POJ-0153/")
    assert response.status_code == 200
    html = response.content.decode()
    project = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    assert f'<h1 id="case-title">{project.name}</h1>' in html
    assert "Criminal justice" in html and "United Kingdom" in html
    assert "GBP 5,000,000" in html  # original currency, and USD beside it
    assert re.search(r"\(USD [\d,]+\)", html)
    assert 'id="source-1"' in html and 'href="#source-1"' in html
    assert "@misc{indigo_poj_0153," in html
    assert "INDIGO Impact Bond Dataset" in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert data["identifier"] == "INDIGO-POJ-0153" and data["@type"] == "Dataset"


def test_case_page_lists_every_outcome_metric(client, indigo_2025):
    indigo_id = _most_metrics()
    project = Project.objects.get(indigo_id=indigo_id)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["metrics"]) == project.outcome_metrics.count() == 33


def _case_with(rows: int) -> Project:
    """A published project with ``rows`` rows in every table its page shows, and a few
    published neighbours (same policy area and country) for its related cases."""
    project = ProjectFactory(service_start="2019-04")
    for i in range(rows):
        DeliveryLocationFactory(project=project, country=["GB", "FR"][i % 2])
        metric = OutcomeMetricFactory(project=project)
        OutcomePricingFactory(project=project, outcome_metric_ref=metric.local_id)
        ResultFactory(project=project, outcome_metric_ref=metric.local_id)
        OutcomePaymentFactory(project=project, period_start=f"20{10 + i:02d}")
        for role in (
            OutcomePaymentCommitmentFactory,
            InvestmentFactory,
            ServiceProvisionFactory,
            IntermediaryServiceFactory,
        ):
            role(project=project)
        ProjectOutcomeFundFactory(project=project)
        SectionCitationFactory(source=ProjectSourceFactory(project=project))
        DocumentProjectFactory(project=project, relation=Relation.ABOUT)
    for _ in range(3):
        DeliveryLocationFactory(project=ProjectFactory(), country="GB")
    refresh_derived_fields()
    project.name = "Renamed once, for the change log"
    project.save()
    return project


@pytest.mark.parametrize("rows", [2, 20])
def test_case_page_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    project = _case_with(rows)
    # 1 project; 2-11 its ten prefetched tables (locations, metrics, pricings, results,
    # payments, commitments+org, investments+org, provisions+org, intermediaries+org,
    # funds+fund); 12 sources+documents+the sections they are cited for; 13 evidence
    # links+documents; 14 related cases; 15 the history behind the public change log
    with django_assert_num_queries(15):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["metrics"]) == rows and len(response.context["related"]) == 3


@pytest.mark.parametrize("rows", [2, 20])
def test_organisation_page_lists_projects_by_role(client, django_assert_num_queries, rows):
    organisation = OrganisationFactory()
    expected: dict[str, set[str]] = {"investor": set(), "outcome_payer": set()}
    for i in range(rows):
        project = ProjectFactory(policy_sector=list(PolicySector)[i % len(PolicySector)])
        DeliveryLocationFactory(project=project, country=["GB", "US", "PT"][i % 3])
        InvestmentFactory(project=project, organisation=organisation)
        expected["investor"].add(project.indigo_id)
        if i % 2:
            OutcomePaymentCommitmentFactory(project=project, organisation=organisation)
            expected["outcome_payer"].add(project.indigo_id)
    draft = ProjectFactory(status=PublicationStatus.DRAFT)
    InvestmentFactory(project=draft, organisation=organisation)
    # 1 organisation; 2-5 projects for each of four roles; 6 countries; 7 policy areas
    with django_assert_num_queries(7):
        response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    roles = {role["name"]: role for role in response.context["roles"]}
    for name, indigo_ids in expected.items():
        assert {p.indigo_id for p in roles[name]["projects"]} == indigo_ids


def test_fund_page_lists_its_published_projects(client):
    link = ProjectOutcomeFundFactory()
    ProjectOutcomeFundFactory(fund=link.fund)
    ProjectOutcomeFundFactory(fund=link.fund, project__status=PublicationStatus.DRAFT)
    ProjectOutcomeFundFactory()  # another fund's
    response = client.get(link.fund.get_absolute_url())
    assert response.status_code == 200
    published = link.fund.project_outcome_funds.filter(project__status=PublicationStatus.PUBLISHED)
    assert {p.indigo_id for p in response.context["projects"]} == set(
        published.values_list("project__indigo_id", flat=True)
    )
    assert len(response.context["projects"]) == 2


def test_policy_area_pages(client, indigo_2025):
    response = client.get("/policy-areas/")
    assert response.status_code == 200
    counts = {a["slug"]: a["count"] for a in response.context["areas"]}
    assert (
        counts["criminal-justice"]
        == Project.objects.published().filter(policy_sector="criminal-justice").count()
    )
    assert sum(counts.values()) == 319
    response = client.get("/policy-areas/homelessness/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/cases/?policy_area=homelessness"' in html
    assert response.context["totals"]["count"] == 38
    assert client.get("/policy-areas/not-an-area/").status_code == 404


def test_glossary_defines_the_terms_a_newcomer_meets(client):
    html = client.get("/glossary/").content.decode()
    for term in (
        "Social impact bond",
        "Outcomes payer",
        "Intermediary",
        "Outcome metric",
        "Rate card",
    ):
        assert term in html


def test_unknown_withdrawn_and_draft_cases_are_404(client):
    project = ProjectFactory()
    assert client.get(project.get_absolute_url()).status_code == 200
    assert client.get("/cases/INDIGO-POJ-8999/").status_code == 404
    Project.objects.filter(pk=project.pk).update(status=PublicationStatus.WITHDRAWN)
    assert client.get(project.get_absolute_url()).status_code == 404
    Project.objects.filter(pk=project.pk).update(status=PublicationStatus.DRAFT)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_draft_project_appears_on_no_public_page(client):
    varied_projects(8)
    payer = OrganisationFactory()
    for project in Project.objects.filter(policy_sector=PolicySector.HOMELESSNESS):
        OutcomePaymentCommitmentFactory(project=project, organisation=payer)
    before = client.get("/cases/", {"country": "GB"}).context["facets"]
    draft = ProjectFactory(
        indigo_id="INDIGO-POJ-8001",
        name="Zyzzyva Draft Bond",
        stage=Stage.CONTRACTED,
        policy_sector=PolicySector.HOMELESSNESS,
        intervention="Zyzzyva intervention",
        service_start="2030",
        status=PublicationStatus.DRAFT,
    )
    DeliveryLocationFactory(project=draft, country="GB")
    OutcomePaymentCommitmentFactory(project=draft, organisation=payer)
    refresh_derived_fields(project_ids=[draft.pk])
    assert Project.objects.filter(name__contains="Zyzzyva").count() == 1
    pages = [
        client.get("/"),
        client.get("/cases/", {"q": "Zyzzyva"}),
        client.get("/cases/", {"country": "GB", "per_page": 100}),
        client.get(payer.get_absolute_url()),
        client.get("/policy-areas/homelessness/"),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "INDIGO-POJ-8001" not in html
        assert "Zyzzyva Draft Bond" not in html and "Zyzzyva intervention" not in html
    assert pages[1].context["page"].paginator.count == 0
    assert "Project " in pages[3].content.decode()  # the payer's published projects are shown
    after = client.get("/cases/", {"country": "GB"}).context["facets"]
    assert [(f.name, [(v.value, v.count) for v in f.values]) for f in after] == [
        (f.name, [(v.value, v.count) for v in f.values]) for f in before
    ]
    assert client.get("/cases/INDIGO-POJ-8001/").status_code == 404


@pytest.mark.django_db
def test_the_change_log_names_codes_by_their_labels(client):
    from cases.models import Stage
    from tests.factories import ProjectFactory

    project = ProjectFactory(stage=Stage.IMPLEMENTATION)
    project.stage = Stage.COMPLETE
    project.save()
    page = client.get(project.get_absolute_url()).content.decode()
    assert "changed from “Implementation” to “Complete”" in page
    assert "“implementation”" not in page


@pytest.mark.django_db
def test_two_investments_by_one_investor_are_both_shown(client):
    from decimal import Decimal

    from cases.models import Investment
    from tests.factories import OrganisationFactory, ProjectFactory

    project = ProjectFactory()
    investor = OrganisationFactory(name="Bridges Fund")
    for position, amount in enumerate([Decimal(250000), Decimal(750000), Decimal(750000)]):
        Investment.objects.create(
            project=project, position=position, organisation=investor, currency="GBP", amount=amount
        )
    page = client.get(project.get_absolute_url()).content.decode()
    assert "invested GBP 250,000" in page and "invested GBP 750,000" in page
    assert page.count("invested GBP 750,000") == 1  # an identical row is shown once


def test_related_cases_are_the_newest_public_ones_sharing_the_area_and_a_country(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = ProjectFactory(policy_sector=PolicySector.HEALTH, launch_year=2015)
    DeliveryLocationFactory(project=project, country="GB")
    DeliveryLocationFactory(project=project, country="FR")

    def neighbour(year, country="GB", **kwargs):
        other = ProjectFactory(
            policy_sector=kwargs.pop("area", PolicySector.HEALTH), launch_year=year, **kwargs
        )
        DeliveryLocationFactory(project=other, country=country)
        return other

    # in both of the project's countries: listed once (each case is checked, not joined)
    twice = neighbour(2010)
    DeliveryLocationFactory(project=twice, country="FR")
    newest = [neighbour(2022 - i, country=["GB", "FR"][i % 2]) for i in range(6)]
    neighbour(2030, country="US")  # no shared country
    neighbour(2030, area=PolicySector.EDUCATION)  # another area
    neighbour(2030, status=PublicationStatus.DRAFT)  # not public
    with CaptureQueriesContext(connection) as queries:
        response = client.get(project.get_absolute_url())
    related = [p.indigo_id for p in response.context["related"]]
    assert related == [p.indigo_id for p in newest]
    neighbours = [q["sql"] for q in queries.captured_queries if '"launch_year" DESC' in q["sql"]]
    # read newest first through the partial index, each case checked for a shared country:
    # no join with the locations and no DISTINCT (27 ms at 100,000 cases on PostgreSQL)
    assert len(neighbours) == 1 and "DISTINCT" not in neighbours[0]
    assert "EXISTS" in neighbours[0]
    Project.objects.filter(pk__in=[p.pk for p in newest[:5]]).update(launch_year=2000)
    response = client.get(project.get_absolute_url() + "?again")
    assert response.context["related"][1].indigo_id == twice.indigo_id
