"""Full-text search over projects: one interface, two implementations.

PostgreSQL: a stored, generated ``tsvector`` column (name weighted above the rest) with a GIN
index, ranked by ``ts_rank_cd``, passages by ``ts_headline``.
SQLite: an FTS5 table over the same text, kept in sync by triggers, ranked by ``bm25``,
passages by ``snippet``.

The index is installed by ``install()`` after every ``migrate`` (see ``cases.apps``): SQLite
rebuilds a table whenever a migration alters it, which drops its triggers, so they are
recreated each time instead of once in a migration.

A query is reduced to its words (letters and digits); each must match, as a prefix, so
``homeless`` finds *homelessness*. Stemming is English (PostgreSQL's ``english``
configuration, FTS5's ``porter`` tokenizer).
"""

from __future__ import annotations

import json
import re

from django.db import connection
from django.db.models import FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_WORDS = 12
MARK_START, MARK_END = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


def words(query: str) -> list[str]:
    """The searchable words of a query: letters and digits only, at most ``MAX_WORDS``."""
    return [w.lower() for w in _WORD.findall(query.replace("_", " "))][:MAX_WORDS]


def _pg_query(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def _fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Projects of ``queryset`` matching every word of ``query``, annotated ``search_rank``
    (higher is better). A query without words returns the queryset unchanged, unranked."""
    terms = words(query)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = _pg_query(terms)
        return queryset.filter(
            pk__in=RawSQL(
                "SELECT id FROM cases_project WHERE search_vector @@ to_tsquery('english', %s)",
                [tsquery],
            )
        ).annotate(
            search_rank=RawSQL(
                "ts_rank_cd(cases_project.search_vector, to_tsquery('english', %s))",
                [tsquery],
                output_field=FloatField(),
            )
        )
    match = _fts5_query(terms)
    return queryset.filter(
        pk__in=RawSQL(
            "SELECT rowid FROM cases_project_fts WHERE cases_project_fts MATCH %s", [match]
        )
    ).annotate(
        search_rank=RawSQL(
            "(SELECT -bm25(cases_project_fts, 10.0, 1.0) FROM cases_project_fts "
            "WHERE cases_project_fts MATCH %s AND rowid = cases_project.id)",
            [match],
            output_field=FloatField(),
        )
    )


_PG_PASSAGES = (
    "SELECT id, ts_headline('english', search_text, to_tsquery('english', %s), "
    "'StartSel=\x02, StopSel=\x03, MaxWords=30, MinWords=12, MaxFragments=1, "
    "FragmentDelimiter= … ') FROM cases_project WHERE id = ANY(%s)"
)
_SQLITE_PASSAGES = (
    "SELECT rowid, snippet(cases_project_fts, 1, '\x02', '\x03', '…', 24) "
    "FROM cases_project_fts WHERE cases_project_fts MATCH %s "
    "AND rowid IN (SELECT value FROM json_each(%s))"
)


def passages(project_ids: list[int], query: str) -> dict[int, SafeString]:
    """The passage of each project's indexed text that best matches ``query``, with the
    matches in ``<mark>``; escaped, so safe to show. One query for all the projects."""
    terms = words(query)
    if not terms or not project_ids:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_PASSAGES, [_pg_query(terms), list(project_ids)])
        else:
            cursor.execute(_SQLITE_PASSAGES, [_fts5_query(terms), json.dumps(list(project_ids))])
        rows = cursor.fetchall()
    return {pk: _highlight(text) for pk, text in rows if text and MARK_START in text}


def _highlight(text: str) -> SafeString:
    # Escape everything first; only our own markers become markup.
    escaped = escape(" ".join(text.split()))
    return mark_safe(  # noqa: S308 - the text is escaped above
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


# ---------------------------------------------------------------------------------------------
# Installing the index

_PG_INSTALL = [
    """
    ALTER TABLE cases_project ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(name, '')), 'A')
        || setweight(to_tsvector('english', coalesce(search_text, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX IF NOT EXISTS cases_project_search_gin "
    "ON cases_project USING gin (search_vector)",
]

_SQLITE_INSTALL = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS cases_project_fts USING fts5(
        name, search_text, content='cases_project', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS cases_project_fts_insert AFTER INSERT ON cases_project BEGIN
        INSERT INTO cases_project_fts(rowid, name, search_text)
        VALUES (new.id, new.name, new.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS cases_project_fts_delete AFTER DELETE ON cases_project BEGIN
        INSERT INTO cases_project_fts(cases_project_fts, rowid, name, search_text)
        VALUES ('delete', old.id, old.name, old.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS cases_project_fts_update AFTER UPDATE OF name, search_text
    ON cases_project BEGIN
        INSERT INTO cases_project_fts(cases_project_fts, rowid, name, search_text)
        VALUES ('delete', old.id, old.name, old.search_text);
        INSERT INTO cases_project_fts(rowid, name, search_text)
        VALUES (new.id, new.name, new.search_text);
    END
    """,
    # Rows changed while the triggers were missing (a table rebuild) are indexed again.
    "INSERT INTO cases_project_fts(cases_project_fts) VALUES ('rebuild')",
]


def install(using_connection=None) -> None:
    """Create the search index for the connection's database (idempotent)."""
    conn = using_connection or connection
    statements = _PG_INSTALL if conn.vendor == "postgresql" else _SQLITE_INSTALL
    if conn.vendor not in {"postgresql", "sqlite"}:
        return
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
