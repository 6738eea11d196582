"""Full-text search: one interface, two implementations.

PostgreSQL: a stored, generated ``tsvector`` column over the indexed columns (each with a
weight) and a GIN index, ranked by ``ts_rank_cd``, passages by ``ts_headline``.
SQLite: an FTS5 table over the same columns, kept in sync by triggers, ranked by ``bm25``
(with the same relative weights), passages by ``snippet``.

An index is installed by ``install()`` after every ``migrate`` (see ``cases.apps`` and
``evidence.apps``): SQLite rebuilds a table whenever a migration alters it, which drops its
triggers, so they are recreated each time rather than once in a migration.

A query is reduced to its words (letters and digits); each must match, as a prefix, so
``homeless`` finds *homelessness*; a word of at most ``WHOLE_WORD`` characters matches only
as a whole (stemmed) word: as a prefix ``les`` (stemmed to ``le``) matched nearly every
document and took 4.3 s at 200,000 of them, and ``job`` finds *jobs* by its stem anyway.
Stemming is English (PostgreSQL's ``english`` configuration, FTS5's ``porter`` tokenizer).
English stop words and single characters are left out of a query on both backends
(``words()``), so it finds the same rows on either.

Ranking puts the words as typed first: a second, unstemmed index (PostgreSQL: a ``simple``
``tsvector`` column; SQLite: an FTS5 table without ``porter``) counts how many of the query's
words a row contains exactly, and that count leads the rank; the stemmed rank, scaled into
[0, 1), orders rows with the same count. So ``standing`` ranks the project that says
"standing" above those that only say "standard" (both share the stem's prefix).

Ranking reads no more than it must, since a common word matches most rows. SQLite ranks in
one pass over the FTS5 index for the whole statement, never one full-text query per row.
PostgreSQL ranks by small vectors of the A and B columns only (``search_rank_vector`` and
``search_rank_exact``) where a C column holds long text: ranking by the whole vectors meant
decompressing every matching row's out-of-line vector (2.5 s for a word in 18,000 of 170,000
documents). So on PostgreSQL a document's own text finds it but does not
rank it; on SQLite it weighs least (bm25 weight 1 against 4 and 10).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, FloatField, Func, QuerySet, TextField, Value
from django.db.models.expressions import Col, Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_WORDS = 12
MARK_START, MARK_END = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 1.0}


# English stop words, dropped from every query on both backends: exactly the list PostgreSQL
# ships for its 'english' configuration (the Snowball list, share/tsearch_data/english.stop
# in PostgreSQL 15). PostgreSQL drops them from documents and queries; SQLite's FTS5 keeps
# them, so without this "the" matched almost everything there and nothing here.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did doing
    a an the and but if or because as until while of at by for with about against between into
    through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now
    """.split()
)


def _split(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query.replace("_", " "))]


def _searchable(word: str) -> bool:
    # A single character, as a prefix, matches half the index: slow, and no use as a filter.
    return len(word) > 1 and word not in STOP_WORDS


def words(query: str) -> list[str]:
    """The searchable words of a query: letters and digits only, less English stop words
    and single characters, at most ``MAX_WORDS``."""
    return [w for w in _split(query) if _searchable(w)][:MAX_WORDS]


def dropped_words(query: str) -> list[str]:
    """The words of a query that ``words()`` leaves out as too common, each once."""
    return list(dict.fromkeys(w for w in _split(query) if not _searchable(w)))


WHOLE_WORD = 3  # a word this short is matched whole, not as a prefix


def _pg_query(terms: list[str]) -> str:
    return " & ".join(term if len(term) <= WHOLE_WORD else f"{term}:*" for term in terms)


def _fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"' if len(term) <= WHOLE_WORD else f'"{term}"*' for term in terms)


MATCH_COST_NEEDED = 100  # what evidence migration 0005 sets, as a superuser


def _match_is_costed(conn) -> bool:
    """Whether PostgreSQL costs a full-text match (``@@``) as more than one operator."""
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT procost FROM pg_proc WHERE oid = 'ts_match_vq(tsvector, tsquery)'::regprocedure"
        )
        row = cursor.fetchone()
    return bool(row and row[0] >= MATCH_COST_NEEDED)


@dataclass(frozen=True)
class FullTextIndex:
    """A full-text index over some text columns of one table.

    ``columns`` are (column, weight) with weight A (highest), B or C; ``passage_column`` is
    the column passages are cut from (``None``: the best-matching one of the B and C
    columns). All names are constants of this code, never input.
    """

    # bandit's B608/B611 (SQL built from strings, RawSQL) are marked "nosec" below: the table
    # and column names put into the SQL are these constants, and every value that comes from
    # a request (the query) is a bound parameter.

    table: str
    columns: tuple[tuple[str, str], ...]
    passage_column: str | None = None
    # SQLite: (name, table, columns) of indexes that lead with a row id and hold the columns
    # read from each matching row (facets, counts). A search gives row ids; read from a
    # table of wide rows (an abstract, a text), each id costs a lookup in a wide row, from
    # such an index one in a narrow one (at 200,000 documents, a word in 20,000 of them:
    # 26 -> 14 ms a facet). Made here, after every migrate, since SQLite drops an index a
    # model does not declare whenever a migration rebuilds its table. PostgreSQL reads the
    # rows its full-text index finds from the table (no index-only scan after a bitmap):
    # there they would only cost writes.
    lookup_indexes: tuple[tuple[str, str, str], ...] = ()

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def exact_table(self) -> str:
        """SQLite: the unstemmed twin of ``fts_table``, for ranking words as typed."""
        return f"{self.table}_fts_exact"

    # -- queries -----------------------------------------------------------------------

    def search(self, queryset: QuerySet, query: str) -> QuerySet:
        """Rows of ``queryset`` matching every word of ``query``, annotated ``search_rank``
        (higher is better). A query without words returns the queryset unchanged."""
        terms = words(query)
        if not terms:
            return queryset
        if connection.vendor == "postgresql":
            tsquery = _pg_query(terms)
            rank, rank_params = self._postgresql_rank(terms, tsquery)
            # On the row itself, not through a subquery of ids: the index finds the rows, and
            # each is read once (the count and every facet filter the same way).
            matches = _Matches(_Column("search_vector"), Value(tsquery))
            return queryset.filter(matches).annotate(  # nosec B611
                search_rank=RawSQL(rank, rank_params, output_field=FloatField())  # nosec B611
            )
        else:
            match = _fts5_query(terms)
            found = f"SELECT rowid FROM {self.fts_table} WHERE {self.fts_table} MATCH %s"  # nosec B608
            found_params = [match]
            rank, rank_params = self._sqlite_rank(terms, match)
        return queryset.filter(pk__in=RawSQL(found, found_params)).annotate(  # nosec B611
            search_rank=RawSQL(rank, rank_params, output_field=FloatField())  # nosec B611
        )

    @property
    def _ranked_columns(self) -> tuple[tuple[str, str], ...]:
        """The columns PostgreSQL ranks by: the A and B ones (titles, names, abstracts)."""
        return tuple((column, weight) for column, weight in self.columns if weight != "C")

    @property
    def _rank_vectors(self) -> tuple[str, str]:
        """PostgreSQL: the (stemmed, as typed) vectors rows are ranked by: small ones over
        the ranked columns where a long C column (a document's text) would make the whole
        vectors large, stored out of line and decompressed for every matching row."""
        if self._ranked_columns == self.columns:
            return "search_vector", "search_exact"
        return "search_rank_vector", "search_rank_exact"

    def _postgresql_rank(self, terms: list[str], tsquery: str) -> tuple[str, list[str]]:
        stemmed_vector, exact_vector = (f"{self.table}.{v}" for v in self._rank_vectors)
        exact = [f"({exact_vector} @@ plainto_tsquery('simple', %s))::int" for _term in terms]
        # Normalisation 32 scales the stemmed rank to rank / (rank + 1), below 1.
        stemmed = f"ts_rank_cd({stemmed_vector}, to_tsquery('english', %s), 32)"
        # Words as typed lead the rank (one point each); the stemmed rank orders ties.
        return " + ".join([*exact, stemmed]), [*terms, tsquery]

    def _sqlite_rank(self, terms: list[str], match: str) -> tuple[str, list[str]]:
        # One pass over the index for the whole statement: the matching rows with their rank
        # (bm25 of the stemmed index; each word as typed found once in the exact index),
        # MATERIALIZED: a table each row's rank is read from. Without it, when SQLite read
        # the rows from another index (a range of years), the subquery became a co-routine
        # run again for every row: at 100,000 cases a word in 1,548 of them with a range of
        # years took 236 ms (14 ms now), one in 4,007 took 1.4 s (59 ms now).
        fts, exact_table = self.fts_table, self.exact_table
        weights = ", ".join(str(_WEIGHTS[weight]) for _column, weight in self.columns)
        bm25 = f"bm25({fts}, {weights})"
        exact = [
            f"(rowid IN (SELECT rowid FROM {exact_table} WHERE {exact_table} MATCH %s))"  # nosec B608
            for _term in terms
        ]
        # -bm25 is positive (higher is better): scaled to x / (x + 1), below 1.
        hits = (
            f"SELECT rowid AS hit, {' + '.join(exact)} - {bm25} / (1 - {bm25}) AS rank "  # nosec B608
            f"FROM {fts} WHERE {fts} MATCH %s"
        )
        rank = (
            f"(WITH hits AS MATERIALIZED ({hits}) "  # nosec B608
            f"SELECT rank FROM hits WHERE hit = {self.table}.id)"
        )
        return rank, [*(f'"{term}"' for term in terms), match]

    def passages(self, ids: list[int], query: str) -> dict[int, SafeString]:
        """The passage of each row's ``passage_column`` that best matches ``query``, with
        the matches in ``<mark>``; escaped, so safe to show. One query for all rows."""
        terms = words(query)
        if not terms or not ids:
            return {}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                source = self.passage_column or "concat_ws(' … ', {})".format(
                    ", ".join(c for c, weight in self.columns if weight != "A")
                )
                cursor.execute(
                    f"SELECT id, ts_headline('english', {source}, "  # nosec B608
                    "to_tsquery('english', %s), 'StartSel=\x02, StopSel=\x03, MaxWords=30, "
                    "MinWords=12, MaxFragments=1, FragmentDelimiter= … ') "
                    f"FROM {self.table} WHERE id = ANY(%s)",
                    [_pg_query(terms), list(ids)],
                )
            else:
                names = [column for column, _weight in self.columns]
                position = names.index(self.passage_column) if self.passage_column else -1
                cursor.execute(
                    f"SELECT rowid, snippet({self.fts_table}, {position}, '\x02', '\x03', "  # nosec B608
                    f"'…', 24) FROM {self.fts_table} WHERE {self.fts_table} MATCH %s "
                    "AND rowid IN (SELECT value FROM json_each(%s))",
                    [_fts5_query(terms), json.dumps(list(ids))],
                )
            rows = cursor.fetchall()
        return {pk: _highlight(text) for pk, text in rows if text and MARK_START in text}

    # -- installing ----------------------------------------------------------------------

    def install(self, using_connection=None) -> None:
        """Create the index for the connection's database (idempotent)."""
        conn = using_connection or connection
        if conn.vendor == "postgresql":
            statements = self._postgresql(narrow=_match_is_costed(conn))
        elif conn.vendor == "sqlite":
            statements = self._sqlite()
        else:
            return
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def _postgresql(self, *, narrow: bool = True) -> list[str]:
        def vector(config: str, columns: tuple[tuple[str, str], ...]) -> str:
            return " || ".join(
                f"setweight(to_tsvector('{config}', coalesce({column}, '')), '{weight}')"
                for column, weight in columns
            )

        statements = [
            f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({vector('english', self.columns)}) STORED",
            f"CREATE INDEX IF NOT EXISTS {self.table}_search_gin "
            f"ON {self.table} USING gin (search_vector)",
            # Words as written (rows are found by search_vector).
            f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS search_exact tsvector "
            f"GENERATED ALWAYS AS ({vector('simple', self.columns)}) STORED",
            f"CREATE INDEX IF NOT EXISTS {self.table}_search_exact_gin "
            f"ON {self.table} USING gin (search_exact)",
        ]
        stemmed, exact = self._rank_vectors
        if stemmed != "search_vector":
            # For ranking only (one statement, so that a full table is rewritten once).
            # Stored like any long value (EXTENDED: compressed, out of line when the row is
            # long), not MAIN: kept in the row, they made every row ~5 kB, and every count
            # and facet of a search reads the matching rows (evidence migration 0005). Only
            # where a full-text match is costed above one operator (that needs a superuser):
            # with narrow rows and the default cost the planner tests every row's vector,
            # read from out of line, instead of using the full-text index (3 s a facet at
            # 200,000 documents), so there they stay in the row (MAIN) as before.
            storage = "EXTENDED" if narrow else "MAIN"
            ranked = self._ranked_columns
            statements += [
                f"ALTER TABLE {self.table} "
                f"ADD COLUMN IF NOT EXISTS {stemmed} tsvector "
                f"GENERATED ALWAYS AS ({vector('english', ranked)}) STORED, "
                f"ADD COLUMN IF NOT EXISTS {exact} tsvector "
                f"GENERATED ALWAYS AS ({vector('simple', ranked)}) STORED",
                f"ALTER TABLE {self.table} ALTER COLUMN {stemmed} SET STORAGE {storage}, "
                f"ALTER COLUMN {exact} SET STORAGE {storage}",
            ]
        return statements

    def _sqlite(self) -> list[str]:
        return [
            *self._fts5(self.fts_table, "porter unicode61 remove_diacritics 2"),
            # Words as written, for ranking only (rows are found by fts_table).
            *self._fts5(self.exact_table, "unicode61 remove_diacritics 2"),
            *(
                statement
                for name, table, columns in self.lookup_indexes
                for statement in (
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
                    # Its statistics (one pass over the narrow index): without any, SQLite
                    # reads a row by its id from the table rather than from the index.
                    f"ANALYZE {name}",
                )
            ),
        ]

    def _fts5(self, fts: str, tokenize: str) -> list[str]:
        names = [column for column, _weight in self.columns]
        listed = ", ".join(names)
        new = ", ".join(f"new.{c}" for c in names)
        old = ", ".join(f"old.{c}" for c in names)
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({listed}, "
            f"content='{self.table}', content_rowid='id', tokenize='{tokenize}')",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {self.table} BEGIN "  # nosec B608
            f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {self.table} BEGIN "  # nosec B608
            f"INSERT INTO {fts}({fts}, rowid, {listed}) VALUES ('delete', old.id, {old}); END",
            f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {listed} "  # nosec B608
            f"ON {self.table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {listed}) VALUES ('delete', old.id, {old}); "
            f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new}); END",
            # Rows changed while the triggers were missing (a table rebuild) are indexed again.
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # nosec B608
        ]


class _Column(Expression):
    """A column ``install()`` adds (no model field has it), of the query's own table, under
    whatever alias that table has (``U0`` inside a subquery)."""

    def __init__(self, column: str) -> None:
        super().__init__(output_field=TextField())
        self.column = column

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        field = TextField()
        field.column = self.column
        return Col(query.get_initial_alias(), field, output_field=TextField())


class _Matches(Func):
    """``vector @@ to_tsquery('english', query)``."""

    output_field = BooleanField()
    template = "(%(expressions)s))"
    arg_joiner = " @@ to_tsquery('english', "


def _highlight(text: str) -> SafeString:
    # Escape everything first; only our own markers become markup.
    escaped = escape(" ".join(text.split()))
    return mark_safe(  # noqa: S308 - the text is escaped above  # nosec B308, B703
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )
