"""A search of the evidence library (issue 15): as many queries for 500 matching documents as
for 10, and relevance as the ranked index gives it (title above abstract above text, words
as typed above words that only share a stem)."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import PolicySector, Stage
from common.models import PublicationStatus
from evidence.models import (
    DocumentAuthor,
    DocumentCountry,
    DocumentPolicyArea,
    DocumentProject,
    DocumentType,
    EvidenceDocument,
    Relation,
)
from evidence.search import DOCUMENTS
from tests.factories import EvidenceDocumentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _documents(n: int) -> None:
    """n published documents that all say "reoffending", with authors, policy areas,
    countries and linked cases in every stage; written in bulk (the index follows)."""
    projects = [ProjectFactory(stage=stage) for stage in Stage]
    documents = EvidenceDocument.objects.bulk_create(
        EvidenceDocument(
            title=f"Report {i} on reoffending",
            abstract=f"Outcomes of cohort {i}: fewer people reoffending after release.",
            text=f"Page {i}. Reoffending fell." if i % 2 else "",
            document_type=DocumentType.EVALUATION_REPORT,
            publication_date=f"{2010 + i % 12}",
            publisher=f"Publisher {i % 7}",
            status=PublicationStatus.PUBLISHED,
        )
        for i in range(n)
    )
    DocumentAuthor.objects.bulk_create(
        DocumentAuthor(document=d, position=p, name=f"Author{p}, A")
        for d in documents
        for p in (0, 1)
    )
    DocumentPolicyArea.objects.bulk_create(
        DocumentPolicyArea(document=d, policy_area=PolicySector.values[i % 8])
        for i, d in enumerate(documents)
    )
    DocumentCountry.objects.bulk_create(
        DocumentCountry(document=d, country=("GB", "US", "PT")[i % 3])
        for i, d in enumerate(documents)
    )
    DocumentProject.objects.bulk_create(
        DocumentProject(document=d, project=projects[i % len(projects)], relation=Relation.ABOUT)
        for i, d in enumerate(documents)
    )


@pytest.mark.parametrize("documents", [10, 500])
def test_search_query_count_does_not_grow_with_the_matches(
    client, django_assert_num_queries, documents
):
    _documents(documents)
    # 1 count; 2 the page's ids, ranked; 3 their documents; 4 their authors; 5 passages of
    # the rows shown; 6 one statement for every facet (common.facets.count_parts)
    with django_assert_num_queries(6):
        response = client.get("/evidence/", {"q": "reoffending", "per_page": 100})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == documents
    assert len(response.context["rows"]) == min(documents, 100)
    assert all(row.passage and "<mark>" in row.passage for row in response.context["rows"])


def _titles(query: str) -> list[str]:
    found = DOCUMENTS.search(EvidenceDocument.objects.published(), query)
    return list(found.order_by("-search_rank", "pk").values_list("title", flat=True))


def test_title_ranks_above_abstract_above_text():
    filler = "An account of a programme and what it paid for. " * 3
    EvidenceDocumentFactory(title="Interim report", abstract=filler, text=f"{filler} Mentoring.")
    EvidenceDocumentFactory(title="Final report", abstract=f"{filler} Mentoring.", text=filler)
    EvidenceDocumentFactory(title="Mentoring outcomes", abstract=filler, text=filler)
    EvidenceDocumentFactory(title="Unrelated", abstract=filler, text=filler)

    assert _titles("mentoring") == ["Mentoring outcomes", "Final report", "Interim report"]


def test_a_word_as_typed_ranks_above_a_stem_match_in_the_title():
    # "standing" is searched as the prefix of its stem "stand", so "Standards" matches too.
    # Words as typed count in the title, authors and abstract (PostgreSQL ranks by those
    # alone, common.search); SQLite counts them in the text too.
    EvidenceDocumentFactory(title="Standards of care", abstract="Standard standards.")
    EvidenceDocumentFactory(title="Annual review", abstract="A standing order paid the provider.")

    assert _titles("standing") == ["Annual review", "Standards of care"]


def test_drafts_are_neither_found_nor_counted(client):
    EvidenceDocumentFactory(title="Published mentoring review")
    EvidenceDocumentFactory(title="Draft mentoring review", status=PublicationStatus.DRAFT)

    response = client.get("/evidence/", {"q": "mentoring"})

    assert [row.title for row in response.context["rows"]] == ["Published mentoring review"]
    assert response.context["page"].paginator.count == 1
    assert "Draft mentoring" not in response.content.decode()


def _plan(query: str) -> list[str]:
    """The database's plan of the ranked page query, one line per step."""
    found = DOCUMENTS.search(EvidenceDocument.objects.published(), query)
    sql, params = found.order_by("-search_rank", "pk")[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            rows = cursor.fetchall()
            parents = {row[0]: row[1] for row in rows}
            details = {row[0]: row[3] for row in rows}

            def path(node: int) -> str:
                steps = []
                while node in details:
                    steps.append(details[node])
                    node = parents[node]
                return " < ".join(steps)

            return [path(row[0]) for row in rows]
        cursor.execute(f"EXPLAIN (VERBOSE) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


def test_the_full_text_query_runs_once_per_search_not_once_per_row():
    EvidenceDocumentFactory.create_batch(3, title="Mentoring review")
    plan = _plan("mentoring review")
    if connection.vendor == "sqlite":
        # Every scan of the index sits in a query run once for the statement (a list, or
        # a co-routine kept as a table with an automatic index), never directly under a
        # subquery SQLite re-runs for each row.
        scans = [line for line in plan if line.startswith("SCAN evidence_evidencedocument_fts")]
        assert scans
        for line in scans:
            inner = line.split(" < ")[1]
            assert not inner.startswith("CORRELATED"), line
    else:
        # Each matching row is ranked by its small vectors (title, authors, abstract), never
        # by the long ones that hold the text.
        sort = next(line for line in plan if "Sort Key" in line)
        assert "search_rank_vector" in sort and "search_rank_exact" in sort, sort
        assert "search_vector" not in sort.replace("search_rank_vector", ""), sort
        assert "search_exact" not in sort.replace("search_rank_exact", ""), sort


def test_pages_of_a_search_follow_the_ranking_with_whole_rows(client):
    """The page's ids are ranked first and its rows read by id (common.listing): every page
    lists the documents in rank order, each as a whole row, with its passage and authors,
    and never a withdrawn one."""
    _documents(25)
    withdrawn = EvidenceDocumentFactory(
        title="Reoffending reoffending", status=PublicationStatus.WITHDRAWN
    )
    ranked = _titles("reoffending")
    assert withdrawn.title not in ranked
    shown = []
    for number in (1, 2, 3):
        response = client.get("/evidence/", {"q": "reoffending", "per_page": 10, "page": number})
        rows = response.context["rows"]
        assert list(response.context["page"].object_list) == rows
        assert all(row.passage and row.abstract for row in rows)
        assert all(
            [a.name for a in row.authors.all()] == ["Author0, A", "Author1, A"] for row in rows
        )
        shown += [row.title for row in rows]
    assert shown == ranked and len(shown) == 25
