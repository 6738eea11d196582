"""The dashboard's figures: aggregates over a population of published projects (the case
list's result set), each turned into a chart panel (SVG, a sentence, a table, a CSV).

Queries, for any number of projects: one for counts and capital by launch year and policy
area; one for the totals (and the counts, least and greatest value of each distribution);
one per distribution for its quartiles (a window function picks the rows at the quartiles'
ranks); one for countries; one for outcome payers by type.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Replace, RowNumber, Substr, Trim
from django.utils.safestring import SafeString
from django_countries import countries

from cases.filters import PIPELINE_SECTORS, _pipeline_country_rows, has_country
from cases.models import (
    DeliveryLocation,
    Organisation,
    OutcomeMetric,
    Pipeline,
    PolicySector,
    ProjectParty,
    Result,
    ResultType,
    capital_aggregates,
)
from common import charts
from common.charts import Spread
from common.facets import NOT_RECORDED
from common.models import PublicationStatus
from golab.insights import world


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]  # as the CSV gives them
    numeric: set[int] = field(default_factory=set)  # columns of numbers (right-aligned)

    def shown(self) -> list[list[tuple[str, bool]]]:
        """Each cell as the page shows it (numbers grouped), and whether it is a number."""
        return [
            [
                (_shown(cell) if i in self.numeric else str(cell), i in self.numeric)
                for i, cell in enumerate(row)
            ]
            for row in self.rows
        ]


def _shown(value: Any) -> str:
    """A number grouped by thousands (a whole one without decimals), anything else as is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


@dataclass
class Panel:
    """One chart of the dashboard: title, what it shows in a sentence, the SVG (none when
    there is nothing to draw), the same figures as a table, and notes on what is left out."""

    slug: str
    title: str
    summary: str
    table: Table
    svgs: list[SafeString] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    csv_url: str = ""  # set by the view, with the page's parameters


AREA_LABELS: dict[str, str] = {
    **{str(value): str(label) for value, label in PolicySector.choices},
    "": "Not recorded",
}
AREA_ORDER = [str(value) for value in PolicySector.values] + [""]
AREA_COLOURS = dict(zip(AREA_ORDER, [*charts.PALETTE, charts.NOT_RECORDED_COLOUR], strict=True))


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# ---------------------------------------------------------------------------------------------
# Service duration, in months: as stated, or else between the start and end of service when
# both give a month (actual end, else anticipated).

_MONTHS = r"^[0-9]+(\.[0-9]+)?$"
_YEAR_MONTH = r"^[0-9]{4}-[0-9]{2}"


def _month_number(column: str) -> Any:
    year = Cast(Substr(column, 1, 4), IntegerField())
    month = Cast(Substr(column, 6, 2), IntegerField())
    return year * 12 + month


def _between(end: str) -> Any:
    return Cast(_month_number(end) - _month_number("service_start"), FloatField())


def _dated(end: str) -> Q:
    return Q(service_start__regex=_YEAR_MONTH, **{f"{end}__regex": _YEAR_MONTH})


DURATION_MONTHS = Case(
    When(
        actual_service_duration__regex=_MONTHS,
        then=Cast("actual_service_duration", FloatField()),
    ),
    When(_dated("actual_service_end"), then=_between("actual_service_end")),
    When(
        anticipated_service_duration__regex=_MONTHS,
        then=Cast("anticipated_service_duration", FloatField()),
    ),
    When(_dated("anticipated_service_end"), then=_between("anticipated_service_end")),
    default=Value(None),
    output_field=FloatField(),
)

# The distributions: (key, the value per project, the label, the unit, on a log scale?)
DISTRIBUTIONS: list[tuple[str, Any, str, str, bool]] = [
    ("capital", F("capital_usd"), "Capital raised (USD, exact figures)", "USD", True),
    ("users", F("service_users_targeted"), "Service users targeted", "", True),
    ("duration", DURATION_MONTHS, "Duration of service (months)", "", False),
]


def _measured(key: str) -> Q:
    """The project has a usable value of distribution ``key``."""
    return Q(**{f"d_{key}__isnull": False, f"d_{key}__gte": 0})


def _with_measures(projects: QuerySet) -> QuerySet:
    return projects.annotate(**{f"d_{key}": value for key, value, *_rest in DISTRIBUTIONS})


def quartiles(projects: QuerySet, key: str, count: int, low: float, high: float) -> Spread:
    """The five-number summary of distribution ``key`` over ``count`` values from ``low`` to
    ``high``: quartiles interpolated between ranks as numpy does by default, the values at
    the ranks read in one query."""
    positions = {q: q * (count - 1) for q in (0.25, 0.5, 0.75)}
    ranks = {r + 1 for p in positions.values() for r in (math.floor(p), math.ceil(p))}
    column = f"d_{key}"
    rows = dict(
        _with_measures(projects)
        .filter(_measured(key))
        .annotate(rank=Window(RowNumber(), order_by=[F(column).asc(), F("pk").asc()]))
        .filter(rank__in=sorted(ranks))
        .values_list("rank", column)
    )

    def at(p: float) -> float:
        lower, upper = float(rows[math.floor(p) + 1]), float(rows[math.ceil(p) + 1])
        return lower + (upper - lower) * (p - math.floor(p))

    return Spread(count, low, at(positions[0.25]), at(positions[0.5]), at(positions[0.75]), high)


# ---------------------------------------------------------------------------------------------
# The dashboard


@dataclass
class Dashboard:
    totals: dict[str, Any]
    panels: list[Panel]
    countries: dict[str, str] = field(default_factory=dict)  # code → name, where delivered

    def panel(self, slug: str) -> Panel | None:
        return next((p for p in self.panels if p.slug == slug), None)


def dashboard(
    projects: QuerySet, chosen_countries: set[str] | frozenset[str] = frozenset()
) -> Dashboard:
    """Every panel for ``projects`` (published, filtered; any order); the pipeline's in the
    ``chosen_countries`` (all when none)."""
    projects = projects.order_by()
    aggregates: dict[str, Any] = {
        "projects": Count("pk"),
        "with_results": Count("pk", filter=Q(has_results=True)),
        "no_launch_year": Count("pk", filter=Q(launch_year__isnull=True)),
        **capital_aggregates(),
    }
    for key, *_rest in DISTRIBUTIONS:
        measured = _measured(key)
        aggregates[f"{key}_count"] = Count("pk", filter=measured)
        aggregates[f"{key}_min"] = Min(f"d_{key}", filter=measured)
        aggregates[f"{key}_max"] = Max(f"d_{key}", filter=measured)
    totals = _with_measures(projects).aggregate(**aggregates)
    by_year = list(
        projects.values_list("launch_year", "policy_sector").annotate(
            n=Count("pk"), capital=Sum("capital_usd"), capital_n=Count("capital_usd")
        )
    )
    where = country_rows(projects)
    panels = [
        launches_panel(by_year, totals),
        capital_panel(by_year, totals),
        countries_panel(where),
        distributions_panel(projects, totals),
        payers_panel(projects),
        results_panel(totals),
        did_it_work_panel(projects),
        *pipeline_panels(chosen_countries),
    ]
    names = {code: countries.name(code) or code for code, *_rest in where}
    return Dashboard(totals, panels, names)


def _years(by_year: list[tuple[Any, ...]]) -> list[int]:
    found = [row[0] for row in by_year if row[0] is not None]
    return list(range(min(found), max(found) + 1)) if found else []


def launches_panel(by_year: list[tuple[Any, ...]], totals: dict[str, Any]) -> Panel:
    years = _years(by_year)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for year, area, n, _capital, _capital_n in by_year:
        if year is not None:
            counts[year, area or ""] += n
    areas = [a for a in AREA_ORDER if any(counts[y, a] for y in years)]
    dated = sum(counts.values())
    table = Table(
        ["Year", *(AREA_LABELS[a] for a in areas), "Total"],
        [[y, *(counts[y, a] for a in areas), sum(counts[y, a] for a in areas)] for y in years],
        set(range(1, len(areas) + 2)),
    )
    panel = Panel(
        "launches",
        "Projects launched per year, by policy area",
        (
            f"How many of these {_plural(totals['projects'], 'project')} launched each year"
            f" ({years[0]}–{years[-1]}), each year's bar divided by policy area."
            if years
            else "No project here records a launch year."
        ),
        table,
    )
    if years:
        series = [(AREA_LABELS[a], [counts[y, a] for y in years]) for a in areas]
        panel.svgs.append(
            charts.stacked_bars(
                "chart-launches",
                panel.title,
                f"{_plural(dated, 'project')} with a launch year, {years[0]} to {years[-1]}. "
                "The table beside the chart gives every figure.",
                [str(y) for y in years],
                series,
                colours=[AREA_COLOURS[a] for a in areas],
            )
        )
    if totals["no_launch_year"]:
        panel.notes.append(
            f"{_plural(totals['no_launch_year'], 'project')} with no launch year "
            f"{'is' if totals['no_launch_year'] == 1 else 'are'} not shown."
        )
    panel.notes.append("A launch year is the year service started, or else contracts signed.")
    return panel


def capital_panel(by_year: list[tuple[Any, ...]], totals: dict[str, Any]) -> Panel:
    years = _years(by_year)
    capital: dict[int, Decimal] = defaultdict(Decimal)
    given: dict[int, int] = defaultdict(int)
    for year, _area, _n, amount, amount_n in by_year:
        if year is not None:
            capital[year] += amount or 0
            given[year] += amount_n
    running, cumulative = Decimal(0), []
    for year in years:
        running += capital[year]
        cumulative.append(running)
    table = Table(
        ["Year", "Projects giving an exact figure", "Capital raised (USD)", "Cumulative (USD)"],
        [
            [y, given[y], round(capital[y]), round(total)]
            for y, total in zip(years, cumulative, strict=True)
        ],
        {1, 2, 3},
    )
    total = cumulative[-1] if cumulative else Decimal(0)
    panel = Panel(
        "capital",
        "Capital raised, cumulative (USD)",
        (
            f"The capital these projects raised, added up year by year of launch: "
            f"USD {charts.short_number(total)} by {years[-1]}."
            if years
            else "No project here records a launch year."
        ),
        table,
    )
    if years:
        panel.svgs.append(
            charts.cumulative_line(
                "chart-capital",
                panel.title,
                f"Running total of capital raised in USD by year of launch, {years[0]} to "
                f"{years[-1]}, reaching USD {charts.short_number(total)}.",
                [str(y) for y in years],
                cumulative,
                unit="USD",
            )
        )
    dated_exact = sum(given.values())
    panel.notes.append(
        f"Sums exact figures in USD of {_plural(dated_exact, 'project')} with a launch year."
    )
    if totals["capital_range_count"]:
        panel.notes.append(
            f"{_plural(totals['capital_range_count'], 'project')} give only a range and "
            f"{'is' if totals['capital_range_count'] == 1 else 'are'} not included."
        )
    return panel


def country_rows(projects: QuerySet) -> list[tuple[str, int, Decimal | None, int]]:
    """(country code, projects, capital raised in USD of those with an exact figure, how
    many of them give one), most projects first. A project delivered in several places of
    one country counts once there; one delivered in two countries counts in each."""
    first_in_country = ~Exists(
        DeliveryLocation.objects.filter(
            project=OuterRef("project"), country=OuterRef("country"), pk__lt=OuterRef("pk")
        )
    )
    return list(
        DeliveryLocation.objects.filter(project__in=projects.values("pk"))
        .exclude(country="")
        .filter(first_in_country)
        .order_by()
        .values_list("country")
        .annotate(
            n=Count("project"),
            capital=Sum("project__capital_usd"),
            capital_n=Count("project__capital_usd"),
        )
        .order_by("-n", "country")
    )


def countries_panel(rows: list[tuple[str, int, Decimal | None, int]]) -> Panel:
    table = Table(
        ["Country", "Projects", "Capital raised (USD)", "Projects giving an exact figure"],
        [
            [countries.name(code) or code, n, round(capital) if capital is not None else "", k]
            for code, n, capital, k in rows
        ],
        {1, 2, 3},
    )
    panel = Panel(
        "countries",
        "Projects and capital by country",
        (
            f"Where these projects are delivered: {_plural(len(rows), 'country', 'countries')},"
            f" the most in {countries.name(rows[0][0]) or rows[0][0]} ({rows[0][1]:,})."
            if rows
            else "No project here records a country."
        ),
        table,
    )
    if rows:
        counts = {code: n for code, n, _c, _k in rows}
        shapes = world.shapes()
        panel.svgs.append(
            charts.choropleth(
                "chart-countries",
                "Map: projects by country",
                "A world map shaded by the number of projects delivered in each country; "
                "darker means more. The table beside the map gives every figure.",
                shapes,
                counts,
                view_box=world.VIEW_BOX,
                label=lambda name, n: f"{name}: {_plural(int(n), 'project')}",
            )
        )
        unmapped = sorted(set(counts) - set(shapes))
        if unmapped:
            names = ", ".join(countries.name(code) or code for code in unmapped)
            panel.notes.append(f"Too small to show at this scale (see the table): {names}.")
    panel.notes.append(
        "Capital sums exact figures in USD; a project delivered in several countries counts "
        "in each."
    )
    return panel


def distributions_panel(projects: QuerySet, totals: dict[str, Any]) -> Panel:
    table = Table(
        ["Measure", "Projects with a figure", "Least", "Lower quartile", "Median"]
        + ["Upper quartile", "Greatest"],
        [],
        {1, 2, 3, 4, 5, 6},
    )
    panel = Panel(
        "distributions",
        "How large and how long",
        "The spread of capital raised, service users targeted and duration of service: "
        "the box holds the middle half of projects, the thick line is the median, the "
        "whiskers reach the least and greatest values.",
        table,
    )
    for key, _value, label, unit, log in DISTRIBUTIONS:
        count = totals[f"{key}_count"]
        if not count:
            table.rows.append([label, 0, "", "", "", "", ""])
            continue
        spread = quartiles(
            projects, key, count, float(totals[f"{key}_min"]), float(totals[f"{key}_max"])
        )
        figures = (
            spread.minimum,
            spread.lower_quartile,
            spread.median,
            spread.upper_quartile,
            spread.maximum,
        )
        table.rows.append([label, count, *(round(v, 1) for v in figures)])
        panel.svgs.append(
            charts.box_plot(
                f"chart-{key}",
                label,
                f"{_plural(count, 'project')}: median {charts.short_number(spread.median)}, "
                f"middle half from {charts.short_number(spread.lower_quartile)} to "
                f"{charts.short_number(spread.upper_quartile)}"
                + (" (logarithmic scale)." if log else "."),
                spread,
                unit=unit,
                log=log,
            )
        )
    panel.notes.append(
        "Duration is the months of service stated, or else the months between the start and "
        "end of service (actual, else anticipated) where both give a month."
    )
    return panel


def payer_types(projects: QuerySet) -> list[tuple[str, int]]:
    """(organisation type, outcome payers of these projects of that type), most first:
    published organisations named as outcome payers in any table that can name one."""
    # From the derived party rows (cases.parties: published parties only), one subquery of
    # their keys: an EXISTS per organisation over the role tables took 1.2 s at 10,000
    # projects and minutes at 100,000.
    named = ProjectParty.objects.filter(
        role="outcome_payer", project__in=projects.values("pk")
    ).values("organisation_id")
    return list(
        Organisation.objects.filter(pk__in=named, status=PublicationStatus.PUBLISHED)
        .order_by()
        .values_list("organisation_type")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation_type")
    )


def payers_panel(projects: QuerySet) -> Panel:
    rows = [(kind or "Type not recorded", n) for kind, n in payer_types(projects)]
    table = Table(["Type of organisation", "Outcome payers"], [list(r) for r in rows], {1})
    total = sum(n for _k, n in rows)
    panel = Panel(
        "payers",
        "Outcome payers by type",
        (
            f"Who pays for the outcomes: {_plural(total, 'organisation')} named as outcome "
            "payers of these projects, by type."
            if rows
            else "No outcome payer is named for these projects."
        ),
        table,
    )
    if rows:
        panel.svgs.append(
            charts.horizontal_bars(
                "chart-payers",
                panel.title,
                "Number of outcome-paying organisations of each type; "
                + "; ".join(f"{kind}: {n}" for kind, n in rows)
                + ".",
                rows,
            )
        )
    return panel


def results_panel(totals: dict[str, Any]) -> Panel:
    total, with_results = totals["projects"], totals["with_results"]
    without = total - with_results
    table = Table(
        ["Projects", "Number", "Share"],
        [
            ["With published results", with_results, _share(with_results, total)],
            ["No results published", without, _share(without, total)],
        ],
        {1, 2},
    )
    panel = Panel(
        "results",
        "Projects with published results",
        f"{_share(with_results, total)} of these projects ({with_results:,} of {total:,}) "
        "have published any result; the rest have not reported one, which says nothing "
        "about whether they worked.",
        table,
    )
    if total:
        panel.svgs.append(
            charts.share_bar(
                "chart-results",
                panel.title,
                f"{with_results:,} of {total:,} projects have published results.",
                [("With published results", with_results), ("No results published", without)],
            )
        )
    return panel


NUMERIC_TARGET = r"^ *[0-9][0-9,]*(\.[0-9]+)? *$"


def did_it_work_panel(projects: QuerySet) -> Panel:
    """Results against targets by policy area, where INDIGO records both: contracts that
    report results at all (and final ones), metrics whose target is a plain number and that
    have a result (and how many met it), outcome payments made against the maximum (USD,
    contracts giving both), contracts with an evaluation. Two queries."""
    final = Result.objects.filter(project=OuterRef("pk"), result_type=ResultType.FINAL)
    paid = Q(outcome_payments_made_usd__isnull=False, max_outcome_payment_usd__gt=0)
    areas = {
        row["policy_sector"]: row
        for row in projects.values("policy_sector").annotate(
            n=Count("pk"),
            with_results=Count("pk", filter=Q(has_results=True)),
            with_final=Count("pk", filter=Q(Exists(final))),
            evaluated=Count("pk", filter=Q(has_evaluation=True)),
            paid_n=Count("pk", filter=paid),
            paid=Sum("outcome_payments_made_usd", filter=paid),
            maximum=Sum("max_outcome_payment_usd", filter=paid),
        )
    }
    achieved = (
        Result.objects.filter(
            project=OuterRef("project"),
            outcome_metric_ref__iexact=OuterRef("local_id"),
            outcomes_achieved__isnull=False,
        )
        .order_by("-outcomes_achieved")
        .values("outcomes_achieved")[:1]
    )
    target = Cast(Replace(Trim("target"), Value(","), Value("")), FloatField())
    targets = {
        row["project__policy_sector"]: row
        for row in OutcomeMetric.objects.filter(
            project__in=projects.values("pk"), target__regex=NUMERIC_TARGET
        )
        .annotate(achieved=Subquery(achieved), target_number=target)
        .values("project__policy_sector")
        .annotate(
            both=Count("pk", filter=Q(achieved__isnull=False)),
            met=Count("pk", filter=Q(achieved__gte=F("target_number"))),
        )
        .order_by()
    }
    rows = []
    for area in AREA_ORDER:
        if area not in areas:
            continue
        row, aims = areas[area], targets.get(area, {"both": 0, "met": 0})
        ratio = _share(row["paid"], row["maximum"]) if row["paid_n"] else "Not recorded"
        rows.append(
            [
                AREA_LABELS[area],
                row["n"],
                row["with_results"],
                row["with_final"],
                aims["both"],
                aims["met"] if aims["both"] else "–",
                f"{ratio} ({_plural(row['paid_n'], 'contract')})" if row["paid_n"] else ratio,
                row["evaluated"],
            ]
        )
    table = Table(
        [
            "Policy area",
            "Contracts",
            "Report any result",
            "Report final results",
            "Metrics with a numeric target and a result",
            "Of those, target met",
            "Outcome payments made ÷ maximum (USD)",
            "Contracts with an evaluation",
        ],
        rows,
        {1, 2, 3, 4, 5, 7},
    )
    reporting = sum(r[2] for r in rows)
    total = sum(r[1] for r in rows)
    compared = sum(r[4] for r in rows)
    panel = Panel(
        "did-it-work",
        "Did it work? Results against targets",
        f"Only {reporting:,} of these {total:,} contracts report any result, and only "
        f"{compared:,} outcome metrics give both a numeric target and a result: for most "
        "contracts the published data cannot say whether targets were met. No result "
        "published is not the same as failure.",
        table,
    )
    if rows:
        panel.svgs.append(
            charts.horizontal_bars(
                "chart-did-it-work",
                "Contracts reporting any result, by policy area",
                "Number of contracts in each policy area that report any result; "
                "the table gives targets, payments and evaluations too.",
                [(r[0], r[2]) for r in rows],
            )
        )
    panel.notes.append(
        "A target counts when INDIGO gives it as a plain number; a metric's result is its "
        "greatest outcomes achieved. Payments made ÷ maximum sums the contracts giving both "
        "in USD. Evaluations and their designs: see the evidence gap map."
    )
    return panel


def pipeline_panels(chosen_countries: set[str] | frozenset[str]) -> list[Panel]:
    """The published projects in development (INDIGO's pipeline) by country and by policy
    sector: the pipeline's own sectors (a project may name several), so not filtered by the
    case studies' policy areas; by the chosen countries, when any. Two queries."""
    pipeline = Pipeline.objects.published()
    if chosen_countries:
        where = Q()
        for code in chosen_countries:
            where |= has_country(code)
        pipeline = pipeline.filter(where)
    totals = pipeline.order_by().aggregate(total=Count("pk"), **PIPELINE_SECTORS.aggregates())
    sectors = [
        (str(label), totals[f"{PIPELINE_SECTORS.name}__{i}"])
        for i, (_value, label) in enumerate(PIPELINE_SECTORS.choices)
    ]
    sectors = sorted((row for row in sectors if row[1]), key=lambda row: (-row[1], row[0]))
    by_country = [
        (name, n)
        for code, name, n in _pipeline_country_rows(None, pipeline)  # type: ignore[arg-type]
        if code != NOT_RECORDED and n
    ]
    total = totals["total"]
    scope = " in the chosen countries" if chosen_countries else ""
    where_panel = Panel(
        "pipeline-countries",
        "Projects in development, by country",
        f"The pipeline{scope}: {_plural(total, 'project')} being prepared, not yet contracted; "
        "a project planned in several countries counts in each.",
        Table(["Country", "Projects in development"], [list(r) for r in by_country], {1}),
    )
    what_panel = Panel(
        "pipeline-sectors",
        "Projects in development, by policy sector",
        f"The same {_plural(total, 'project')} by the policy sectors they name (INDIGO's "
        "pipeline sectors; a project may name several).",
        Table(["Policy sector", "Projects in development"], [list(r) for r in sectors], {1}),
    )
    if by_country:
        where_panel.svgs.append(
            charts.horizontal_bars(
                "chart-pipeline-countries",
                where_panel.title,
                "Projects in development in each country; the table gives every figure.",
                by_country[:15],
            )
        )
        if len(by_country) > 15:
            where_panel.notes.append(
                f"The chart shows the 15 countries with the most; the table all {len(by_country)}."
            )
    if sectors:
        what_panel.svgs.append(
            charts.horizontal_bars(
                "chart-pipeline-sectors",
                what_panel.title,
                "Projects in development naming each policy sector; the table gives every figure.",
                sectors,
            )
        )
    for panel in (where_panel, what_panel):
        panel.notes.append("The pipeline is not filtered by the case studies' other filters.")
    return [where_panel, what_panel]


def _share(part: Any, whole: Any) -> str:
    return f"{part / whole:.0%}" if whole else "–"


__all__ = ["NOT_RECORDED", "Dashboard", "Panel", "Table", "dashboard"]
