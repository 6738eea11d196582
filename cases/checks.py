"""A system check on the INDIGO layout: every column's model attributes exist on its table's
model and are the kind of field its values need, so a renamed or retyped field stops
``manage.py check`` (and every command and test run) instead of an import half-way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core import checks
from django.core.exceptions import FieldDoesNotExist

from cases.indigo.layout import Choice, Column, Reference, Table


def check_tables(tables: Iterable[Table]) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for table in tables:
        try:
            model = table.model
        except LookupError:
            errors.append(
                checks.Error(
                    f"{table.file}: there is no model {table.model_label}", id="cases.E101"
                )
            )
            continue
        key = table.key_column
        if not table.is_record and getattr(model, "parent_field", None) != key.field:
            errors.append(
                checks.Error(
                    f"{table.file}: {model._meta.label}.parent_field is not {key.field!r}, the "
                    f"field of the owner column {key.header!r}",
                    obj=model,
                    id="cases.E102",
                )
            )
        for column in table.columns:
            errors += _check_column(table, model, column)
    return errors


def _check_column(table: Table, model: Any, column: Column) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    where = f"{table.file}: column {column.header!r}"
    for name, types in column.kind.expected_fields(column.field):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{where} fills {model._meta.label}.{name}, which does not exist",
                    obj=model,
                    id="cases.E103",
                )
            )
            continue
        if types and not isinstance(field, types):
            expected = " or ".join(t.__name__ for t in types)
            errors.append(
                checks.Error(
                    f"{where} ({column.kind.name}) fills {model._meta.label}.{name}, a "
                    f"{type(field).__name__}, which is not a {expected}",
                    obj=model,
                    id="cases.E104",
                )
            )
            continue
        problem = _field_problem(column, name, field)
        if problem:
            errors.append(
                checks.Error(
                    f"{where}: {model._meta.label}.{name} {problem}", obj=model, id="cases.E105"
                )
            )
    return errors


def _field_problem(column: Column, name: str, field: Any) -> str:
    """What else a field must be for the column's kind (its code list, its target)."""
    kind = column.kind
    if name != column.field:
        return ""
    if isinstance(kind, Choice):
        stored = {value for value, _label in field.choices or []}
        if stored != set(kind.choices.values):
            return f"does not have the choices of {kind.choices.__name__}"
    if isinstance(kind, Reference):
        target = field.related_model._meta.label
        if target != kind.target_model:
            return f"links to {target}, not {kind.target_model}"
    return ""


def check_indigo_layout(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from cases.indigo.tables import TABLES

    if app_configs is not None and not any(app.label == "cases" for app in app_configs):
        return []
    return check_tables(TABLES)
