"""PostgreSQL: keep a document's row narrow, its long values (abstract, text, search vectors)
in TOAST; and tell the planner that a full-text match is not cheap.

A search's count and each facet read every matching row from the table (the full-text
index gives row addresses, never the columns). The rows kept values in line up to about
2 kB (the ranking vectors, stored MAIN, even more: 1 GB at 200,000 documents), more than the
server's shared buffers; a word in 20,000 documents read 17,500 pages for every count. With
a target of 512 bytes the long values go to TOAST and the short columns (titles, codes,
dates, publisher) stay in the row: 433 MB -> about 90 MB, so the pages a search reads stay
in memory. The long values are read for the page's rows and the ranking only. New and
updated rows take it at once, existing ones when the table is rewritten
(``VACUUM FULL evidence_evidencedocument``).

With rows that narrow the planner reckoned a sequential scan that tests every row's
search vector cheaper than the full-text index, and each test read that row's vector from
TOAST (3 s a facet at 200,000 documents): it costs a match as one operator. The cost of
``@@`` (``ts_match_vq``) is raised to 100 so that it prefers the index. That needs a
superuser (the function belongs to the system): where the migration is not run as one,
neither is changed (narrow rows at the default cost are slower than before), and it says so.
"""

from django.db import migrations

TABLE = "evidence_evidencedocument"
MATCH = "ts_match_vq(tsvector, tsquery)"


def _is_superuser(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if _is_superuser(schema_editor):
        schema_editor.execute(f"ALTER FUNCTION {MATCH} COST 100")
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 512)")
    else:
        # Narrow rows without the cost make the planner scan every row (see above): as before.
        print(f"\n  Not a superuser: rows and the cost of {MATCH} are left as they were.")  # noqa: T201


def default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")
    if _is_superuser(schema_editor):
        schema_editor.execute(f"ALTER FUNCTION {MATCH} COST 1")


class Migration(migrations.Migration):
    dependencies = [("evidence", "0004_works_and_citations")]

    operations = [migrations.RunPython(narrow, default)]
