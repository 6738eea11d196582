"""Bulk downloads of all published data: the INDIGO CSV layout as a .zip (the same files as
``export_indigo``, with a README naming the date, the source and its terms) and a SQLite file
of the same data, one table per INDIGO file, with the evidence documents and an ``about``
table.

``build_downloads()`` writes them to ``MEDIA_ROOT/downloads/`` with a ``manifest.json`` that
the /downloads/ page reads (so the page runs no query). It is run by ``manage.py
build_downloads`` (after an import by ``import_indigo``, and on a schedule with
``--if-stale`` for imports and edits made in the admin), never in a web request. Each file is
written beside its final name and renamed over it, so a download in progress or a reader of
the manifest never sees half a file.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from cases.models import ImportRun, Organisation, OutcomeFund, Pipeline, Project
from common.citations import json_ld_script
from evidence.models import EvidenceDocument
from golab.indigo import export_snapshot

CSV_ZIP = "indigo-csv.zip"
SQLITE = "outcomes-knowledge-bank.sqlite3"
MANIFEST = "manifest.json"
# Columns never published, whatever a file holds (personal contact data).
PRIVATE_COLUMN_PREFIXES = ("Contact",)


@dataclass(frozen=True)
class DownloadFile:
    name: str
    title: str
    description: str
    media_type: str


FILES = [
    DownloadFile(
        CSV_ZIP,
        "All published data in the INDIGO CSV layout",
        "One CSV per INDIGO table (the files and columns GO Lab publishes, as export_indigo "
        "writes them), with a README. Re-imports with import_indigo.",
        "application/zip",
    ),
    DownloadFile(
        SQLITE,
        "All published data as a SQLite database",
        "One table per INDIGO file (columns as in the CSVs), evidence_documents with their "
        "authors, and an about table with the date, source and terms.",
        "application/vnd.sqlite3",
    ),
]
BY_NAME = {file.name: file for file in FILES}


def downloads_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "downloads"


def terms() -> str:
    return f"{settings.INDIGO_ATTRIBUTION}. {_licence()}."


def _licence() -> str:
    return settings.INDIGO_LICENCE


# ---------------------------------------------------------------------------------------------
# Building


def latest_change() -> datetime | None:
    """When the published data last changed: a record saved (published, edited, withdrawn)
    or an import run."""
    moments = [
        model.objects.aggregate(latest=Max("updated_at"))["latest"]
        for model in (Project, Organisation, OutcomeFund, Pipeline, EvidenceDocument)
    ]
    moments.append(ImportRun.objects.aggregate(latest=Max("finished_at"))["latest"])
    known = [moment for moment in moments if moment]
    return max(known) if known else None


def read_manifest() -> dict[str, Any] | None:
    try:
        manifest = json.loads((downloads_dir() / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def is_stale() -> bool:
    manifest = read_manifest()
    built = parse_datetime(manifest.get("data_as_of", "")) if manifest else None
    change = latest_change()
    return built is None or (change is not None and change > built)


def _readme(generated: datetime, counts: dict[str, int]) -> str:
    lines = [
        f"{settings.SITE_NAME}: all published data in the INDIGO CSV layout",
        "",
        f"Generated: {generated.isoformat(timespec='seconds')}",
        terms(),
        "",
        "One CSV file per table of the INDIGO data standard (UTF-8, comma-separated, a header",
        "row), with the file names and columns GO Lab publishes. Only published records are",
        "included; organisations' contact columns are always blank.",
        "",
        "Files and rows:",
        *(f"  {name}: {count} rows" for name, count in counts.items()),
        "",
    ]
    return "\n".join(lines)


def private_ids() -> set[str]:
    """INDIGO ids of the projects, organisations, funds and pipeline entries that are not
    public (drafts made in the admin, withdrawn, soft-deleted): published rows may name them,
    the downloads may not."""
    ids: set[str] = set()
    for model in (Project, Organisation, OutcomeFund, Pipeline):
        public = model.objects.published().values("pk")
        ids.update(model.objects.exclude(pk__in=public).values_list("indigo_id", flat=True))
    return ids


def redact_private_ids(folder: Path, names: list[str], private: set[str]) -> None:
    """Blank every reference to a private record in the exported CSVs (a cell may list
    several ids, "INDIGO-ORG-0171, INDIGO-ORG-1155": only the private ones go). A file with
    none is left byte for byte as exported."""
    for name in names:
        path = folder / name
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        changed = False
        for row in rows[1:]:
            for i, cell in enumerate(row):
                if "INDIGO-" in cell and any(part.strip() in private for part in cell.split(",")):
                    kept = [part.strip() for part in cell.split(",")]
                    row[i] = ", ".join(part for part in kept if part not in private)
                    changed = True
        if changed:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _write_zip(folder: Path, counts: dict[str, int], generated: datetime, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(generated, counts))
        for name in counts:
            archive.write(folder / name, arcname=name)


def _table_name(file_name: str) -> str:
    return file_name.removesuffix(".csv").replace("-", "_")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _unique(names: list[str]) -> list[str]:
    """Column names made unique for SQL: a file may repeat a header (pipelines.csv has one
    "(Source ID's)" after each value); a repeat is numbered, "(Source ID's) 2"."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return result


def _write_sqlite(folder: Path, counts: dict[str, int], generated: datetime, target: Path) -> None:
    database = sqlite3.connect(target)
    try:
        database.execute("CREATE TABLE about (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        database.executemany(
            "INSERT INTO about VALUES (?, ?)",
            [
                ("title", f"{settings.SITE_NAME}: all published data"),
                ("generated", generated.isoformat(timespec="seconds")),
                ("attribution", settings.INDIGO_ATTRIBUTION),
                ("licence", _licence()),
                ("layout", "One table per INDIGO CSV file; columns as in the files."),
            ],
        )
        for name in counts:
            with open(folder / name, encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                keep = [
                    i for i, column in enumerate(header)
                    if not column.startswith(PRIVATE_COLUMN_PREFIXES)
                ]  # fmt: skip
                columns = ", ".join(
                    f"{_quote(name)} TEXT" for name in _unique([header[i] for i in keep])
                )
                table = _quote(_table_name(name))
                database.execute(f"CREATE TABLE {table} ({columns})")
                marks = ", ".join("?" for _ in keep)
                # The table and column names are INDIGO's own file and column names, quoted;
                # every value is a parameter.
                database.executemany(
                    f"INSERT INTO {table} VALUES ({marks})",  # noqa: S608  # nosec B608
                    ([row[i] if i < len(row) else "" for i in keep] for row in reader),
                )
        _write_documents(database)
        database.commit()
    finally:
        database.close()


DOCUMENT_COLUMNS = [
    "id",
    "title",
    "authors",
    "document_type",
    "publisher",
    "publication_date",
    "abstract",
    "doi",
    "url",
    "updated_at",
]


def _write_documents(database: sqlite3.Connection) -> None:
    columns = ", ".join(
        f"{name} INTEGER PRIMARY KEY" if name == "id" else f"{name} TEXT"
        for name in DOCUMENT_COLUMNS
    )
    database.execute(f"CREATE TABLE evidence_documents ({columns})")
    documents = (
        EvidenceDocument.objects.published()
        .only(*DOCUMENT_COLUMNS[:1], *DOCUMENT_COLUMNS[2:])
        .prefetch_related("authors")
        .order_by("pk")
    )
    rows = (
        (
            document.pk,
            document.title,
            "; ".join(author.name for author in document.authors.all()),
            document.document_type,
            document.publisher,
            document.publication_date,
            document.abstract,
            document.doi,
            document.url,
            document.updated_at.isoformat(timespec="seconds"),
        )
        for document in documents.iterator(chunk_size=2000)
    )
    marks = ", ".join("?" for _ in DOCUMENT_COLUMNS)
    insert = f"INSERT INTO evidence_documents VALUES ({marks})"  # noqa: S608  # nosec B608
    database.executemany(insert, rows)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_downloads() -> dict[str, Any]:
    """Write the downloads and their manifest; return the manifest."""
    data_as_of = latest_change() or timezone.now()
    generated = timezone.now()
    target = downloads_dir()
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target) as work:
        folder = Path(work) / "csv"
        counts = export_snapshot(folder)
        redact_private_ids(folder, list(counts), private_ids())
        built = {CSV_ZIP: Path(work) / CSV_ZIP, SQLITE: Path(work) / SQLITE}
        _write_zip(folder, counts, generated, built[CSV_ZIP])
        _write_sqlite(folder, counts, generated, built[SQLITE])
        entries = []
        for file in FILES:
            path = built[file.name]
            entries.append(
                {
                    "name": file.name,
                    "size": path.stat().st_size,
                    "sha256": _sha256(path),
                }
            )
            os.replace(path, target / file.name)
    manifest = {
        "generated": generated.isoformat(),
        "data_as_of": data_as_of.isoformat(),
        "attribution": settings.INDIGO_ATTRIBUTION,
        "licence": _licence(),
        "files": entries,
        "rows": counts,
    }
    partial = target / f".{MANIFEST}.new"
    partial.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(partial, target / MANIFEST)
    return manifest


# ---------------------------------------------------------------------------------------------
# Pages


def _listing(request: HttpRequest, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    listed = []
    for entry in manifest.get("files", []):
        file = BY_NAME.get(entry.get("name"))
        if file is None:
            continue
        listed.append(
            {
                "file": file,
                "size": entry.get("size", 0),
                "sha256": entry.get("sha256", ""),
                "url": request.build_absolute_uri(f"/downloads/{file.name}"),
            }
        )
    return listed


def dataset_json_ld(request: HttpRequest, manifest: dict[str, Any], files: list[dict[str, Any]]):
    """schema.org Dataset of the downloads, for dataset search engines."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{settings.SITE_NAME}: all published data",
        "description": (
            "Case studies of social and development impact bonds and other outcomes-based "
            "contracts (projects, organisations, outcome funds, outcome metrics, prices, "
            "results, payments) in the INDIGO data standard, and the evidence documents "
            "about them."
        ),
        "url": request.build_absolute_uri(request.path),
        "creator": {
            "@type": "Organization",
            "name": "Government Outcomes Lab, University of Oxford",
        },
        "isBasedOn": "INDIGO Impact Bond Dataset",
        "license": _licence(),
        "creditText": settings.INDIGO_ATTRIBUTION,
        "dateModified": manifest.get("generated", ""),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": item["file"].title,
                "contentUrl": item["url"],
                "encodingFormat": item["file"].media_type,
                "contentSize": f"{item['size']} B",
            }
            for item in files
        ],
    }
    return json_ld_script(data)


@require_safe
def downloads_page(request: HttpRequest) -> HttpResponse:
    manifest = read_manifest() or {}
    files = _listing(request, manifest)
    context = {
        "files": files,
        "generated": parse_datetime(manifest.get("generated", "")),
        "rows": manifest.get("rows", {}),
        "licence": manifest.get("licence") or _licence(),
        "json_ld": dataset_json_ld(request, manifest, files) if files else "",
    }
    return render(request, "downloads/downloads.html", context)


@require_safe
def download_file(request: HttpRequest, name: str) -> FileResponse:
    """A download, streamed from the file the last build wrote (only files it lists)."""
    manifest = read_manifest() or {}
    if name not in BY_NAME or name not in {e.get("name") for e in manifest.get("files", [])}:
        raise Http404("No such download")
    try:
        handle = open(downloads_dir() / name, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404("No such download") from None
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=BY_NAME[name].media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
