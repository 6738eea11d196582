"""Reading an INDIGO snapshot: its CSV files (a folder or a ``.zip``), then each file, row by
row, into rows of typed model values, with every problem located as file, row and column."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import models

from cases.indigo.layout import CellError, Column, Table, header_keys


@dataclass
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class Problems(list[Problem]):
    """A list of problems that keeps the first ``cap`` and counts them all (``total``): a
    snapshot with a bad value in each of its 300,000 rows is reported in bounded memory."""

    def __init__(self, items: Iterable[Problem] = (), cap: int = 1000) -> None:
        super().__init__()
        self.cap = cap
        self.total = 0
        self.extend(items)

    def append(self, problem: Problem) -> None:
        self.total += 1
        if len(self) < self.cap:
            super().append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)


class Snapshot:
    """The CSV files of an INDIGO snapshot, from a folder or a ``.zip``, read into memory."""

    MAX_FILE = 50 * 1024 * 1024
    MAX_TOTAL = 500 * 1024 * 1024

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.texts: dict[str, str] = {}
        self.problems: list[Problem] = []
        # Columns a file has that its INDIGO table does not: ignored, and named in the summary.
        self.unknown_columns: dict[str, list[str]] = {}
        self._load()

    @property
    def name(self) -> str:
        return self.path.name

    def _load(self) -> None:
        if self.path.is_dir():
            for child in sorted(self.path.glob("*.csv")):
                if child.stat().st_size > self.MAX_FILE:
                    self.problems.append(Problem(child.name, 0, "-", "file is larger than 50 MB"))
                    continue
                self._add_file(child)
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            self._load_zip()
        else:
            self.problems.append(
                Problem(
                    str(self.path), 0, "-", "not a folder of INDIGO CSV files or a .zip of them"
                )
            )
            return
        if not self.texts and not self.problems:
            self.problems.append(Problem(self.name, 0, "-", "holds no CSV files"))

    def _load_zip(self) -> None:
        """Read the CSVs of a .zip. A damaged archive (truncated, a bad CRC, an unknown
        compression, encrypted) is a problem to report, never a traceback."""
        name = self.name
        try:
            with zipfile.ZipFile(self.path) as archive:
                total = 0
                for info in archive.infolist():
                    name = Path(info.filename).name
                    if info.is_dir() or not name.endswith(".csv") or name.startswith("."):
                        continue
                    total += info.file_size
                    if info.file_size > self.MAX_FILE or total > self.MAX_TOTAL:
                        self.problems.append(Problem(name, 0, "-", "uncompressed size too large"))
                        return
                    self._add_member(archive, info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as exc:
            self.texts.clear()
            self.problems.append(
                Problem(name, 0, "-", f"the .zip is damaged or unreadable ({exc})")
            )
        except NotImplementedError as exc:
            self.texts.clear()
            self.problems.append(Problem(name, 0, "-", f"the .zip cannot be read here ({exc})"))

    def _add_file(self, path: Path) -> None:
        """Take one CSV file of a folder (a subclass may check it without keeping its text)."""
        self._decode(path.name, path.read_bytes())

    def _add_member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Take one CSV member of a .zip."""
        self._decode(Path(info.filename).name, archive.read(info))

    def _decode(self, name: str, data: bytes) -> None:
        try:
            self.texts[name] = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problems.append(Problem(name, 0, "-", f"not UTF-8 text (byte {exc.start})"))

    def open_text(self, name: str) -> IO[str] | None:
        """The text of a file, to read as a stream; None if the snapshot has no such file."""
        text = self.texts.get(name)
        return None if text is None else io.StringIO(text, newline="")

    def rows(self, table: Table) -> Iterable[tuple[int, dict[str, str]]]:
        """Yield (row number, cells) with the header as row 1; report layout problems."""
        stream = self.open_text(table.file)
        if stream is None:
            return
        with stream:
            yield from self._rows(table, csv.reader(stream))

    def _rows(self, table: Table, reader: Any) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            self.problems.append(Problem(table.file, 1, "-", "file is empty (no header row)"))
            return
        except csv.Error as exc:
            self.problems.append(Problem(table.file, 1, "-", f"not valid CSV: {exc}"))
            return
        # A header used more than once is told apart by its place among its namesakes.
        keys = header_keys(header)
        known = set(table.keys)
        extra = [h for h, key in zip(header, keys, strict=True) if h and key not in known]
        if extra:
            self.unknown_columns[table.file] = extra
        present = set(keys)
        missing = [c for c in table.columns if c.key not in present and not c.optional]
        for column in missing:
            self.problems.append(Problem(table.file, 1, table.label(column), "column is missing"))
        if missing:
            return
        # Optional columns the file lacks (an older snapshot) read as blank cells.
        absent = {c.key: "" for c in table.columns if c.key not in present}
        try:
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    self.problems.append(
                        Problem(
                            table.file,
                            number,
                            "-",
                            f"has {len(cells)} cells, header has {len(header)}",
                        )
                    )
                    continue
                yield number, {**absent, **dict(zip(keys, cells, strict=True))}
        except csv.Error as exc:
            self.problems.append(Problem(table.file, reader.line_num, "-", f"not valid CSV: {exc}"))


# ---------------------------------------------------------------------------------------------
# Parsing a snapshot into rows of model values


@dataclass
class ParsedRow:
    row: int  # row number in the file (header = 1)
    owner: str  # the record's own INDIGO id, or its owner's
    values: dict[str, Any]  # model attribute -> value
    cells: dict[str, str]  # column field -> cell as export writes it (the import baseline)
    position: int = 0


@dataclass
class ParsedTable:
    table: Table
    rows: list[ParsedRow]
    # Ids of rows that had an error: already reported, so not reported again as unknown.
    failed: set[str] = field(default_factory=set)


@dataclass
class Report:
    """Everything an import found: errors stop it, warnings do not."""

    errors: list[Problem] = field(default_factory=Problems)
    warnings: list[Problem] = field(default_factory=lambda: Problems(cap=5000))


def parse_table(snapshot: Snapshot, table: Table, report: Report) -> ParsedTable:
    failed: set[str] = set()
    rows = list(parse_rows(snapshot, table, report, failed))
    return ParsedTable(table, rows, failed)


def parse_rows(
    snapshot: Snapshot, table: Table, report: Report, failed: set[str] | None = None
) -> Iterator[ParsedRow]:
    """Parse a file row by row: yield its good rows; report the bad ones (their ids go to
    ``failed``). Only the file's ids and per-owner counts are kept between rows."""
    if failed is None:
        failed = set()
    seen: dict[str, int] = {}
    positions: dict[str, int] = {}
    limits = {
        f.attname: f.max_length
        for f in table.model._meta.concrete_fields
        if isinstance(f, models.CharField) and f.max_length
    }
    stored = table.stored_columns()
    for number, cells in snapshot.rows(table):
        values: dict[str, Any] = {}
        owner = ""
        ok = True
        for column in table.columns:
            raw = cells[column.key]

            def warn(message: str, column: Column = column, number: int = number) -> None:
                report.warnings.append(Problem(table.file, number, table.label(column), message))

            try:
                if column.is_id:
                    owner = column.kind.read(raw, warn)
                    values["indigo_id"] = owner
                elif column.is_parent:
                    owner = column.kind.read(raw, warn)
                else:
                    values.update(column.read(raw, warn))
            except CellError as exc:
                report.errors.append(Problem(table.file, number, table.label(column), str(exc)))
                ok = False
        for column in stored:
            for attr in column.model_fields():
                limit = limits.get(attr)
                if limit and isinstance(values.get(attr), str) and len(values[attr]) > limit:
                    report.errors.append(
                        Problem(
                            table.file,
                            number,
                            table.label(column),
                            f"longer than {limit} characters",
                        )
                    )
                    ok = False
        if not ok:
            failed.add(owner)
            continue
        if table.is_record:
            if owner in seen:
                report.errors.append(
                    Problem(
                        table.file,
                        number,
                        table.key_column.header,
                        f"{owner} appears twice (also row {seen[owner]})",
                    )
                )
                continue
            seen[owner] = number
        position = positions.get(owner, 0)
        positions[owner] = position + 1
        row_cells = {c.field: c.write(values.get) for c in stored}
        yield ParsedRow(number, owner, values, row_cells, position)
