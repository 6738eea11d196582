"""The read-only API: lists filtered as the pages are, records at their ids, only published
records, incremental sync, the withdrawn list, conditional GET, attribution, CORS, rate limit."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from cases.models import OutcomeMetric, PolicySector, Project, Stage
from cases.services import refresh_derived_fields
from common.models import PublicationStatus
from common.workflow import transition
from tests.factories import (
    DeliveryLocationFactory,
    DocumentAuthorFactory,
    EvidenceDocumentFactory,
    InvestmentFactory,
    OrganisationFactory,
    OutcomeFundFactory,
    OutcomeMetricFactory,
    OutcomePricingFactory,
    ProjectFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db
ATTRIBUTION = "Source: INDIGO Impact Bond Dataset, Government Outcomes Lab, University of Oxford"


@pytest.fixture
def cases():
    health = ProjectFactory(
        indigo_id="INDIGO-POJ-0001",
        name="Health bond",
        policy_sector=PolicySector.HEALTH,
        stage=Stage.IMPLEMENTATION,
    )
    homes = ProjectFactory(
        indigo_id="INDIGO-POJ-0002",
        name="Homes bond",
        policy_sector=PolicySector.HOMELESSNESS,
        stage=Stage.COMPLETE,
    )
    DeliveryLocationFactory(project=health, country="GB")
    DeliveryLocationFactory(project=homes, country="FR")
    investor = OrganisationFactory(indigo_id="INDIGO-ORG-0001", name="Big Society Capital")
    InvestmentFactory(project=health, organisation=investor, organisation_ref=investor.indigo_id)
    draft_org = OrganisationFactory(
        indigo_id="INDIGO-ORG-0002", name="Secret draft org", status=PublicationStatus.DRAFT
    )
    InvestmentFactory(
        project=health, position=1, organisation=draft_org, organisation_ref=draft_org.indigo_id
    )
    metric = OutcomeMetricFactory(
        project=health, local_id="outcomemetric1", definition="Fewer A&E visits"
    )
    OutcomePricingFactory(
        project=health, outcome_metric_ref="outcomemetric1", price_per_unit=1200, currency="GBP"
    )
    ResultFactory(project=health, outcome_metric_ref="outcomemetric1", number_engaged=300)
    ProjectFactory(indigo_id="INDIGO-POJ-0003", name="Draft bond", status=PublicationStatus.DRAFT)
    ProjectFactory(
        indigo_id="INDIGO-POJ-0004", name="Withdrawn bond", status=PublicationStatus.WITHDRAWN
    )
    deleted = ProjectFactory(indigo_id="INDIGO-POJ-0005", name="Deleted bond")
    Project.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    refresh_derived_fields()
    return {"health": health, "homes": homes, "metric": metric}


def test_case_list_is_paged_with_attribution(client, cases):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == ["INDIGO-POJ-0001", "INDIGO-POJ-0002"]
    assert body["attribution"] == ATTRIBUTION
    assert response["X-Data-Attribution"] == ATTRIBUTION
    assert "INDIGO data licence" in response["X-Data-Licence"]
    first = body["results"][0]
    assert first["countries"] == ["GB"]
    assert first["page"] == "http://testserver/cases/INDIGO-POJ-0001/"
    assert first["api_url"] == "http://testserver/api/v1/cases/INDIGO-POJ-0001/"


def test_case_list_takes_the_case_pages_filters(client, cases):
    body = client.get("/api/v1/cases/?policy_area=homelessness&country=FR").json()
    assert [r["id"] for r in body["results"]] == ["INDIGO-POJ-0002"]
    body = client.get("/api/v1/cases/?q=health").json()
    assert [r["id"] for r in body["results"]] == ["INDIGO-POJ-0001"]
    body = client.get("/api/v1/cases/?investor=INDIGO-ORG-0001").json()
    assert [r["id"] for r in body["results"]] == ["INDIGO-POJ-0001"]


def test_bad_parameter_values_are_a_400_naming_them(client, cases):
    response = client.get("/api/v1/cases/?stage=nonsense&launch_year_min=abc&sort=price")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"stage", "launch_year_min", "sort"}
    assert client.get("/api/v1/cases/?updated_since=yesterday").status_code == 400
    assert client.get("/api/v1/cases/?updated_since=9999-12-31T23:59:59-14:00").status_code == 400
    assert client.get("/api/v1/cases/?page=99").status_code == 404


def test_page_size_is_bounded(client):
    ProjectFactory.create_batch(3)
    body = client.get("/api/v1/cases/?per_page=2").json()
    assert len(body["results"]) == 2 and body["next"]
    body = client.get("/api/v1/cases/?per_page=100000").json()
    assert len(body["results"]) == 3


def test_case_record_has_parties_funds_and_metrics_with_prices_and_results(client, cases):
    body = client.get("/api/v1/cases/INDIGO-POJ-0001/").json()
    assert body["id"] == "INDIGO-POJ-0001"
    parties = {(p["role"], p["organisation"], p["name"]) for p in body["parties"]}
    assert parties == {
        ("investor", "INDIGO-ORG-0001", "Big Society Capital"),
        ("investor", None, None),
    }
    [metric] = body["outcome_metrics"]
    assert metric["definition"] == "Fewer A&E visits"
    assert [p["currency"] for p in metric["pricings"]] == ["GBP"]
    assert [r["number_engaged"] for r in metric["results"]] == [300]
    assert "Secret draft org" not in str(body) and "INDIGO-ORG-0002" not in str(body)


@pytest.mark.parametrize(
    "indigo_id", ["INDIGO-POJ-0003", "INDIGO-POJ-0004", "INDIGO-POJ-0005", "nope"]
)
def test_private_cases_are_404(client, cases, indigo_id):
    assert client.get(f"/api/v1/cases/{indigo_id}/").status_code == 404


def test_outcome_metrics_of_the_cases_found(client, cases):
    body = client.get("/api/v1/outcome-metrics/?policy_area=health").json()
    assert body["count"] == 1
    [metric] = body["results"]
    assert metric["case"] == "INDIGO-POJ-0001"
    assert metric["pricings"][0]["price_per_unit"] == "1200.0000"
    assert client.get("/api/v1/outcome-metrics/?policy_area=homelessness").json()["count"] == 0
    record = client.get(f"/api/v1/outcome-metrics/{cases['metric'].pk}/").json()
    assert record["results"][0]["number_engaged"] == 300


def test_organisations_and_funds_only_published(client, cases):
    OutcomeFundFactory(indigo_id="INDIGO-FUND-0001", name="Life Chances Fund")
    OutcomeFundFactory(indigo_id="INDIGO-FUND-0002", status=PublicationStatus.DRAFT)
    orgs = client.get("/api/v1/organisations/").json()
    assert [o["id"] for o in orgs["results"]] == ["INDIGO-ORG-0001"]
    assert client.get("/api/v1/organisations/INDIGO-ORG-0002/").status_code == 404
    funds = client.get("/api/v1/funds/").json()
    assert [f["id"] for f in funds["results"]] == ["INDIGO-FUND-0001"]
    assert client.get("/api/v1/funds/INDIGO-FUND-0001/").json()["name"] == "Life Chances Fund"


def test_evidence_list_and_record(client):
    document = EvidenceDocumentFactory(title="An evaluation", url="https://example.org/report")
    DocumentAuthorFactory(document=document, name="Carter, E.")
    EvidenceDocumentFactory(title="Draft doc", status=PublicationStatus.DRAFT)
    body = client.get("/api/v1/evidence/").json()
    assert [d["title"] for d in body["results"]] == ["An evaluation"]
    record = client.get(f"/api/v1/evidence/{document.pk}/").json()
    assert record["authors"] == ["Carter, E."] and record["url"] == "https://example.org/report"


def test_updated_since_and_the_withdrawn_list(client, cases):
    since = timezone.now()
    homes = cases["homes"]
    homes.name = "Homes bond, renamed"
    homes.save()
    query = {"updated_since": since.isoformat()}
    body = client.get("/api/v1/cases/", query).json()
    assert [r["id"] for r in body["results"]] == ["INDIGO-POJ-0002"]
    withdrawn = client.get("/api/v1/cases/withdrawn/").json()
    assert [r["id"] for r in withdrawn["results"]] == ["INDIGO-POJ-0004", "INDIGO-POJ-0005"]
    # Withdrawn now: it leaves the list and joins the withdrawn ones since then.
    Project.objects.filter(pk=homes.pk).update(
        status=PublicationStatus.WITHDRAWN, updated_at=timezone.now()
    )
    assert client.get("/api/v1/cases/", query).json()["count"] == 0
    withdrawn = client.get("/api/v1/cases/withdrawn/", query).json()
    assert [r["id"] for r in withdrawn["results"]] == ["INDIGO-POJ-0002"]
    assert (
        client.get(
            "/api/v1/cases/withdrawn/?updated_since="
            + (since + dt.timedelta(days=1)).date().isoformat()
        ).json()["count"]
        == 0
    )


def test_conditional_get_answers_304(client, cases):
    response = client.get("/api/v1/cases/INDIGO-POJ-0001/")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert (
        client.get("/api/v1/cases/INDIGO-POJ-0001/", headers={"if-none-match": etag}).status_code
        == 304
    )
    assert client.get("/api/v1/cases/", headers={"if-modified-since": modified}).status_code == 304
    Project.objects.filter(pk=cases["health"].pk).update(
        name="Changed", updated_at=timezone.now() + dt.timedelta(seconds=2)
    )
    again = client.get("/api/v1/cases/INDIGO-POJ-0001/", headers={"if-none-match": etag})
    assert again.status_code == 200 and again.json()["name"] == "Changed"


def test_cors_is_open_for_get_only(client, cases):
    response = client.get("/api/v1/cases/", headers={"origin": "https://elsewhere.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/cases/",
        headers={"origin": "https://elsewhere.example", "access-control-request-method": "POST"},
    )
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    assert client.post("/api/v1/cases/").status_code == 405
    assert "Access-Control-Allow-Origin" not in client.get(
        "/cases/", headers={"origin": "https://elsewhere.example"}
    )


def test_anonymous_requests_are_rate_limited(client, settings):
    settings.API_RATE_LIMIT = "3/minute"
    statuses = [client.get("/api/v1/funds/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# The rate limit's count in the shared database cache (common/cache.py, every process sees
# it): read it; then the cull check, a savepoint, the row, its write and the release.
RATE_LIMIT_QUERIES = 6


def test_list_query_count_does_not_grow_with_the_page(client, django_assert_num_queries):
    for _n in range(5):
        project = ProjectFactory()
        DeliveryLocationFactory(project=project, country="GB")
    # count, page, its countries, and the four tables of Last-Modified; the rate limit
    with django_assert_num_queries(7 + RATE_LIMIT_QUERIES):
        assert client.get("/api/v1/cases/?per_page=5").status_code == 200


# ---------------------------------------------------------------------------------------------
# On the real 2025-05 snapshot


@pytest.mark.parametrize(
    "query",
    [
        "",
        "policy_area=health",
        "country=GB&stage=complete&stage=implementation",
        "q=homeless",
        "launch_year_min=2015&launch_year_max=2018&has_results=yes",
        "capital_none=on&sort=newest",
        "investor=none&policy_area=employment-and-training",
        "users_min=1000&has_evaluation=no",
    ],
)
def test_api_page_and_download_count_the_same(client, indigo_2025, settings, query):
    settings.API_RATE_LIMIT = ""
    page = client.get(f"/cases/?{query}")
    assert page.status_code == 200 and not page.context["ignored"]
    shown = page.context["page"].paginator.count
    api = client.get(f"/api/v1/cases/?{query}").json()["count"]
    rows = b"".join(client.get(f"/cases/export.csv?{query}").streaming_content)
    downloaded = len(list(csv.DictReader(io.StringIO(rows.decode("utf-8-sig")))))
    assert shown == api == downloaded
    metrics = client.get(f"/api/v1/outcome-metrics/?{query}").json()["count"]
    rows = b"".join(client.get(f"/cases/outcome-metrics.csv?{query}").streaming_content)
    assert metrics == len(list(csv.DictReader(io.StringIO(rows.decode("utf-8-sig")))))
    assert 0 < shown <= 319


def test_updated_since_gives_what_a_curator_changed_and_withdrawn_only_in_its_list(
    client, indigo_2025, curator, settings
):
    settings.API_RATE_LIMIT = ""
    since = timezone.now().isoformat()
    assert client.get("/api/v1/cases/", {"updated_since": since}).json()["count"] == 0
    edited = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    edited.summary = "<p>A curator's summary.</p>"
    edited.save()  # as the admin's change form does
    withdrawn = Project.objects.get(indigo_id="INDIGO-POJ-0175")
    transition(withdrawn, PublicationStatus.WITHDRAWN, user=curator, comment="private now")

    changed = client.get("/api/v1/cases/", {"updated_since": since}).json()
    assert [r["id"] for r in changed["results"]] == ["INDIGO-POJ-0153"]
    gone = client.get("/api/v1/cases/withdrawn/", {"updated_since": since}).json()
    assert [r["id"] for r in gone["results"]] == ["INDIGO-POJ-0175"]
    metrics = client.get("/api/v1/outcome-metrics/withdrawn/", {"updated_since": since}).json()
    assert metrics["count"] == withdrawn.outcome_metrics.count() > 0

    # Nowhere else in the API: not in any page of the case list, not as a record, not among
    # the outcome metrics, not named by another case.
    seen = []
    url = "/api/v1/cases/?per_page=100"
    while url:
        body = client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 318 and "INDIGO-POJ-0175" not in seen
    assert client.get("/api/v1/cases/INDIGO-POJ-0175/").status_code == 404
    metric = withdrawn.outcome_metrics.first()
    assert client.get(f"/api/v1/outcome-metrics/{metric.pk}/").status_code == 404
    public_metrics = OutcomeMetric.objects.filter(project__in=Project.objects.published())
    assert client.get("/api/v1/outcome-metrics/").json()["count"] == public_metrics.count()
    assert not public_metrics.filter(project=withdrawn).exists()


def test_pipeline_list_and_record(client, db):
    from tests.factories import PipelineFactory

    PipelineFactory(indigo_id="INDIGO-PL-0001", name="Kenya health bond in design")
    PipelineFactory(indigo_id="INDIGO-PL-0002", status=PublicationStatus.DRAFT)
    PipelineFactory(indigo_id="INDIGO-PL-0003", status=PublicationStatus.WITHDRAWN)
    body = client.get("/api/v1/pipeline/?country=KE").json()
    assert [p["id"] for p in body["results"]] == ["INDIGO-PL-0001"]
    record = client.get("/api/v1/pipeline/INDIGO-PL-0001/").json()
    assert record["countries"] == ["KE", "UG"]
    assert record["policy_areas"] == ["health", "wash"]
    assert record["instruments"] == ["impact_bond"]
    assert client.get("/api/v1/pipeline/INDIGO-PL-0002/").status_code == 404
    withdrawn = client.get("/api/v1/pipeline/withdrawn/").json()
    assert [p["id"] for p in withdrawn["results"]] == ["INDIGO-PL-0003"]


def test_record_and_evidence_list_query_counts(client, cases, django_assert_num_queries):
    # the case, its ten prefetched tables (for_detail), and the four of Last-Modified; the
    # rate limit (here and below)
    with django_assert_num_queries(15 + RATE_LIMIT_QUERIES):
        assert client.get("/api/v1/cases/INDIGO-POJ-0001/").status_code == 200
    for n in range(3):
        document = EvidenceDocumentFactory(title=f"Report {n}")
        DocumentAuthorFactory(document=document, name=f"Author {n}")
    # count, page, authors, and the two tables of Last-Modified
    with django_assert_num_queries(5 + RATE_LIMIT_QUERIES):
        assert client.get("/api/v1/evidence/").json()["count"] == 3
    # count, page, the metrics' siblings, prices, results, and the four of Last-Modified
    with django_assert_num_queries(9 + RATE_LIMIT_QUERIES):
        assert client.get("/api/v1/outcome-metrics/").json()["count"] == 1


def test_a_forged_forwarded_for_does_not_escape_the_rate_limit(client, settings):
    settings.API_RATE_LIMIT = "2/minute"
    statuses = [
        client.get("/api/v1/funds/", headers={"x-forwarded-for": f"10.0.0.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
