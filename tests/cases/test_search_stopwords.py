"""Common words mean the same on both backends: PostgreSQL's ``english`` configuration drops
stop words, SQLite's FTS5 does not, so ``common.search.words()`` drops them (and single
characters) for both. A search of only such words is no search, and the page says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.models import Project
from common.models import PublicationStatus
from common.search import MAX_WORDS, STOP_WORDS, dropped_words, words
from evidence.models import DocumentType, EvidenceDocument

PROJECTS = [
    # name, search_text: one mentions homelessness without "the", one with it, one neither.
    ("Street homelessness bond", "Rough sleepers housed"),
    ("Homelessness outcomes in the city", "Their tenancies sustained"),
    ("Youth employment fund", "Young people into work"),
]
DOCUMENTS = [
    ("Homelessness evaluation", "Rough sleepers housed for a year."),
    ("Evaluation of the homelessness pilot", "Their tenancies were sustained."),
    ("Youth employment report", "Young people into work."),
]
NOTICE = "Too common to search for:"


# -- words() ------------------------------------------------------------------------------


def test_words_keeps_letters_and_digits_lowercased():
    assert words("Mental-health_Bond 2019!") == ["mental", "health", "bond", "2019"]


def test_words_drops_stop_words_and_single_characters():
    assert words("The homelessness of a city in 5 years") == ["homelessness", "city", "years"]


def test_words_of_only_common_words_is_empty():
    assert words("the") == []
    assert words("a") == []
    assert words("To be or not to be, I") == []


def test_words_keeps_at_most_max_words_real_words():
    query = " ".join(["the"] * 20 + [f"word{n}" for n in range(MAX_WORDS + 3)])
    assert words(query) == [f"word{n}" for n in range(MAX_WORDS)]


def test_dropped_words_lists_each_common_word_once_in_order():
    assert dropped_words("The cost of THE bond, a review") == ["the", "of", "a"]
    assert dropped_words("homelessness") == []


def test_stop_words_are_postgresqls_english_list():
    assert len(STOP_WORDS) == 127
    assert {"the", "a", "of", "don", "s", "t", "ourselves"} <= STOP_WORDS
    assert "homelessness" not in STOP_WORDS
    shipped = sorted(Path("/usr/share/postgresql").glob("*/tsearch_data/english.stop"))
    if shipped:  # where PostgreSQL is installed, the copy must match its file
        assert frozenset(shipped[-1].read_text().split()) == STOP_WORDS


# -- the list pages ---------------------------------------------------------------------------


@pytest.fixture
def projects(db):
    for number, (name, text) in enumerate(PROJECTS, start=1):
        Project.objects.create(
            indigo_id=f"INDIGO-POJ-{9100 + number}",
            name=name,
            search_text=text,
            status=PublicationStatus.PUBLISHED,
        )


@pytest.fixture
def documents(db):
    for title, abstract in DOCUMENTS:
        EvidenceDocument.objects.create(
            title=title,
            abstract=abstract,
            document_type=DocumentType.EVALUATION_REPORT,
            status=PublicationStatus.PUBLISHED,
        )


def _count(response) -> int:
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("url", ["/cases/", "/evidence/"])
@pytest.mark.parametrize("query", ["the", "a", "The, of... A"])
def test_a_search_of_only_common_words_lists_everything_and_says_so(
    client, projects, documents, url, query
):
    everything = _count(client.get(url))

    response = client.get(url, {"q": query})

    assert everything == 3
    assert _count(response) == everything
    assert response.context["ignored"]["q"].startswith(NOTICE)
    html = response.content.decode()
    assert f"{NOTICE} {', '.join(dropped_words(query))}" in html
    # No search ran: no relevance sort offered, no passages shown.
    assert "relevance" not in dict(response.context["sorts"])
    assert not any(row.passage for row in response.context["rows"])
    assert "matching" not in html


@pytest.mark.parametrize("url", ["/cases/", "/evidence/"])
def test_common_words_beside_real_ones_are_ignored(client, projects, documents, url):
    plain = client.get(url, {"q": "homelessness"})
    mixed = client.get(url, {"q": "the homelessness of"})

    assert _count(plain) == 2
    assert [row.pk for row in mixed.context["rows"]] == [row.pk for row in plain.context["rows"]]
    assert mixed.context["ignored"] == {"q": f"{NOTICE} the, of"}
    assert "q" not in plain.context["ignored"]


@pytest.mark.parametrize("url", ["/cases/", "/evidence/"])
def test_a_real_word_still_narrows_the_list(client, projects, documents, url):
    response = client.get(url, {"q": "youth"})

    assert _count(response) == 1
    assert not response.context["ignored"]
