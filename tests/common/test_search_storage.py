"""PostgreSQL: the ranking vectors leave the row only where a full-text match is costed high
enough for the planner to keep using the full-text index (evidence migration 0005)."""

from __future__ import annotations

import pytest
from django.db import connection

from common import search
from evidence.search import DOCUMENTS


def _storage(statements: list[str]) -> set[str]:
    return {word for s in statements for word in ("MAIN", "EXTENDED") if f"SET STORAGE {word}" in s}


def test_narrow_rows_only_with_a_costed_match():
    """Without a superuser the match keeps the default cost, and narrow rows then made the
    planner test every row's out-of-line vector (3 s a facet at 200,000 documents)."""
    assert _storage(DOCUMENTS._postgresql(narrow=True)) == {"EXTENDED"}
    assert _storage(DOCUMENTS._postgresql(narrow=False)) == {"MAIN"}


@pytest.mark.django_db
def test_the_installed_storage_follows_the_match_cost():
    if connection.vendor != "postgresql":
        assert _storage(DOCUMENTS._sqlite()) == set()  # SQLite has no such setting
        return
    costed = search._match_is_costed(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'evidence_evidencedocument'::regclass AND attname = %s",
            [DOCUMENTS._rank_vectors[0]],
        )
        (storage,) = cursor.fetchone()
    assert storage == ("x" if costed else "m")
