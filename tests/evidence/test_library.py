"""The evidence library: on the real 2025-05 snapshot where the numbers or the mix of real
records are the point, on factory-made records for citations, visibility, query counts and
bad input."""

from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import PolicySector, Project, Stage
from common.models import PublicationStatus
from evidence.models import (
    DocumentAuthor,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    Relation,
    Section,
    TextStatus,
)
from tests.factories import (
    DocumentAuthorFactory,
    DocumentCountryFactory,
    DocumentPolicyAreaFactory,
    DocumentProjectFactory,
    EvidenceDocumentFactory,
    ProjectFactory,
    ProjectSourceFactory,
    SectionCitationFactory,
)

pytestmark = pytest.mark.django_db


def _curated_evaluation(project: Project) -> EvidenceDocument:
    document = EvidenceDocument.objects.create(
        title="Final evaluation of the {Peterborough} pilot & what came next",
        document_type=DocumentType.EVALUATION_REPORT,
        publication_date="2014-08",
        publisher="Ministry of Justice",
        abstract="Reconviction events fell by 9% against a matched national comparison.",
        doi="10.1234/moj-eval.2014_08",
        url="https://example.org/reports/peterborough-final.pdf?x=1&y=2",
        language="en",
        evaluation_design=EvaluationDesign.QUASI_EXPERIMENTAL,
        evidence_rating=4,
        status=PublicationStatus.PUBLISHED,
    )
    for position, (name, kind) in enumerate(
        [
            ("Jolliffe, Darrick", "person"),
            ("Hedderman, Carol", "person"),
            ("RAND Europe", "organisation"),
        ]
    ):
        DocumentAuthor.objects.create(document=document, position=position, name=name, kind=kind)
    DocumentProject.objects.create(
        document=document, project=project, relation=Relation.EVALUATION_OF
    )
    return document


@pytest.fixture
def evaluation() -> EvidenceDocument:
    """A curated evaluation with every field a citation uses, of a factory-made project."""
    return _curated_evaluation(ProjectFactory(name="Peterborough (factory)"))


@pytest.fixture
def peterborough_evaluation(indigo_2025) -> EvidenceDocument:
    """The same evaluation, of the real Peterborough SIB among its real sources."""
    return _curated_evaluation(Project.objects.get(indigo_id="INDIGO-POJ-0153"))


def _library(n: int) -> list[EvidenceDocument]:
    """n published documents spread over every facet: types, designs, ratings, years, policy
    areas, countries, authors, full text and linked projects in every stage."""
    # Correspondence is left out of the default view: tested on its own below.
    types = [t for t in DocumentType if t != DocumentType.CORRESPONDENCE]
    designs = list(EvaluationDesign)
    stages, sectors = list(Stage), list(PolicySector)
    documents = []
    for i in range(n):
        document = EvidenceDocumentFactory(
            title=f"Report {i} on outcomes",
            document_type=types[i % len(types)],
            evaluation_design=designs[i % len(designs)] if i % 3 else "",
            evidence_rating=i % 5 + 1 if i % 4 else None,
            publication_date=f"{2010 + i % 12}-0{i % 9 + 1}" if i % 5 else "",
            text=f"Full text {i}" if i % 2 else "",
            text_status=TextStatus.EXTRACTED if i % 2 else TextStatus.NONE,
        )
        for position in range(i % 3 + 1):
            DocumentAuthorFactory(document=document, position=position)
        DocumentPolicyAreaFactory(document=document, policy_area=sectors[i % len(sectors)])
        if i % 4:
            DocumentCountryFactory(document=document, country=["GB", "US", "PT"][i % 3])
        DocumentProjectFactory(document=document, project__stage=stages[i % len(stages)])
        documents.append(document)
    return documents


def test_imported_documents_are_all_linked_to_a_case(indigo_2025):
    # One document per work, not per URL or row: tests/evidence/test_works.py.
    published = EvidenceDocument.objects.published().exclude(
        Q(organisation_citations__isnull=False) | Q(fund_citations__isnull=False)
    )
    assert published.exists()
    assert not published.exclude(pk__in=DocumentProject.objects.values("document_id")).exists()


def test_bibtex_export_parses_and_round_trips(client, evaluation):
    response = client.get(f"/evidence/{evaluation.pk}/cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "techreport"
    title = entry["title"].replace("\\{", "{").replace("\\}", "}").replace("\\&", "&")
    assert title == evaluation.title
    assert entry["year"] == "2014"
    assert entry["doi"].replace("\\_", "_") == evaluation.doi
    assert entry["url"] == evaluation.url
    authors = [a.strip() for a in entry["author"].split(" and ")]
    assert authors == ["Jolliffe, Darrick", "Hedderman, Carol", "{RAND Europe}"]


def test_ris_export_parses_and_round_trips(client, evaluation):
    response = client.get(f"/evidence/{evaluation.pk}/cite.ris")
    (entry,) = rispy.loads(response.content.decode())
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == evaluation.title
    assert entry["authors"] == ["Jolliffe, Darrick", "Hedderman, Carol", "RAND Europe"]
    assert entry["year"] == "2014"
    assert entry["doi"] == evaluation.doi
    assert entry["urls"] == [evaluation.url]


def test_csl_json_and_citations(client, evaluation):
    item = json.loads(client.get(f"/evidence/{evaluation.pk}/cite.json").content)[0]
    assert item["type"] == "report" and item["DOI"] == evaluation.doi
    assert item["issued"] == {"date-parts": [[2014, 8]]}
    assert item["author"][0] == {"family": "Jolliffe", "given": "Darrick"}
    assert item["author"][2] == {"literal": "RAND Europe"}
    html = client.get(evaluation.get_absolute_url()).content.decode()
    assert "Jolliffe, D., Hedderman, C., &amp; RAND Europe (2014)." in html  # APA
    assert "Jolliffe, D., Hedderman, C. and RAND Europe (2014)" in html  # Harvard
    assert '"@type": "Report"' in html
    assert "4 – Matched or quasi-experimental comparison" in html


def test_exported_search_results_parse_as_bibtex_and_ris(client, peterborough_evaluation):
    bib = client.get("/evidence/export.bib", {"q": "Peterborough"})
    library = bibtexparser.parse_string(bib.content.decode())
    assert not library.failed_blocks and len(library.entries) >= 2
    ris = rispy.loads(client.get("/evidence/export.ris", {"q": "Peterborough"}).content.decode())
    assert len(ris) == len(library.entries)
    assert any(entry.get("doi") == peterborough_evaluation.doi for entry in ris)


def test_case_page_shows_evaluations_first_with_their_rating(client, peterborough_evaluation):
    html = client.get("/cases/INDIGO-POJ-0153/").content.decode()
    evidence = html[html.index('id="evidence-heading"') :]
    assert evidence.index("Evaluations") < evidence.index(
        peterborough_evaluation.title.replace("&", "&amp;")[:20]
    )
    assert "<dt>Evidence rating</dt><dd>4 – Matched" in evidence


def test_facets_count_under_the_other_filters(client, peterborough_evaluation):
    response = client.get("/evidence/", {"type": "evaluation-report"})
    facets = {f.name: {v.value: v.count for v in f.values} for f in response.context["facets"]}
    evaluations = EvidenceDocument.objects.published().filter(document_type="evaluation-report")
    assert response.context["page"].paginator.count == evaluations.count()
    # The import infers designs for some real documents; the curated one adds one.
    quasi = evaluations.filter(evaluation_design="quasi-experimental").count()
    assert facets["design"]["quasi-experimental"] == quasi >= 1
    assert facets["rating"]["4"] == 1
    assert facets["type"]["evaluation-report"] == evaluations.count()
    assert sum(facets["type"].values()) == EvidenceDocument.objects.published().count()


def test_draft_documents_appear_nowhere(client, evaluation):
    EvidenceDocument.objects.filter(pk=evaluation.pk).update(status=PublicationStatus.DRAFT)
    assert client.get(evaluation.get_absolute_url()).status_code == 404
    for fmt in ("bib", "ris", "json"):
        assert client.get(f"/evidence/{evaluation.pk}/cite.{fmt}").status_code == 404
    response = client.get("/evidence/", {"q": "Jolliffe"})
    assert response.context["page"].paginator.count == 0
    assert (
        "Jolliffe" not in client.get("/evidence/export.ris", {"q": "reconviction"}).content.decode()
    )
    project = evaluation.project_links.get().project
    assert "Final evaluation" not in client.get(project.get_absolute_url()).content.decode()
    facets = client.get("/evidence/").context["facets"]
    assert "quasi-experimental" not in {
        v.value for f in facets if f.name == "design" for v in f.values
    }


@pytest.fixture
def library() -> list[EvidenceDocument]:
    return _library(6)


@pytest.mark.parametrize("rows", [2, 20])
def test_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    _library(rows)
    # 1 count; 2 page; 3 authors; 4 one statement for every facet: type, policy areas,
    # countries, design, rating, publishers, full text, linked cases' stage and the year
    # range (common.facets.count_parts)
    with django_assert_num_queries(4):
        response = client.get("/evidence/", {"per_page": 100})
    assert response.status_code == 200 and len(response.context["rows"]) == rows


COUNTRIES = "GB US PT FR DE NL BE IE ES IT SE NO FI DK PL AT CH CA AU NZ".split()


def _document_with(rows: int, *, cited_in_sections: bool) -> EvidenceDocument:
    """A document with ``rows`` authors, countries, linked projects and (if cited in
    sections) INDIGO source rows with their section citations, and up to 8 policy areas."""
    document = EvidenceDocumentFactory()
    for i in range(rows):
        DocumentAuthorFactory(document=document, position=i)
        DocumentCountryFactory(document=document, country=COUNTRIES[i])
        DocumentProjectFactory(document=document)
        if cited_in_sections:
            SectionCitationFactory(source=ProjectSourceFactory(document=document))
    for sector in list(PolicySector)[:rows]:
        DocumentPolicyAreaFactory(document=document, policy_area=sector)
    return document


@pytest.mark.parametrize("rows", [2, 20])
def test_document_page_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    document = _document_with(rows, cited_in_sections=False)
    # 1 document; 2 authors; 3 policy areas; 4 countries; 5 linked projects; 6 INDIGO
    # source rows that cite it (none here, so no query for their section citations)
    with django_assert_num_queries(6):
        response = client.get(document.get_absolute_url())
    assert response.status_code == 200 and len(response.context["links"]) == rows
    document = _document_with(rows, cited_in_sections=True)
    # the same, and 7: the section citations of its source rows
    with django_assert_num_queries(7):
        response = client.get(document.get_absolute_url())
    assert response.status_code == 200 and len(response.context["sections"]) == rows
    assert all(s.citations.all()[0].section == Section.DATES for s in response.context["sections"])


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x01\x1f\ufffe"},  # NUL itself is a 400: tests/golab/test_hostile_input.py
        {"year_min": "9" * 30},
        {"year_max": "-3"},
        {"rating": ["9", "x"]},
        {"design": "astrology"},
        {"type": ["report", "evaluation-report"]},
        {"country": "\x07"},
        {"has_full_text": "perhaps"},
        {"project_stage": "done"},
        {"sort": "random()"},
        {"page": "-7"},
    ],
)
def test_odd_parameters_give_200(client, library, params):
    assert client.get("/evidence/", params).status_code == 200


def test_unknown_or_huge_document_ids_are_404(client, library):
    assert client.get("/evidence/0/").status_code == 404
    assert client.get("/evidence/" + "9" * 40 + "/").status_code == 404
    assert client.get("/evidence/1/cite.exe").status_code == 404
    assert client.get("/evidence/export.pdf").status_code == 404


PARAMETERS = [
    "q", "type", "year_min", "year_max", "year_none", "policy_area", "country", "design",
    "rating", "has_full_text", "project_stage", "sort", "page", "per_page",
]  # fmt: skip
values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.sampled_from(["GB", "none", "5", "rct", "yes", "\x00", "'", "*", "evaluation-report"]),
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.dictionaries(
        st.sampled_from(PARAMETERS), st.lists(values, min_size=1, max_size=3), max_size=6
    )
)
def test_no_parameter_value_gives_a_server_error(client, library, query):
    assert client.get("/evidence/", query).status_code < 500
    assert client.get("/evidence/export.ris", query).status_code < 500


def test_correspondence_is_left_out_until_chosen_and_its_count_shows(client):
    report = EvidenceDocumentFactory(title="Final evaluation", document_type="evaluation-report")
    email = EvidenceDocumentFactory(title="Email with the council", document_type="correspondence")

    default = client.get("/evidence/")
    chosen = client.get("/evidence/", {"type": "correspondence"})

    assert [d.pk for d in default.context["rows"]] == [report.pk]
    types = {
        v.value: v.count for f in default.context["facets"] if f.name == "type" for v in f.values
    }
    assert types == {"evaluation-report": 1, "correspondence": 1}
    assert [d.pk for d in chosen.context["rows"]] == [email.pk]


def test_default_order_is_newest_first_and_publisher_is_a_facet(client):
    old = EvidenceDocumentFactory(title="A", publication_date="2012", publisher="NIESR")
    new = EvidenceDocumentFactory(title="B", publication_date="2019-03", publisher="ICF")
    undated = EvidenceDocumentFactory(title="C", publication_date="", publisher="ICF")

    response = client.get("/evidence/")
    by_publisher = client.get("/evidence/", {"publisher": "ICF"})

    assert [d.pk for d in response.context["rows"]] == [new.pk, old.pk, undated.pk]
    publishers = {
        v.value: v.count
        for f in response.context["facets"]
        if f.name == "publisher"
        for v in f.values
    }
    assert publishers == {"ICF": 2, "NIESR": 1}
    assert {d.pk for d in by_publisher.context["rows"]} == {new.pk, undated.pk}
