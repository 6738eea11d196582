"""Issue 12, item 4: the export reproduces every numeric cell of the snapshot it imported,
to the last digit (USD amounts were rounded to 4 decimals: 76 cells in 2025-05)."""

from __future__ import annotations

import csv

import pytest

from cases.indigo.layout import AsWritten, Number
from golab.indigo import ALL_TABLES, export_snapshot
from tests.conftest import SNAPSHOT_2025, read_csv

pytestmark = pytest.mark.django_db


def test_every_numeric_cell_comes_back_exactly(indigo_2025, tmp_path):
    export_snapshot(tmp_path)
    checked, different = 0, []
    for table in ALL_TABLES:
        numeric = [
            c.header
            for c in table.columns
            if isinstance(c.kind.kind if isinstance(c.kind, AsWritten) else c.kind, Number)
        ]
        _header, given = read_csv(SNAPSHOT_2025 / table.file)
        _header, written = read_csv(tmp_path / table.file)
        assert len(given) == len(written), table.file
        for row, (before, after) in enumerate(zip(given, written, strict=True), start=2):
            for header in numeric:
                if before[header].strip():
                    checked += 1
                    if before[header].strip() != after[header]:
                        different.append(f"{table.file}:{row}:{header}: {before[header]!r}")
    assert checked > 3000  # the real data's numbers, not a handful
    assert not different, f"{len(different)} cells differ, e.g.:\n" + "\n".join(different[:10])


def _cells(path) -> tuple[list[str], list[list[str]]]:
    # csv.reader, not DictReader: pipelines.csv repeats headers ("(Notes)" seven times).
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def test_pipelines_csv_comes_back_cell_for_cell(indigo_2025, tmp_path):
    """Issue 12, item 13: pipelines.csv, repeated headers included, every cell as given
    (trimmed, as every INDIGO cell this site reads), text-only values too."""
    export_snapshot(tmp_path)

    given_header, given = _cells(SNAPSHOT_2025 / "pipelines.csv")
    written_header, written = _cells(tmp_path / "pipelines.csv")

    assert written_header == given_header
    assert given_header.count("(Notes)") == 7 and given_header.count("(Source ID's)") == 7
    assert len(written) == len(given) == 132
    different = [
        f"{row[0]}: column {i + 1} {given_header[i]}: {a!r} → {b!r}"
        for row, out in zip(given, written, strict=True)
        for i, (a, b) in enumerate(zip(row, out, strict=True))
        if a.replace("\r\n", "\n").strip() != b
    ]
    assert not different, f"{len(different)} cells differ, e.g.:\n" + "\n".join(different[:10])
    assert sum(1 for row in given for cell in row if cell.strip()) > 5000
