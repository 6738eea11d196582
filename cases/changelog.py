"""The public change log of a case study: what changed in its published fields, and when.

Built from the project's history (django-simple-history). Only changes made while the
project was published, and visible on the site, are listed: no editors' names and nothing
from drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cases.indigo.layout import Exact
from cases.indigo.tables import TABLES
from cases.models import Project
from common.models import PublicationStatus

# Bookkeeping and derived columns are not news to a reader.
HIDDEN_FIELDS = {
    "id",
    "status",
    "created_at",
    "updated_at",
    "deleted_at",
    "search_text",
    "launch_year",
    "capital_raised_usd",
    "has_results",
    "has_evaluation",
    "has_country",
    "has_outcome_payer",
    "has_investor",
    "has_service_provider",
}
# The exact cell of an amount (more decimals than the amount keeps) is the same value to a
# reader: its first import is not a change.
HIDDEN_FIELDS |= {
    f"{column.field}_text"
    for table in TABLES
    for column in table.columns
    if isinstance(column.kind, Exact)
}
MAX_VERSIONS = 200


@dataclass
class FieldChange:
    label: str
    old: object
    new: object


@dataclass
class ChangeEntry:
    date: object
    changes: list[FieldChange]


def _shown(value: object, choices: dict[str, str] | None = None) -> str:
    """A value as the page shows it: a code by its label (``complete`` → ``Complete``)."""
    if value is None or value == "":
        return "–"
    if choices and str(value) in choices:
        return choices[str(value)]
    if isinstance(value, Decimal):
        return f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _public(version) -> bool:
    return version.status == PublicationStatus.PUBLISHED and version.deleted_at is None


def public_changes(project: Project, *, limit: int = 20) -> list[ChangeEntry]:
    """Newest first. One query."""
    fields = [
        f.name
        for f in Project._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and f.name != "import_baseline"
    ]
    labels = {f.name: str(f.verbose_name) for f in Project._meta.concrete_fields}
    choices = {
        f.name: {str(value): str(label) for value, label in f.flatchoices}
        for f in Project._meta.concrete_fields
        if f.choices
    }
    versions = list(
        project.history.order_by("history_date", "history_id").only(
            "history_date", "history_id", *fields, "status", "deleted_at"
        )[:MAX_VERSIONS]
    )
    entries = []
    for older, newer in zip(versions, versions[1:], strict=False):
        if not (_public(older) and _public(newer)):
            continue
        delta = newer.diff_against(older, included_fields=fields)
        changes = [
            FieldChange(
                labels[change.field].capitalize(),
                _shown(change.old, choices.get(change.field)),
                _shown(change.new, choices.get(change.field)),
            )
            for change in delta.changes
        ]
        if changes:
            entries.append(ChangeEntry(newer.history_date, changes))
    return entries[::-1][:limit]
