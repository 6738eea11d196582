"""Outcome price benchmarks (/insights/prices/): what outcome payers paid per outcome, by
policy area and kind of outcome, for the case list's result set.

Each price is matched to its metric (same project, same local id), whose definition was
read against a curated list of patterns when it was saved (``cases.outcome_kinds``; the
kind is stored on the metric); a definition no pattern fits stays unassigned rather than
guessed. A contract counts once in
each figure: its prices for one kind are averaged first (in USD, by the database), so that
a contract with thirty price rows weighs as much as one with a single row; least, median
and greatest are then read over those per-contract rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    F,
    OuterRef,
    QuerySet,
    Subquery,
)

from cases.models import OutcomeMetric, OutcomePricing, PolicySector
from cases.outcome_kinds import KIND_LABELS, KINDS


def _priced(projects: QuerySet) -> QuerySet:
    """Prices in USD of ``projects`` with their metric's kind of outcome (stored on the
    metric) and the project's area."""
    kind = Subquery(
        OutcomeMetric.objects.filter(
            project=OuterRef("project"), local_id__iexact=OuterRef("outcome_metric_ref")
        )
        .order_by("position")
        .values("outcome_kind")[:1]
    )
    return (
        OutcomePricing.objects.filter(
            project__in=projects.values("pk"), price_per_unit_usd__isnull=False
        )
        .annotate(kind=kind, area=F("project__policy_sector"))
        .order_by()
    )


@dataclass
class Benchmark:
    kind: str
    label: str
    contracts: int = 0
    prices: int = 0
    least: Decimal | None = None
    median: Decimal | None = None
    greatest: Decimal | None = None
    currencies: list[str] = field(default_factory=list)  # "GBP 500 – 3,000 (12 prices)"
    projects: list[tuple[str, str]] = field(default_factory=list)  # (INDIGO id, name)


@dataclass
class AreaBenchmarks:
    area: str
    label: str
    kinds: list[Benchmark] = field(default_factory=list)


SHOWN_PROJECTS = 12  # the contracts named under each figure, the rest counted


def benchmarks(projects: QuerySet) -> list[AreaBenchmarks]:
    """Benchmarks by policy area and kind of outcome for ``projects`` (published, filtered).
    One query of the prices (each with its project, area and metric's kind of outcome);
    each contract's mean price per kind, the least, median and greatest, and the prices in
    their original currencies are worked out here."""
    per_project: dict[tuple[str, str, int], list[Any]] = {}
    spans: dict[tuple[str, str, str], list[Any]] = {}
    for project_id, indigo_id, name, area, kind, usd, currency, price in (
        _priced(projects)
        .values_list(
            "project_id",
            "project__indigo_id",
            "project__name",
            "area",
            "kind",
            "price_per_unit_usd",
            "currency",
            "price_per_unit",
        )
        .iterator(chunk_size=2000)
    ):  # read a chunk at a time: the prices are not kept
        kind = kind or ""  # a price whose metric is missing
        entry = per_project.setdefault((area, kind, project_id), [indigo_id, name, Decimal(0), 0])
        entry[2] += usd
        entry[3] += 1
        if currency and price is not None:
            span = spans.setdefault((area, kind, currency), [0, price, price])
            span[0] += 1
            span[1], span[2] = min(span[1], price), max(span[2], price)
    contracts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for (area, kind, _project), (indigo_id, name, total, n) in per_project.items():
        contracts[area, kind].append(
            {
                "project__indigo_id": indigo_id,
                "project__name": name,
                "price": total / n,
                "prices": n,
            }
        )
    for rows in contracts.values():
        rows.sort(key=lambda row: (row["price"], row["project__indigo_id"]))
    currencies: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (area, kind, currency), (n, low, high) in sorted(
        spans.items(), key=lambda item: (item[0][0] or "", item[0][1], -item[1][0], item[0][2])
    ):
        text = f"{low:,.0f}" if low == high else f"{low:,.0f} – {high:,.0f}"
        currencies[area, kind].append(f"{currency} {text} ({n} price{'s' if n != 1 else ''})")
    areas: dict[str, AreaBenchmarks] = {}
    for (area, kind), rows in contracts.items():
        values = [Decimal(row["price"]) for row in rows]
        size = len(values)
        middle = values[(size - 1) // 2 : size // 2 + 1]
        benchmark = Benchmark(
            kind,
            KIND_LABELS.get(kind, kind),
            size,
            sum(row["prices"] for row in rows),
            values[0],
            sum(middle, Decimal(0)) / len(middle),
            values[-1],
            currencies[area, kind],
            sorted((row["project__indigo_id"], row["project__name"]) for row in rows)[
                :SHOWN_PROJECTS
            ],
        )
        label = dict(PolicySector.choices).get(area) or "Policy area not recorded"
        areas.setdefault(area, AreaBenchmarks(area, str(label))).kinds.append(benchmark)
    order = {str(v): i for i, v in enumerate(PolicySector.values)}
    kind_order = {key: i for i, (key, _l, _p) in enumerate(KINDS)}
    for group in areas.values():
        group.kinds.sort(key=lambda b: (b.kind == "", kind_order.get(b.kind, 99)))
    return sorted(areas.values(), key=lambda a: order.get(a.area, 99))


def csv_rows(found: list[AreaBenchmarks]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for area in found:
        for b in area.kinds:
            rows.append(
                [
                    area.label,
                    b.label,
                    b.contracts,
                    b.prices,
                    round(b.least) if b.least is not None else "",
                    round(b.median) if b.median is not None else "",
                    round(b.greatest) if b.greatest is not None else "",
                    "; ".join(b.currencies),
                    "; ".join(i for i, _n in b.projects),
                ]
            )
    return rows


CSV_HEADERS = [
    "Policy area",
    "Kind of outcome",
    "Contracts",
    "Prices",
    "Least (USD, per contract)",
    "Median (USD, per contract)",
    "Greatest (USD, per contract)",
    "In original currencies",
    f"Contracts behind the figure (first {SHOWN_PROJECTS})",
]
