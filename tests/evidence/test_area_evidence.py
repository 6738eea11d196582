"""A policy area's evidence summary (issue 11): contracts with an evaluation or research
work, by design, linked into the library; contracts with none listed as gaps."""

from __future__ import annotations

import pytest

from common.models import PublicationStatus
from evidence.areas import GAPS_LISTED
from evidence.models import DocumentType, Relation
from tests.factories import DocumentProjectFactory, EvidenceDocumentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_policy_area_counts_evaluated_contracts_by_design_and_lists_gaps(
    client, django_assert_max_num_queries
):
    area = "homelessness"
    rct = EvidenceDocumentFactory(title="Trial", evaluation_design="rct")
    qed = EvidenceDocumentFactory(title="Matched study", evaluation_design="quasi-experimental")
    undesigned = EvidenceDocumentFactory(title="Interim evaluation")
    news = EvidenceDocumentFactory(title="Launch news", document_type=DocumentType.NEWS)
    draft = EvidenceDocumentFactory(
        title="Draft trial", evaluation_design="rct", status=PublicationStatus.DRAFT
    )
    a, b, c = (ProjectFactory(name=n, policy_sector=area) for n in ("Alpha", "Beta", "Gamma"))
    gap = ProjectFactory(name="Delta without evaluation", policy_sector=area)
    only_draft = ProjectFactory(name="Epsilon with a draft only", policy_sector=area)
    elsewhere = ProjectFactory(name="Other area", policy_sector="education")
    for project, document in [(a, rct), (b, rct), (b, qed), (c, undesigned), (gap, news)]:
        DocumentProjectFactory(project=project, document=document, relation=Relation.SOURCE_FOR)
    DocumentProjectFactory(project=only_draft, document=draft)
    DocumentProjectFactory(project=elsewhere, document=qed)

    response = client.get(f"/policy-areas/{area}/")

    context = response.context
    assert context["evaluated"] == 3
    designs = {row.design: (row.contracts, row.works) for row in context["designs"]}
    assert designs == {"rct": (2, 1), "quasi-experimental": (1, 1), "none": (1, 1)}
    assert [p.name for p in context["gaps"]] == [
        "Delta without evaluation",
        "Epsilon with a draft only",
    ]
    html = response.content.decode()
    assert "3 of 5 homelessness contracts have an evaluation" in html
    assert 'href="/evidence/?design=rct&amp;policy_area=homelessness"' in html
    assert "Draft trial" not in html


def test_policy_area_prices_and_results_are_the_insights_aggregates(client):
    """Issue 14: the policy-area page uses /insights/prices/'s benchmarks (each contract
    once, over all its prices) and the dashboard's "Did it work?" panel, not a top-25 list."""
    from tests.factories import OutcomeMetricFactory, OutcomePricingFactory

    for n, prices in enumerate([(100, 300), (1000,), (5000,)]):
        project = ProjectFactory(name=f"Contract {n}", policy_sector="homelessness")
        metric = OutcomeMetricFactory(project=project, definition="Sustained accommodation")
        for price in prices:
            OutcomePricingFactory(
                project=project,
                outcome_metric_ref=metric.local_id,
                price_per_unit=price,
                price_per_unit_usd=price,
            )

    area = client.get("/policy-areas/homelessness/")
    insights = client.get("/insights/prices/", {"policy_area": "homelessness"})

    (shown,) = area.context["benchmarks"]
    assert shown == next(a for a in insights.context["areas"] if a.area == "homelessness")
    (kind,) = shown.kinds
    assert (kind.contracts, kind.least, kind.median, kind.greatest) == (3, 200, 1000, 5000)
    html = area.content.decode()
    assert "USD 1,000" in html and "Did it work?" in html
    assert 'href="/insights/prices/?policy_area=homelessness"' in html


def test_the_gaps_list_stays_short_however_many_contracts_lack_an_evaluation(client):
    """At 10,000 contracts the list of every unevaluated one was 120 kB of a 158 kB page."""
    area = "homelessness"
    for year in range(2000, 2000 + GAPS_LISTED + 5):
        ProjectFactory(name=f"Unevaluated {year}", policy_sector=area, launch_year=year)
    response = client.get(f"/policy-areas/{area}/")
    gaps = response.context["gaps"]
    assert len(gaps) == GAPS_LISTED
    assert gaps[0].launch_year == 2000 + GAPS_LISTED + 4  # the newest first
    html = response.content.decode()
    assert f"{GAPS_LISTED + 5} contracts with no evaluation or research in the library" in html
    assert f"(the {GAPS_LISTED} newest listed)" in html
    assert 'href="/cases/?policy_area=homelessness&amp;has_evaluation=no"' in html
    assert "Unevaluated 2000<" not in html  # the oldest is not listed
