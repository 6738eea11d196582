"""Words as typed rank above words that only share a stem's prefix (issue 12, item 10).

``standing`` is searched as the prefix of its stem ``stand``, so it also finds "standard";
the project that says "standing" must come first, even where the others have the stemmed
word in their name (the heavier column)."""

from __future__ import annotations

import pytest

from tests.factories import ProjectFactory


def _ids(response) -> list[str]:
    return [row.indigo_id for row in response.context["rows"]]


@pytest.mark.django_db
def test_exact_word_ranks_above_stem_matches(client):
    ProjectFactory(indigo_id="INDIGO-POJ-9001", name="Standard outcomes for standards")
    ProjectFactory(indigo_id="INDIGO-POJ-9002", name="Standards in care, standardised")
    ProjectFactory(
        indigo_id="INDIGO-POJ-9003",
        name="Employment support",
        search_text="Long-standing partnership with the council; standing order payments.",
    )
    ProjectFactory(indigo_id="INDIGO-POJ-9004", name="Unrelated", search_text="nothing here")

    ids = _ids(client.get("/cases/", {"q": "standing"}))

    assert ids[0] == "INDIGO-POJ-9003"
    assert set(ids) == {"INDIGO-POJ-9001", "INDIGO-POJ-9002", "INDIGO-POJ-9003"}


@pytest.mark.django_db
def test_more_words_as_typed_rank_higher(client):
    # Both match "housing first" by prefix; only one has both words as typed.
    ProjectFactory(indigo_id="INDIGO-POJ-9011", name="Houses firstly for families")
    ProjectFactory(indigo_id="INDIGO-POJ-9012", name="Rough sleepers", search_text="Housing First")

    ids = _ids(client.get("/cases/", {"q": "housing first"}))

    assert ids == ["INDIGO-POJ-9012", "INDIGO-POJ-9011"]


@pytest.mark.django_db
def test_the_stemmed_rank_still_orders_rows_with_as_many_exact_words(client):
    # Both contain "homeless" as typed; the one with it in its name (weight A) leads.
    ProjectFactory(indigo_id="INDIGO-POJ-9021", name="Outcomes fund", search_text="homeless")
    ProjectFactory(indigo_id="INDIGO-POJ-9022", name="Homeless support", search_text="homeless")

    ids = _ids(client.get("/cases/", {"q": "homeless"}))

    assert ids == ["INDIGO-POJ-9022", "INDIGO-POJ-9021"]


def test_on_the_real_snapshot_the_project_saying_standing_leads(client, indigo_2025):
    """The audit's case: one 2025-05 project has the word "standing"; it was third."""
    import re

    from cases.models import Project

    saying = [
        pid
        for pid, name, text in Project.objects.values_list("indigo_id", "name", "search_text")
        if re.search(r"\bstanding\b", f"{name} {text}", re.IGNORECASE)
    ]
    ids = _ids(client.get("/cases/", {"q": "standing"}))

    assert len(saying) >= 1 and len(ids) > len(saying)  # stem matches are found too
    assert set(ids[: len(saying)]) == set(saying)
