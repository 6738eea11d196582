"""Downloads of a list's results (the rows a search page finds, with its parameters) as CSV,
XLSX or JSON: streamed in constant memory whatever the number of rows, safe to open in a
spreadsheet, and carrying the data's attribution and licence.

- CSV: UTF-8 with a byte-order mark (so that spreadsheets read it as UTF-8), one header row.
- XLSX: XlsxWriter in ``constant_memory`` mode (each row is flushed to disk as written), cells
  typed (numbers as numbers, text never read as a formula), a second sheet "About" with the
  attribution, licence and search; the finished file is streamed from a temporary file.
- JSON: ``{"attribution", "licence", "count", "results": [...]}`` written row by row.

Text that a spreadsheet would run as a formula is neutralised by ``neutralise()`` in CSV and
XLSX (JSON is data, not cells, and is written exactly).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import batched
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.urls import reverse

FORMATS = ("csv", "xlsx", "json")
FORMAT_PATTERN = "csv|xlsx|json"  # for the URL patterns of download views
CHUNK = 1000  # rows read from the database at a time
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: Any) -> Any:
    """A cell as a spreadsheet may read it without running it: text starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, unless it is a
    number (``-12.5``). Anything but text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """A column of a download: its name (the header, and the key in JSON) and its value."""

    name: str
    value: Callable[[Any], Any]
    attribute: str = ""  # the model field it shows, if it shows one
    url: bool = False  # a path on this site, written as an absolute URL


def field(name: str, attribute: str | None = None) -> Column:
    """A column holding a model attribute (``attribute``, or the column's name)."""
    attribute = attribute or name
    return Column(name, lambda row: getattr(row, attribute), attribute)


def fields_of(columns: list[Column], *more: str) -> list[str]:
    """The model fields the columns show (and ``more``): a download reads only those, so a
    chunk of rows stays small."""
    return [c.attribute for c in columns if c.attribute and c.attribute != "pk"] + list(more)


def rows_of(
    queryset: QuerySet, decorate: Callable[[list[Any]], None] | None = None
) -> Iterator[Any]:
    """The queryset's rows, read ``CHUNK`` at a time (with their prefetches, and ``decorate``
    run on each chunk), so that memory does not grow with the number of rows."""
    for chunk in batched(queryset.iterator(chunk_size=CHUNK), CHUNK):
        rows = list(chunk)
        if decorate:
            decorate(rows)
        yield from rows


def _text(value: Any) -> Any:
    """A value as a CSV cell: nothing for none, yes/no, a list joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


class _Line:
    """What ``csv.writer`` writes to: it hands the line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(rows: Iterable[Any], columns: list[Column]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield codecs.BOM_UTF8 + writer.writerow([c.name for c in columns]).encode()
    for batch in batched(rows, 200):
        lines = (writer.writerow([neutralise(_text(c.value(r))) for c in columns]) for r in batch)
        yield "".join(lines).encode()


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def json_chunks(rows: Iterable[Any], columns: list[Column], count: int) -> Iterator[bytes]:
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    head = {
        "attribution": settings.INDIGO_ATTRIBUTION,
        "licence": settings.INDIGO_LICENCE,
        "count": count,
    }
    yield (encoder.encode(head)[:-1] + ', "results": [').encode()
    separator = "\n"
    for row in rows:
        record = {c.name: _json_value(c.value(row)) for c in columns}
        yield (separator + encoder.encode(record)).encode()
        separator = ",\n"
    yield b"\n]}\n"


def xlsx_file(rows: Iterable[Any], columns: list[Column], about: list[tuple[str, str]]) -> Any:
    """The rows as an .xlsx workbook in a temporary file (deleted when closed)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Results")
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.name, bold)
    for number, row in enumerate(rows, 1):
        for col, column in enumerate(columns):
            value = _text(column.value(row))
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sheet.write_number(number, col, float(value))
            elif value != "":
                sheet.write_string(number, col, str(neutralise(value)))
    notes = workbook.add_worksheet("About")
    for number, (label, text) in enumerate(about):
        notes.write_string(number, 0, label, bold)
        notes.write_string(number, 1, str(neutralise(text)))
    workbook.close()
    handle.seek(0)
    return handle


def _absolute(request: HttpRequest, column: Column) -> Column:
    def value(row: Any) -> str:
        return request.build_absolute_uri(column.value(row))

    return replace(column, value=value)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def download(
    request: HttpRequest,
    fmt: str,
    queryset: QuerySet,
    columns: list[Column],
    *,
    name: str,
    decorate: Callable[[list[Any]], None] | None = None,
) -> StreamingHttpResponse | FileResponse:
    """The response of a download view: ``queryset`` (filtered and sorted as the page
    found it) in format ``fmt``, as the attachment ``<name>.<fmt>``."""
    if fmt not in FORMATS:
        raise Http404("Download as .csv, .xlsx or .json")
    rows = rows_of(queryset, decorate)
    columns = [_absolute(request, c) if c.url else c for c in columns]
    filename = f"{name}.{fmt}"
    response: StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        about = [
            ("Source", settings.INDIGO_ATTRIBUTION),
            ("Licence", settings.INDIGO_LICENCE),
            ("Search", request.build_absolute_uri()),
            ("Downloaded", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ]
        response = FileResponse(
            xlsx_file(rows, columns, about),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES[fmt],
        )
    else:
        body = (
            csv_chunks(rows, columns)
            if fmt == "csv"
            else json_chunks(rows, columns, queryset.count())
        )
        response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Data-Attribution"] = settings.INDIGO_ATTRIBUTION
    response["X-Data-Licence"] = settings.INDIGO_LICENCE
    return response


# Which downloads each search page offers: its URL name -> (label, download URL name taking
# ``fmt``) pairs and the API list's URL name. Each app registers its own (in its views).
OFFERS: dict[str, tuple[list[tuple[str, str]], str]] = {}


def offer_downloads(page: str, downloads: list[tuple[str, str]], api: str = "") -> None:
    OFFERS[page] = (downloads, api)


def download_links(request: HttpRequest) -> dict[str, Any] | None:
    """The links a search page offers to its results: each download in each format, and the
    API, all with the page's parameters (less the page number and size); None when the page
    offers none."""
    match = request.resolver_match
    offer = OFFERS.get(match.view_name) if match else None
    if offer is None:
        return None
    downloads, api = offer
    params = request.GET.copy()
    for name in ("page", "per_page"):
        params.pop(name, None)
    query = f"?{params.urlencode()}" if params else ""
    return {
        "files": [
            {
                "label": label,
                "formats": [
                    {"name": fmt.upper(), "url": reverse(url_name, args=[fmt]) + query}
                    for fmt in FORMATS
                ],
            }
            for label, url_name in downloads
        ],
        "api": reverse(api) + query if api else "",
    }
