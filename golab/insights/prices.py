"""Outcome price benchmarks (/insights/prices/): what outcome payers paid per outcome, by
policy area and kind of outcome, for the case list's result set.

Each price is matched to its metric (same project, same local id) and the metric's
definition to a kind of outcome by a curated list of patterns, in the database; a
definition no pattern fits stays unassigned rather than guessed. A contract counts once in
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
    Avg,
    Case,
    CharField,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from cases.models import OutcomeMetric, OutcomePricing, PolicySector

# Kinds of outcome, the first pattern that matches a metric's definition wins (case is
# ignored; patterns are plain alternations that PostgreSQL and SQLite read alike).
KINDS: list[tuple[str, str, str]] = [
    (
        "sustained-employment",
        "Sustained employment",
        r"(job|employ|work)[^.]*(sustain|retention|retain|[0-9]+ ?(weeks|months))"
        r"|(sustain|retention|[0-9]+ ?(weeks|months))[^.]*(job|employ|work)",
    ),
    (
        "job-entry",
        "Entry into employment",
        r"(entry|entering|start|into|gain|finds)[^.]*(job|employ|work)|job (entr|placement)",
    ),
    (
        "accommodation-sustained",
        "Accommodation sustained",
        r"(accommodation|accomodation|tenanc|housing|housed)[^.]*(sustain|[0-9]+ ?(weeks|months))"
        r"|(sustain)[^.]*(accommodation|accomodation|tenanc|housing)",
    ),
    (
        "accommodation-entry",
        "Entry into accommodation",
        r"accommodation|accomodation|tenanc|housing|housed|homeless",
    ),
    (
        "reduced-reoffending",
        "Reduced reoffending",
        r"reoffend|re-offend|reconvict|re-convict|recidiv|re-incarcerat|reincarcerat|convictions",
    ),
    (
        "school-attainment",
        "Education: attainment and qualifications",
        r"qualification|attainment|exam|gcse|key stage|literacy|numeracy|learning gain"
        r"|test result|educational completion|basic skills|english (for|as a)",
    ),
    (
        "school-attendance",
        "Education: attendance, behaviour and staying in school",
        r"attendance|truan|enrolled in (high )?school|school enrol|out-of-school"
        r"|school behaviour|attitude to school",
    ),
    (
        "care-avoided",
        "Children kept out of care",
        r"care placement|in care|out-of-home|foster|placement days|edge of care",
    ),
    (
        "health-improved",
        "Health improved",
        r"health|diabet|hba1c|blood pressure|hospital|wellbeing|well being|depress|dementia"
        r"|cured|into (drug|alcohol) treatment|viral load",
    ),
    (
        "engagement",
        "Engagement and assessment",
        r"engage|assessment|initial plan|enrolment in programme",
    ),
]
KIND_LABELS = {key: label for key, label, _pattern in KINDS} | {"": "Not assigned"}


def outcome_kind(definition: str = "definition") -> Case:
    """The kind of outcome of a metric's definition (the column ``definition``), or ''."""
    return Case(
        *(
            When(**{f"{definition}__iregex": pattern}, then=Value(key))
            for key, _l, pattern in KINDS
        ),
        default=Value(""),
        output_field=CharField(),
    )


def _priced(projects: QuerySet) -> QuerySet:
    """Prices in USD of ``projects`` with their metric's kind and the project's area."""
    definition = Subquery(
        OutcomeMetric.objects.filter(
            project=OuterRef("project"), local_id__iexact=OuterRef("outcome_metric_ref")
        )
        .order_by("position")
        .values("definition")[:1]
    )
    return (
        OutcomePricing.objects.filter(
            project__in=projects.values("pk"), price_per_unit_usd__isnull=False
        )
        .annotate(definition=definition)
        .annotate(kind=outcome_kind(), area=F("project__policy_sector"))
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
    Two queries: each contract's mean price per kind (one row per contract and kind,
    aggregated by the database; the least, median and greatest are read from these rows,
    which come sorted), and the prices in their original currencies."""
    priced = _priced(projects)
    per_contract = (
        priced.values("area", "kind", "project", "project__indigo_id", "project__name")
        .annotate(price=Avg("price_per_unit_usd"), prices=Count("pk"))
        .order_by("area", "kind", "price", "project__indigo_id")
    )
    contracts: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in per_contract:
        contracts[row["area"], row["kind"]].append(row)
    currencies: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in (
        priced.exclude(currency="")
        .filter(price_per_unit__isnull=False)
        .values("area", "kind", "currency")
        .annotate(n=Count("pk"), low=Min("price_per_unit"), high=Max("price_per_unit"))
        .order_by("area", "kind", "-n", "currency")
    ):
        low, high = row["low"], row["high"]
        span = f"{low:,.0f}" if low == high else f"{low:,.0f} – {high:,.0f}"
        currencies[row["area"], row["kind"]].append(
            f"{row['currency']} {span} ({row['n']} price{'s' if row['n'] != 1 else ''})"
        )
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
