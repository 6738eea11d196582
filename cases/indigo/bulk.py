"""Inserting many imported rows fast: one multi-row ``INSERT`` per batch, built once per
model, with the new primary keys read back (``RETURNING``, SQLite 3.35+ and PostgreSQL), and
their history rows as ``simple_history`` would write them.

Django's ``bulk_create`` compiles every value of every row through the SQL compiler; for an
import of tens of thousands of rows that was most of the import's time. Here a row is a
dict of attribute values; each field's default, ``auto_now`` and conversion to the
database's form are worked out per field, and plain values (text, numbers, booleans, keys)
go to the driver as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone

Row = dict[str, Any]

# Field classes (exactly these, not subclasses, which may convert) whose values of the
# types in PLAIN_VALUES go to the driver unchanged.
PLAIN_FIELDS = {
    models.CharField,
    models.TextField,
    models.SlugField,
    models.URLField,
    models.EmailField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
}
PLAIN_VALUES = (str, int, bool, type(None))
MAX_PARAMS = 2000


class _Plan:
    """One model's insert: its columns, and per column how to get a row's value."""

    def __init__(self, model: type[models.Model]) -> None:
        meta = model._meta
        self.model = model
        self.pk = meta.pk
        self.fields = [
            f
            for f in meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
            and not getattr(f, "generated", False)
        ]
        self.by_name = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(str(f.column)) for f in self.fields)
        self.table = quote(meta.db_table)
        self.returning = quote(str(self.pk.column)) if self.pk not in self.fields else ""
        self.plain = [type(f) in PLAIN_FIELDS for f in self.fields]

    def defaults(self) -> list[Callable[[], Any] | None]:
        """Per field, what an absent value becomes (``auto_now`` is now, once per batch)."""
        now = timezone.now()
        found: list[Callable[[], Any] | None] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                found.append(lambda: now)
            else:
                found.append(f.get_default)
        return found


_plans: dict[type[models.Model], _Plan] = {}


def _plan(model: type[models.Model]) -> _Plan:
    plan = _plans.get(model)
    if plan is None:
        plan = _plans[model] = _Plan(model)
    return plan


def complete(model: type[models.Model], rows: list[Row]) -> list[Row]:
    """The rows with every column's value by attribute name, defaults filled in."""
    plan = _plan(model)
    defaults = plan.defaults()
    done = []
    for row in rows:
        values: Row = {}
        for name, value in row.items():
            field = plan.by_name.get(name)
            if field is None:
                if name == plan.pk.attname or name == plan.pk.name:
                    continue
                raise TypeError(f"{model.__name__} has no field {name!r}")
            values[field.attname] = value
        for field, default in zip(plan.fields, defaults, strict=True):
            if field.attname in values:
                if getattr(field, "auto_now", False):
                    values[field.attname] = default() if default else values[field.attname]
                continue
            values[field.attname] = default() if default else None
        done.append(values)
    return done


def insert(model: type[models.Model], rows: list[Row], *, batch_size: int = 500) -> list[int]:
    """Insert completed rows (``complete``); return their new primary keys in order."""
    if not rows:
        return []
    plan = _plan(model)
    prep = [
        None if plain else (lambda v, f=f: f.get_db_prep_save(v, connection))
        for f, plain in zip(plan.fields, plan.plain, strict=True)
    ]
    width = len(plan.fields)
    # Statements of at most MAX_PARAMS values: SQLite compiles each statement into a program
    # as long as its values, and the driver keeps the last hundred or so statements
    # compiled; statements of 500 wide rows held hundreds of megabytes.
    size = max(
        1, min(batch_size, MAX_PARAMS // width, connection.ops.bulk_batch_size(plan.fields, rows))
    )
    one = "(" + ", ".join(["%s"] * width) + ")"
    pks: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params: list[Any] = []
            for row in chunk:
                for field, convert in zip(plan.fields, prep, strict=True):
                    value = row[field.attname]
                    if convert is not None or not isinstance(value, PLAIN_VALUES):
                        value = field.get_db_prep_save(value, connection)
                    params.append(value)
            # Table and columns come from the model, quoted; values are parameters.
            values = ", ".join([one] * len(chunk))
            sql = f"INSERT INTO {plan.table} ({plan.columns}) VALUES {values}"  # noqa: S608  # nosec B608
            if plan.returning:
                sql += f" RETURNING {plan.returning}"
            cursor.execute(sql, params)
            if plan.returning:
                pks += [pk for (pk,) in cursor.fetchall()]
    return pks


def create_with_history(
    model: type[models.Model], rows: Iterable[Row], *, reason: str, batch_size: int = 500
) -> list[int]:
    """Insert the rows and, if the model keeps history, a "+" history row for each, as
    ``simple_history.utils.bulk_create_with_history`` does; return the new primary keys."""
    done = complete(model, list(rows))
    pks = insert(model, done, batch_size=batch_size)
    history = getattr(model, "history", None)
    if history is None or not pks:
        return pks
    history_model = history.model
    pk_name = model._meta.pk.attname
    for values, pk in zip(done, pks, strict=True):
        values[pk_name] = pk
    user = history_model.get_default_history_user(model(**{pk_name: pks[0]}))
    now = timezone.now()
    tracked = [f.attname for f in history_model.tracked_fields]
    relation = hasattr(history_model, "history_relation")
    has_user = "history_user_id" in _plan(history_model).by_name
    history_rows = []
    for values in done:
        row = {name: values[name] for name in tracked}
        row.update(history_date=now, history_change_reason=reason, history_type="+")
        if has_user:
            row["history_user_id"] = getattr(user, "pk", None)
        if relation:
            row["history_relation_id"] = values[pk_name]
        history_rows.append(row)
    insert(history_model, complete(history_model, history_rows), batch_size=batch_size)
    return pks
