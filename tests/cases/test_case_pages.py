"""Case, organisation, fund and policy-area pages on the real 2025-05 snapshot."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from cases.models import DeliveryLocation, Investment, Organisation, PolicySector, Project, Stage
from common.models import PublicationStatus
from tests.conftest import SNAPSHOT_2025, read_csv

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


def test_case_page_query_count_is_pinned(client, django_assert_num_queries, indigo_2025):
    url = Project.objects.get(indigo_id=_most_metrics()).get_absolute_url()
    # 1 project; 2-11 its ten prefetched tables (locations, metrics, pricings, results,
    # payments, commitments+org, investments+org, provisions+org, intermediaries+org,
    # funds+fund); 12 sources+documents; 13 their citations; 14 evidence links+documents;
    # 15 related cases; 16 the history behind the public change log
    with django_assert_num_queries(16):
        assert client.get(url).status_code == 200


def test_organisation_page_lists_projects_by_role(client, django_assert_num_queries, indigo_2025):
    investor = (
        Investment.objects.filter(organisation__isnull=False)
        .values_list("organisation__indigo_id", flat=True)
        .first()
    )
    organisation = Organisation.objects.get(indigo_id=investor)
    # 1 organisation; 2-5 projects for each of four roles; 6 countries; 7 policy areas
    with django_assert_num_queries(7):
        response = client.get(organisation.get_absolute_url())
    assert response.status_code == 200
    roles = {role["name"]: role for role in response.context["roles"]}
    expected = set(
        Investment.objects.filter(organisation=organisation).values_list(
            "project__indigo_id", flat=True
        )
    )
    assert {p.indigo_id for p in roles["investor"]["projects"]} == expected


def test_fund_page_lists_its_projects(client, indigo_2025):
    response = client.get("/funds/INDIGO-FUND-0007/")
    assert response.status_code == 200
    assert len(response.context["projects"]) >= 1


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


def test_unknown_withdrawn_and_draft_cases_are_404(client, indigo_2025):
    assert client.get("/cases/INDIGO-POJ-9999/").status_code == 404
    Project.objects.filter(indigo_id="INDIGO-POJ-0153").update(status=PublicationStatus.WITHDRAWN)
    assert client.get("/cases/INDIGO-POJ-0153/").status_code == 404
    Project.objects.filter(indigo_id="INDIGO-POJ-0153").update(status=PublicationStatus.DRAFT)
    response = client.get("/cases/INDIGO-POJ-0153/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_draft_project_appears_on_no_public_page(client, indigo_2025):
    payer = Organisation.objects.get(indigo_id="INDIGO-ORG-0008")
    before = client.get("/cases/", {"country": "GB"}).context["facets"]
    draft = Project.objects.create(
        indigo_id="INDIGO-POJ-9001",
        name="Zyzzyva Draft Bond",
        stage=Stage.CONTRACTED,
        policy_sector=PolicySector.HOMELESSNESS,
        intervention="Zyzzyva intervention",
        search_text="Zyzzyva intervention",
        launch_year=2030,
        status=PublicationStatus.DRAFT,
    )
    DeliveryLocation.objects.create(project=draft, position=0, country="GB")
    draft.outcome_payment_commitments.create(
        position=0, organisation=payer, organisation_ref=payer.indigo_id
    )
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
        assert "INDIGO-POJ-9001" not in html
        assert "Zyzzyva Draft Bond" not in html and "Zyzzyva intervention" not in html
    assert pages[1].context["page"].paginator.count == 0
    after = client.get("/cases/", {"country": "GB"}).context["facets"]
    assert [(f.name, [(v.value, v.count) for v in f.values]) for f in after] == [
        (f.name, [(v.value, v.count) for v in f.values]) for f in before
    ]
    assert client.get("/cases/INDIGO-POJ-9001/").status_code == 404
