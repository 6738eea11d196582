"""Writing INDIGO files: the CSV of a table, as the source publishes it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import partial

from django.db import models

from cases.indigo.layout import Table


def write_table(table: Table, rows: Iterable[tuple[str, models.Model]], out: io.TextIOBase) -> int:
    """Write ``(owner id, record)`` pairs as the table's CSV; return the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    count = 0
    for owner_id, obj in rows:
        writer.writerow(table.write_row(partial(getattr, obj), owner_id))
        count += 1
    return count
