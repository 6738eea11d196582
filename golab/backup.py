"""Backups of all data and uploaded files, and their restore, on SQLite and PostgreSQL.

An archive is a zip file:

- ``data/<table>.jsonl``: every row of every table the models own (auto-created many-to-many
  tables, history, sessions, accounts and lockouts included), one JSON array per line in
  primary-key order, one value per concrete column. Values keep their exact form: datetimes
  as ISO 8601 with microseconds (``dumpdata`` rounds them to milliseconds), decimals as
  strings, JSON values as they are;
- ``media/<path>``: every file under ``MEDIA_ROOT``;
- ``manifest.json`` (written last): the format, when and from which database it was made,
  the migrations applied, and for each table its columns, row count and the sha256 of its
  file, and for each file its sha256 and size.

Restore checks the whole archive before it changes anything: it must open (a truncated zip
does not), hold exactly the members its manifest lists, each with its checksum, and fit
this database's schema (same tables and columns; no migration this database lacks). Then,
in one transaction, it empties every table, inserts the rows with plain SQL (no ``save()``:
``auto_now`` and signals would change what is restored), checks foreign keys, resets
PostgreSQL's sequences and compares each table's checksum with the manifest's, so a restore
that would not reproduce the backup exactly is rolled back. Uploaded files are unpacked
beside ``MEDIA_ROOT`` first and swapped into place once the database has committed.

The full-text indexes are not backed up: they are derived. PostgreSQL computes its
generated ``tsvector`` columns on insert; SQLite's FTS5 triggers index each inserted row, and
the ``post_migrate`` handlers that install the indexes are run again at the end.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import json
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from common.cache import bump

FORMAT = "golab-backup"
VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000
CHUNK = 1 << 20
# Working folders of a restore inside MEDIA_ROOT (never backed up).
RESTORE_FOLDERS = (".restoring-", ".replaced-")


class BackupError(Exception):
    """The archive cannot be restored here; nothing was changed."""


# --- what is backed up ------------------------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every model with a table of its own, auto-created many-to-many tables included."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if not getattr(f, "generated", False)]


def _encode(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(value, datetime.timedelta):
        return duration_iso_string(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()  # keeps microseconds and the UTC offset
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _decode(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _line(fields: list[models.Field], row: Iterable[Any]) -> bytes:
    values = [_encode(f, v) for f, v in zip(fields, row, strict=True)]
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _lines(model: type[models.Model], using: str) -> Iterator[bytes]:
    fields = _fields(model)
    # A bare QuerySet: no manager's filter (soft deletion, publication) hides a row.
    rows: models.QuerySet[Any] = models.QuerySet(model=model, using=using).order_by("pk")
    for row in rows.values_list(*(f.attname for f in fields)).iterator(chunk_size=BATCH):
        yield _line(fields, row)


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            name = path.relative_to(root).as_posix()
            if not name.startswith(RESTORE_FOLDERS):
                yield name, path


def _sha256_file(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def fingerprint(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """sha256 of every table's rows (as a backup writes them) and of every uploaded file:
    equal fingerprints mean the same data."""
    result: dict[str, str] = {}
    for model in backed_up_models():
        digest = hashlib.sha256()
        for line in _lines(model, using):
            digest.update(line)
        result[f"data/{model._meta.db_table}.jsonl"] = digest.hexdigest()
    for name, path in _media_files():
        with open(path, "rb") as handle:
            result[f"media/{name}"] = _sha256_file(handle)[0]
    return result


def _applied_migrations(using: str) -> list[list[str]]:
    return sorted(
        [app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations()
    )


# --- backup -------------------------------------------------------------------------------


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    created: str = ""
    database: str = ""


def backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write every table and uploaded file to a new archive at ``target``."""
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    connection = connections[using]
    summary = Summary(created=timezone.now().isoformat(), database=connection.vendor)
    partial = target.with_name(target.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "x", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with transaction.atomic(using=using):
                if connection.vendor == "postgresql" and _outermost(connection):
                    # Every table as of one moment, while the site keeps writing. (SQLite's
                    # transaction reads one snapshot already.)
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                tables = [_write_table(archive, model, using) for model in backed_up_models()]
                migrations = _applied_migrations(using)
            files = [_write_file(archive, name, path) for name, path in _media_files()]
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created": summary.created,
                "database": connection.vendor,
                "migrations": migrations,
                "tables": tables,
                "files": files,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    summary.tables = len(tables)
    summary.rows = sum(t["rows"] for t in tables)
    summary.files = len(files)
    summary.bytes = target.stat().st_size
    return summary


def _outermost(connection: Any) -> bool:
    # Only the transaction's first statement may set its isolation level: not inside a
    # caller's transaction (a test's, say), which reads one snapshot anyway.
    return len(connection.atomic_blocks) == 1


def _write_table(archive: zipfile.ZipFile, model: type[models.Model], using: str) -> dict:
    name = f"data/{model._meta.db_table}.jsonl"
    digest, rows, size = hashlib.sha256(), 0, 0
    with archive.open(name, "w", force_zip64=True) as member:
        for line in _lines(model, using):
            member.write(line)
            digest.update(line)
            rows += 1
            size += len(line)
    return {
        "model": model._meta.label_lower,
        "table": model._meta.db_table,
        "columns": [f.attname for f in _fields(model)],
        "rows": rows,
        "file": name,
        "sha256": digest.hexdigest(),
        "bytes": size,
    }


def _write_file(archive: zipfile.ZipFile, name: str, path: Path) -> dict:
    member_name = f"media/{name}"
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as source, archive.open(member_name, "w", force_zip64=True) as member:
        while chunk := source.read(CHUNK):
            member.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return {"path": member_name, "sha256": digest.hexdigest(), "bytes": size}


# --- restore ------------------------------------------------------------------------------


@dataclass
class Plan:
    """A verified archive and what restoring it will replace."""

    path: Path
    manifest: dict
    database: str
    rows_now: int
    tables_now: int
    files_now: int

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"])

    def describe(self) -> str:
        m = self.manifest
        return (
            f"Restore {self.path} (made {m['created']} from {m['database']}: "
            f"{self.rows} rows in {len(m['tables'])} tables, {len(m['files'])} files).\n"
            f"This DELETES all data in the database {self.database} "
            f"({self.rows_now} rows in {self.tables_now} tables now) and every file under "
            f"{settings.MEDIA_ROOT} ({self.files_now} files now), and replaces them with "
            "the backup's."
        )


def inspect(path: Path, using: str = DEFAULT_DB_ALIAS) -> Plan:
    """Verify the archive completely and check it fits this database; change nothing."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _read_manifest(archive)
            _verify_members(archive, manifest)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise BackupError(f"{path} is damaged or not a backup: {exc}") from None
    _check_schema(manifest, using)
    connection = connections[using]
    tables_now = backed_up_models()
    rows_now = sum(models.QuerySet(model=m, using=using).count() for m in tables_now)
    return Plan(
        path=path,
        manifest=manifest,
        database=f"{connection.settings_dict['NAME']!s} ({connection.vendor})",
        rows_now=rows_now,
        tables_now=len(tables_now),
        files_now=sum(1 for _ in _media_files()),
    )


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError("the archive has no manifest: it is incomplete or not a backup") from None
    except ValueError as exc:
        raise BackupError(f"the manifest cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"not a {FORMAT} archive of version {VERSION}")
    return manifest


def _verify_members(archive: zipfile.ZipFile, manifest: dict) -> None:
    expected = {t["file"]: t["sha256"] for t in manifest["tables"]}
    expected.update({f["path"]: f["sha256"] for f in manifest["files"]})
    for name in expected:
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or parts[0] not in {"data", "media"}:
            raise BackupError(f"the manifest names an unsafe path: {name!r}")
    present = set(archive.namelist()) - {MANIFEST}
    if missing := sorted(set(expected) - present):
        raise BackupError(f"the archive lacks {len(missing)} members, e.g. {missing[0]}")
    if extra := sorted(present - set(expected)):
        raise BackupError(f"the archive holds members its manifest does not list: {extra[0]}")
    for name, sha256 in expected.items():
        with archive.open(name) as member:
            if _sha256_file(member)[0] != sha256:
                raise BackupError(f"{name} does not match its checksum: the archive is damaged")


def _check_schema(manifest: dict, using: str) -> None:
    applied = {tuple(m) for m in _applied_migrations(using)}
    if unknown := sorted(tuple(m) for m in manifest["migrations"] if tuple(m) not in applied):
        app, name = unknown[0]
        raise BackupError(
            f"the backup was made after migrations this database lacks ({app}.{name} and "
            f"{len(unknown) - 1} more): update the code and run migrate first"
        )
    here = {m._meta.db_table: [f.attname for f in _fields(m)] for m in backed_up_models()}
    there = {t["table"]: t["columns"] for t in manifest["tables"]}
    if set(here) != set(there):
        differ = sorted(set(here) ^ set(there))
        raise BackupError(f"the backup's tables differ from this database's: {differ[:5]}")
    for table, columns in there.items():
        if columns != here[table]:
            raise BackupError(f"the backup's columns of {table} differ from this database's")


def restore(plan: Plan, using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace all data and uploaded files with the archive's (``inspect`` it first)."""
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    # Unpacked inside MEDIA_ROOT, so that moving files into place is a rename even when
    # MEDIA_ROOT is a mount point of its own.
    staging = Path(tempfile.mkdtemp(prefix=RESTORE_FOLDERS[0], dir=media_root))
    try:
        with zipfile.ZipFile(plan.path) as archive:
            for entry in plan.manifest["files"]:
                target = staging / PurePosixPath(entry["path"]).relative_to("media")
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(entry["path"]) as member, open(target, "wb") as out:
                    shutil.copyfileobj(member, out, CHUNK)
            with transaction.atomic(using=using):
                _replace_rows(archive, plan.manifest, using)
                bump()  # every cached page and count is of the data just replaced
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(media_root, staging)


def _replace_rows(archive: zipfile.ZipFile, manifest: dict, using: str) -> None:
    connection = connections[using]
    models_by_table = {m._meta.db_table: m for m in backed_up_models()}
    tables = list(models_by_table)
    with connection.cursor() as cursor:
        empty_tables(connection, tables)
        for entry in manifest["tables"]:
            model = models_by_table[entry["table"]]
            _insert(cursor, connection, model, archive, entry["file"])
    connection.check_constraints(table_names=tables)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), list(models_by_table.values())
        ):
            cursor.execute(statement)
    ContentType.objects.clear_cache()
    for entry in manifest["tables"]:
        digest = hashlib.sha256()
        for line in _lines(models_by_table[entry["table"]], using):
            digest.update(line)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"{entry['table']} would not be restored exactly; nothing changed")
    # The full-text indexes (and anything else installed after migrate) as migrate leaves them.
    emit_post_migrate_signal(verbosity=0, interactive=False, db=using)


def empty_tables(connection: Any, tables: list[str]) -> None:
    """Delete every row of ``tables`` (PostgreSQL: TRUNCATE) inside the current transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still pending in this
            # transaction: run them now, and defer them again for the inserts to come.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _insert(
    cursor: Any, connection: Any, model: type[models.Model], archive: zipfile.ZipFile, name: str
) -> None:
    fields = _fields(model)
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from the archive.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    batch: list[list[Any]] = []
    with archive.open(name) as member:
        for raw in member:
            values = json.loads(raw)
            batch.append(
                [
                    f.get_db_prep_save(_decode(f, v), connection)
                    for f, v in zip(fields, values, strict=True)
                ]
            )
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
    if batch:
        cursor.executemany(sql, batch)


def _swap(media_root: Path, staging: Path) -> None:
    """Put the unpacked files in place of MEDIA_ROOT's, by renames."""
    replaced = Path(tempfile.mkdtemp(prefix=RESTORE_FOLDERS[1], dir=media_root))
    for child in media_root.iterdir():
        if child not in (staging, replaced):
            os.rename(child, replaced / child.name)
    for child in staging.iterdir():
        os.rename(child, media_root / child.name)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(replaced, ignore_errors=True)
