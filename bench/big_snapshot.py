"""Build a big INDIGO snapshot (~50 MB of CSV by default) from the bundled 2025-05 one: every
file's rows repeated ``--copies`` times, each copy with fresh INDIGO ids (INDIGO-POJ-0001 of
copy 3 is INDIGO-POJ-300001, and so on for organisations, funds and pipeline projects).

    .venv/bin/python bench/big_snapshot.py OUT.zip                 # a valid snapshot
    .venv/bin/python bench/big_snapshot.py OUT.zip --bad           # every project row bad
    .venv/bin/python bench/big_snapshot.py OUT.zip --copies 5

``--bad`` gives every project an unknown stage, as the issue's "49 MB zip of bad rows": the
import reads and checks everything, then refuses with one error per row. The .zip is stored
uncompressed (``--deflate`` to compress), so its size is the size of the CSVs.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "indigo" / "2025-05"
INDIGO_ID = re.compile(r"INDIGO-([A-Z]+)-(\d+)")
STAGE = "Stage of Development - (Value)"


def fresh(text: str, copy: int) -> str:
    if copy == 0 or "INDIGO-" not in text:
        return text
    return INDIGO_ID.sub(lambda m: f"INDIGO-{m[1]}-{copy * 100000 + int(m[2]):04d}", text)


def build(out: Path, copies: int, bad: bool, deflate: bool) -> int:
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    total = 0
    with zipfile.ZipFile(out, "w", method) as archive:
        for path in sorted(SOURCE.glob("*.csv")):
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            header, body = rows[0], rows[1:]
            stage = header.index(STAGE) if bad and path.name == "projects.csv" else None
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(header)
            for copy in range(copies):
                for row in body:
                    row = [fresh(cell, copy) for cell in row]
                    if stage is not None:
                        row[stage] = "Imaginary"
                    writer.writerow(row)
            data = buffer.getvalue().encode("utf-8")
            total += len(data)
            archive.writestr(path.name, data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--bad", action="store_true")
    parser.add_argument("--deflate", action="store_true")
    args = parser.parse_args()
    total = build(args.out, args.copies, args.bad, args.deflate)
    print(
        f"{args.out}: {args.copies} copies of 2025-05, {total / 1e6:.1f} MB of CSV, "
        f"{args.out.stat().st_size / 1e6:.1f} MB .zip{' (bad rows)' if args.bad else ''}"
    )


if __name__ == "__main__":
    main()
