"""PostgreSQL: no JIT compiling for this database (issue 15).

The case list counts every facet in one UNION ALL statement (common.facets.count_parts). Its
estimated cost is far above ``jit_above_cost``, so PostgreSQL compiles the plan to machine code
first, and compiling a plan that size took 20 s of a 23 s request at 100,000 projects (3 s
without). Short, many-part statements are this app's queries, so JIT is off for the database
(new sessions); nothing to do on SQLite.
"""

from django.db import migrations


def jit_off(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        # A role that does not own the database cannot: then set jit = off where it is run.
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); "
        "EXCEPTION WHEN insufficient_privilege THEN "
        "RAISE WARNING 'jit not turned off: set jit = off for this database'; END $$",
        None,
    )
    schema_editor.execute("SET jit = off")


def jit_default(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); "
        "EXCEPTION WHEN insufficient_privilege THEN NULL; END $$",
        None,
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_facet_count_indexes")]

    operations = [migrations.RunPython(jit_off, jit_default, elidable=False)]
