"""The case page leads with its evidence (issue 11): evaluations and research of the
contract with design, basis, rating, year, publisher, the sources citing them and the
results they back; other works by type; correspondence only among the sources."""

from __future__ import annotations

import re

import pytest

from common.models import PublicationStatus
from evidence.models import DocumentProject, DocumentType, Relation
from tests.factories import (
    DocumentProjectFactory,
    EvidenceDocumentFactory,
    OutcomeMetricFactory,
    ProjectFactory,
    ProjectSourceFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db


def _cite(project, document, position, *, locator="", relation=Relation.SOURCE_FOR):
    """A numbered source of ``project`` citing ``document``, and the link the import
    derives from it."""
    DocumentProject.objects.get_or_create(project=project, document=document, relation=relation)
    return ProjectSourceFactory(
        project=project, document=document, position=position, locator=locator
    )


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end)]


def test_evaluations_lead_with_design_basis_locators_and_results(client):
    project = ProjectFactory(name="Peterborough")
    metric = OutcomeMetricFactory(
        project=project, local_id="outcomemetric1", definition="Reduction in reconvictions"
    )
    evaluation = EvidenceDocumentFactory(
        title="Final report on the cohort",
        publisher="QinetiQ",
        publication_date="2014",
        evaluation_design="quasi-experimental",
        design_basis="inferred from: metric validation method 'Matched comparison group'",
        evidence_rating=4,
    )
    article = EvidenceDocumentFactory(
        title="Paying for success", document_type=DocumentType.ACADEMIC_ARTICLE, publisher="RAND"
    )
    news = EvidenceDocumentFactory(title="Bond launched", document_type=DocumentType.NEWS)
    email = EvidenceDocumentFactory(
        title="Email with the provider", document_type=DocumentType.CORRESPONDENCE
    )
    draft = EvidenceDocumentFactory(title="Unpublished draft", status=PublicationStatus.DRAFT)
    _cite(project, evaluation, 0, locator="page 14")
    _cite(project, evaluation, 1, locator="pages 20-21")
    _cite(project, article, 2)
    _cite(project, news, 3)
    _cite(project, email, 4)
    _cite(project, draft, 5)
    sources = list(project.sources.order_by("position"))
    ResultFactory(
        project=project,
        outcome_metric_ref="outcomemetric1",
        evaluation_documents=sources[1].local_id,
        outcomes_achieved=8,
    )

    html = client.get(project.get_absolute_url()).content.decode()
    evidence = _section(html, 'id="evidence"', 'id="sources"')
    evaluations = _section(evidence, 'id="evaluations"', "</ul>\n  \n")

    assert evaluations.index("Final report on the cohort") < evaluations.index("Paying for success")
    assert "(inferred from: metric validation method &#x27;Matched comparison group&#x27;)" in (
        evaluations
    )
    assert "Quasi-experimental" in evaluations and "QinetiQ" in evaluations
    assert re.search(
        r'href="#source-1">\[1\]</a> page 14, <a href="#source-2">\[2\]</a> pages 20-21',
        evaluations,
    )
    assert "Backs 1 result" in evaluations and metric.definition in evaluations
    # ... and the result cites it: its row links to the numbered source.
    assert re.search(r'evaluation <a href="#source-2">\[2\]</a></span></td>', html)
    assert "<h3>News or press release</h3>" in evidence and "Bond launched" in evidence
    assert "Email with the provider" not in evidence and "Unpublished draft" not in evidence
    # The numbered sources keep every citation, and link to published works only.
    sources_html = html[html.index('id="sources"') :]
    assert "Email with the provider" in sources_html
    assert f'href="{evaluation.get_absolute_url()}"' in sources_html
    assert f'href="{draft.get_absolute_url()}"' not in html


def test_a_case_without_evaluations_says_so(client):
    project = ProjectFactory()
    _cite(project, EvidenceDocumentFactory(document_type=DocumentType.WEBSITE), 0)

    html = client.get(project.get_absolute_url()).content.decode()

    assert "No evaluation or research of this contract is recorded yet." in html


@pytest.mark.parametrize("citations", [10, 500])
def test_case_page_queries_do_not_grow_with_citations_of_one_work(
    client, django_assert_num_queries, citations
):
    project = ProjectFactory()
    work = EvidenceDocumentFactory()
    ProjectSourceFactory.create_batch(citations, project=project, document=work)
    DocumentProjectFactory(project=project, document=work, relation=Relation.SOURCE_FOR)

    # As tests/cases/test_case_pages.py counts, less the related cases (no country, no
    # query): the sources, their works and citations are one query, the evidence links one more.
    with django_assert_num_queries(14):
        response = client.get(project.get_absolute_url())

    assert response.content.decode().count(f'href="#source-{citations}"') == 1


def test_document_page_lists_every_case_with_the_locators_it_cites(client):
    work = EvidenceDocumentFactory(title="Evaluation of the Fair Chance Fund: final report")
    first, second = ProjectFactory(name="Fair Chance A"), ProjectFactory(name="Fair Chance B")
    draft = ProjectFactory(name="Draft case", status=PublicationStatus.DRAFT)
    _cite(first, work, 0, locator="page 11")
    _cite(first, work, 1, locator="pages 20-21")
    _cite(second, work, 0)
    _cite(draft, work, 0, locator="page 99")

    html = client.get(work.get_absolute_url()).content.decode()

    assert 'Fair Chance A</a> <span class="hint">· cited 2 times: page 11, pages 20-21' in html
    assert 'Fair Chance B</a> <span class="hint">· cited 1 time</span>' in html
    assert "Draft case" not in html and "page 99" not in html


@pytest.mark.parametrize("citations", [10, 500])
def test_document_page_queries_do_not_grow_with_citations(
    client, django_assert_num_queries, citations
):
    work = EvidenceDocumentFactory()
    project = ProjectFactory()
    DocumentProjectFactory(project=project, document=work, relation=Relation.SOURCE_FOR)
    ProjectSourceFactory.create_batch(citations, project=project, document=work, locator="p. 2")

    # 1 document; 2 authors; 3 policy areas; 4 countries; 5 linked cases; 6 citations;
    # 7 their section citations
    with django_assert_num_queries(7):
        response = client.get(work.get_absolute_url())

    assert f"cited {citations} times" in response.content.decode()


def test_peterborough_page_leads_with_its_five_evaluations_once_each(client, indigo_2025):
    """Issue 11, acceptance 2, as a reader sees it on HMP Peterborough's page."""
    html = client.get("/cases/INDIGO-POJ-0153/").content.decode()
    block = _section(html, 'id="evaluations"', 'id="sources"')
    works = [block[m.start() :] for m in re.finditer(r'<li class="work">', block)]
    titles = [re.search(r'<a href="(/evidence/\d+/)">', w).group(1) for w in works]

    assert len(titles) == len(set(titles)) >= 5  # distinct works, none twice
    for fragment in (
        "Final Report on Cohort 1 Analysis",  # QinetiQ / University of Leicester, 2014
        "final cohort impact evaluation",  # NIESR, 2017
        "Lessons learned from the planning",  # RAND, 2011
        "Phase 2 report from the payment by results",  # Ministry of Justice, 2014
        "The Peterborough Pilot Social Impact Bond",  # University of Oxford, 2013
    ):
        assert any(fragment.lower() in w.split("</p>")[0].lower() for w in works), fragment
    qinetiq = next(w for w in works if "Cohort 1 Analysis" in w.split("</p>")[0])
    assert '<dd>Quasi-experimental <span class="hint">(inferred from:' in qinetiq
    # The metric's matched comparison is the impact reports' design, not the MoJ's phase 2
    # (process) report's: a project-wide guess goes only to titles that measure impact.
    phase_2 = next(w for w in works if "Phase 2 report" in w.split("</p>")[0])
    assert "<dt>Design</dt><dd>Not recorded</dd>" in phase_2


def test_did_it_work_gives_results_against_targets_and_payments_or_says_not_recorded(client):
    from decimal import Decimal

    measured = ProjectFactory(
        name="Measured",
        outcome_payments_made_usd=Decimal("750000"),
        max_outcome_payment_usd=Decimal("1000000"),
    )
    metric = OutcomeMetricFactory(project=measured, definition="Sustained tenancy", target="200")
    ResultFactory(project=measured, outcome_metric_ref=metric.local_id, outcomes_achieved=150)
    ResultFactory(
        project=measured,
        outcome_metric_ref=metric.local_id,
        outcomes_achieved=170,
        result_type="final",
    )
    silent = ProjectFactory(name="Silent")

    measured_html = _section(
        client.get(measured.get_absolute_url()).content.decode(),
        'id="did-it-work"',
        'id="evidence"',
    )
    silent_html = _section(
        client.get(silent.get_absolute_url()).content.decode(), 'id="did-it-work"', 'id="evidence"'
    )

    assert "2 results published (1 final)" in measured_html
    assert "Sustained tenancy: 170 of 200 (85%)" in measured_html
    assert "Outcome payments made: 75% of the maximum potential outcome payment." in measured_html
    assert "No results are published for this contract." in silent_html
    assert "Against targets: not recorded" in silent_html
    assert "not recorded against the maximum potential outcome payment" in silent_html
