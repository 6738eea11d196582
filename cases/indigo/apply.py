"""Applying parsed INDIGO rows to the database: records with their own INDIGO id (created,
updated, withdrawn when gone) and component rows (matched by owner and position), merged
column by column so that a curator's edit is never overwritten."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cases.indigo.bulk import create_with_history
from cases.indigo.layout import Table
from cases.indigo.reading import ParsedRow, Problem, Report
from cases.models import Imported, IndigoRecord
from common.history import note_change
from common.models import PublicationStatus, Publishable


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    deleted: int = 0

    def changes(self) -> int:
        return self.created + self.updated + self.withdrawn + self.deleted

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "deleted": self.deleted,
        }


@dataclass
class Conflict:
    file: str
    key: str
    column: str
    kept: str
    incoming: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.column}: kept the curator's value {self.kept!r}; "
            f"the snapshot has {self.incoming!r}"
        )


@dataclass
class Merge:
    changed: list[str] = field(default_factory=list)
    baseline_changed: bool = False


def merge_row(
    obj: Imported, row: ParsedRow, table: Table, conflicts: list[Conflict], key: str
) -> Merge:
    """Bring ``obj`` up to date with ``row`` without overwriting a curator's edit.

    Per column: the value the last import wrote is the baseline. A current value that still
    equals the baseline takes the snapshot's value; one that differs was changed by a curator
    and is kept (a conflict, if the snapshot changed it too).
    """
    merge = Merge()
    baseline = obj.import_baseline or {}
    for column in table.stored_columns():
        incoming = row.cells[column.field]
        current = column.write(lambda attr: getattr(obj, attr))
        if current == incoming:
            continue
        base = baseline.get(column.field, current)
        if current != base:
            if incoming != base:
                conflicts.append(Conflict(table.file, key, table.label(column), current, incoming))
            continue
        for attr in column.model_fields():
            setattr(obj, attr, row.values[attr])
            merge.changed.append(attr)
    new_baseline = {**row.cells, **{k: v for k, v in baseline.items() if k.startswith("_")}}
    if new_baseline != baseline:
        obj.import_baseline = new_baseline
        merge.baseline_changed = True
    return merge


def new_row(table: Table, row: ParsedRow, **extra: Any) -> dict[str, Any]:
    """A new record's values, as ``bulk.create_with_history`` inserts them."""
    return {**row.values, **extra, "import_baseline": dict(row.cells)}


def model_attrs(table: Table) -> list[str]:
    attrs = [attr for c in table.stored_columns() for attr in c.model_fields()]
    return [*attrs, "import_baseline"]


@dataclass
class ApplyContext:
    """What every table's apply step shares: where to count and how to label history."""

    counts: dict[str, Counts]
    conflicts: list[Conflict]
    change_reason: str
    batch_size: int = 500
    withdrawn: list[str] = field(default_factory=list)
    withdrawn_documents: list[str] = field(default_factory=list)


def batches(rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    """The rows in lists of ``size``: a file is applied a batch at a time, never held whole."""
    batch: list[ParsedRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def apply_records(
    table: Table, rows: Iterable[ParsedRow], ctx: ApplyContext, **on_create: Any
) -> dict[str, int]:
    """Create or update records that have their own INDIGO id, a batch of rows at a time,
    each compared with the stored records of its ids; return id -> pk for all of them
    (those in the file and those already stored)."""
    from django.utils import timezone
    from simple_history.utils import bulk_update_with_history

    model = table.model
    counts = ctx.counts.setdefault(table.file, Counts())
    for batch in batches(rows, ctx.batch_size):
        existing = {
            obj.indigo_id: obj
            for obj in model.objects.filter(indigo_id__in=[row.owner for row in batch])
        }
        to_create: list[dict[str, Any]] = []
        to_update: list[IndigoRecord] = []
        update_fields: set[str] = set()
        for row in batch:
            obj = existing.get(row.owner)
            if obj is None:
                to_create.append(new_row(table, row, **on_create))
                counts.created += 1
                continue
            merge = merge_row(obj, row, table, ctx.conflicts, row.owner)
            revived = _revive(obj)
            if merge.changed or revived:
                counts.updated += 1
            else:
                counts.unchanged += 1
            if merge.changed or merge.baseline_changed or revived:
                to_update.append(obj)
                update_fields.update(merge.changed)
                update_fields.add("import_baseline")
                if revived:
                    update_fields.add("status")
        create_with_history(model, to_create, reason=ctx.change_reason, batch_size=ctx.batch_size)
        if to_update:
            if hasattr(model, "updated_at"):
                update_fields.add("updated_at")
                now = timezone.now()
                for obj in to_update:
                    obj.updated_at = now
            bulk_update_with_history(
                to_update,
                model,
                sorted(update_fields),
                batch_size=ctx.batch_size,
                default_change_reason=ctx.change_reason,
            )
    return dict(model.objects.values_list("indigo_id", "pk"))


def _revive(obj: Imported) -> bool:
    """A project that an earlier import withdrew and the source publishes again."""
    if (
        isinstance(obj, Publishable)
        and obj.status == PublicationStatus.WITHDRAWN
        and (obj.import_baseline or {}).get("_withdrawn_by_import")
    ):
        obj.status = PublicationStatus.PUBLISHED
        obj.import_baseline = {
            k: v for k, v in obj.import_baseline.items() if k != "_withdrawn_by_import"
        }
        return True
    return False


def withdraw_missing(table: Table, present: set[str], ctx: ApplyContext) -> list[str]:
    """Records an earlier import brought in that the snapshot (whose ids are ``present``) no
    longer has were made private at the source: withdraw them (kept, with their history),
    never delete."""
    from simple_history.utils import bulk_update_with_history

    model = table.model
    counts = ctx.counts.setdefault(table.file, Counts())
    candidates = model.objects.exclude(import_baseline={}).exclude(
        status=PublicationStatus.WITHDRAWN
    )
    gone_pks = [
        pk
        for pk, indigo_id in candidates.values_list("pk", "indigo_id")
        if indigo_id not in present
    ]
    withdrawn: list[str] = []
    for start in range(0, len(gone_pks), ctx.batch_size):
        gone = list(model.objects.filter(pk__in=gone_pks[start : start + ctx.batch_size]))
        for record in gone:
            record.status = PublicationStatus.WITHDRAWN
            record.import_baseline = {**record.import_baseline, "_withdrawn_by_import": True}
        bulk_update_with_history(
            gone,
            model,
            ["status", "import_baseline"],
            default_change_reason=f"{ctx.change_reason}: no longer in the snapshot",
        )
        withdrawn += [record.indigo_id for record in gone]
    counts.withdrawn += len(withdrawn)
    return sorted(withdrawn)


Resolver = Callable[[ParsedRow], dict[str, Any]]


def apply_rows(
    table: Table,
    rows: Iterable[ParsedRow],
    ctx: ApplyContext,
    owner_pks: dict[str, int],
    resolve: Resolver | None = None,
    *,
    owners_in_snapshot: set[str],
) -> None:
    """Create, update or delete component rows, matched to stored ones by owner and position,
    a batch of rows at a time (each compared with the stored rows of its owners).

    ``resolve`` gives derived attributes (links to organisations, funds, documents) that are
    kept current but are not curator-editable data of their own. Rows of owners that are not
    in the snapshot (withdrawn ones) are left alone."""
    from simple_history.utils import bulk_update_with_history

    model = table.model
    parent_attr = f"{model.parent_field}_id"
    counts = ctx.counts.setdefault(table.file, Counts())
    # Rows per owner in the file: an owner's rows have positions 0, 1, ... in file order.
    had: dict[int, int] = {}
    for batch in batches(rows, ctx.batch_size):
        batch_owners = {owner_pks[row.owner] for row in batch}
        stored = {
            (getattr(obj, parent_attr), obj.position): obj
            for obj in model.objects.filter(
                **{f"{parent_attr}__in": batch_owners},
                position__in={row.position for row in batch},
            )
        }
        to_create: list[dict[str, Any]] = []
        to_update: list[Imported] = []
        update_fields: set[str] = set()
        for row in batch:
            owner_pk = owner_pks[row.owner]
            had[owner_pk] = max(had.get(owner_pk, 0), row.position + 1)
            derived = resolve(row) if resolve else {}
            obj = stored.pop((owner_pk, row.position), None)
            if obj is None:
                to_create.append(
                    new_row(
                        table, row, **{parent_attr: owner_pk, "position": row.position}, **derived
                    )
                )
                counts.created += 1
                continue
            merge = merge_row(obj, row, table, ctx.conflicts, f"{row.owner} row {row.position + 1}")
            relinked = [attr for attr, value in derived.items() if getattr(obj, attr) != value]
            for attr in relinked:
                setattr(obj, attr, derived[attr])
            if merge.changed or relinked:
                counts.updated += 1
            else:
                counts.unchanged += 1
            if merge.changed or merge.baseline_changed or relinked:
                to_update.append(obj)
                update_fields.update(merge.changed, relinked, {"import_baseline"})
        create_with_history(model, to_create, reason=ctx.change_reason, batch_size=ctx.batch_size)
        if to_update:
            bulk_update_with_history(
                to_update,
                model,
                sorted(update_fields),
                batch_size=ctx.batch_size,
                default_change_reason=ctx.change_reason,
            )
    # Rows the owner no longer has in the snapshot (every owner the snapshot has is in scope,
    # also those that have no rows here any more): gone from the source.
    in_scope = sorted(owner_pks[owner] for owner in owners_in_snapshot)
    for start in range(0, len(in_scope), ctx.batch_size):
        chunk = in_scope[start : start + ctx.batch_size]
        stale = [
            pk
            for pk, owner_pk, position in model.objects.filter(
                **{f"{parent_attr}__in": chunk}
            ).values_list("pk", parent_attr, "position")
            if position >= had.get(owner_pk, 0)
        ]
        for obj in model.objects.filter(pk__in=stale):
            note_change(obj, reason=ctx.change_reason)
            obj.delete()
            counts.deleted += 1


def reference_resolver(table: Table, ids: dict[str, dict[str, int]]) -> Resolver | None:
    """Link ``org``/``fund`` columns to the first referenced record that exists."""
    refs = [(c, c.reference) for c in table.columns if c.reference]
    if not refs:
        return None

    def resolve(row: ParsedRow) -> dict[str, Any]:
        derived = {}
        for column, reference in refs:
            known = ids[reference.name]
            pk = None
            for ref in filter(None, row.values[f"{column.field}_ref"].split(",")):
                if ref in known:
                    pk = known[ref]
                    break
            derived[f"{column.field}_id"] = pk
        return derived

    return resolve


class ReferenceCheck:
    """Warn (once per id and file) about organisations or funds the files do not contain,
    row by row as a file is read."""

    def __init__(self, table: Table, known: dict[str, set[str]], report: Report) -> None:
        self.table = table
        self.known = known
        self.report = report
        self.columns = [(c, c.reference) for c in table.columns if c.reference]
        self.warned: set[str] = set()

    def see(self, row: ParsedRow) -> None:
        for column, reference in self.columns:
            for ref in filter(None, row.values[f"{column.field}_ref"].split(",")):
                if ref not in self.known[reference.name] and ref not in self.warned:
                    self.warned.add(ref)
                    self.report.warnings.append(
                        Problem(
                            self.table.file,
                            row.row,
                            column.header,
                            f"{ref} is not in {reference.target_file}; the reference is kept",
                        )
                    )
