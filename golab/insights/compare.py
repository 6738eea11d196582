"""/compare/?cases=ID,ID[,ID,ID]: two to four published case studies side by side (key
facts, parties, outcome metrics, prices, results, evidence), the rows whose values differ
marked, and the same table as CSV.

The cases are read in a fixed number of queries whatever they hold: the projects with
``for_detail()``'s prefetches, and the evidence links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from django_countries import countries

from cases.models import Project
from cases.outcomes import attach_to_metrics, payments_share, results_against_targets
from cases.roles import ROLES
from common.models import PublicationStatus
from evidence.case_page import evaluation_or_research_q
from evidence.models import DocumentProject

MIN_CASES, MAX_CASES = 2, 4
CASE_ID = re.compile(r"^INDIGO-POJ-\d{4,9}$")
SEPARATORS = re.compile(r"[\s,;]+")


class CompareError(Exception):
    """The request names too few, too many, malformed or unknown cases."""

    def __init__(self, message: str, status: int, ids: list[str]) -> None:
        super().__init__(message)
        self.message, self.status, self.ids = message, status, ids


def requested_ids(params: QueryDict) -> list[str]:
    """The case ids asked for, in order, once each: ``cases`` comma-separated, repeated, or
    both (a form's check boxes and a typed list)."""
    ids: list[str] = []
    for value in params.getlist("cases"):
        for token in SEPARATORS.split(value[:1000]):
            token = token.strip().upper()
            if token and token not in ids:
                ids.append(token)
    return ids[:50]


def published_cases(ids: list[str]) -> list[Project]:
    """The published projects of ``ids`` in the order asked, with what the table shows;
    ``CompareError`` (400 or 404) unless there are two to four, all well formed and public."""
    malformed = [i for i in ids if not CASE_ID.match(i)]
    if malformed:
        raise CompareError(
            "Case ids look like INDIGO-POJ-0153; these do not: " + ", ".join(malformed[:10]),
            400,
            [i for i in ids if CASE_ID.match(i)],
        )
    if len(ids) < MIN_CASES:
        raise CompareError("Choose at least two case studies to compare.", 400, ids)
    if len(ids) > MAX_CASES:
        raise CompareError(
            f"At most {MAX_CASES} case studies can be compared at once; {len(ids)} were given.",
            400,
            ids[:MAX_CASES],
        )
    found = {
        p.indigo_id: p for p in Project.objects.published().for_detail().filter(indigo_id__in=ids)
    }
    unknown = [i for i in ids if i not in found]
    if unknown:
        # Not echoed: an id of a draft or withdrawn record is named nowhere public.
        raise CompareError(
            f"{len(unknown)} of the case ids given name{'s' if len(unknown) == 1 else ''} no "
            "published case study (mistyped, or not public).",
            404,
            [i for i in ids if i in found],
        )
    return [found[i] for i in ids]


# ---------------------------------------------------------------------------------------------
# The table


@dataclass
class Line:
    """One row of the comparison: a label and a value per case (text, or a list of texts)."""

    label: str
    values: list[Any]
    compare: bool = True  # whether a difference between the cases is worth marking

    @property
    def differs(self) -> bool:
        shown = [tuple(v) if isinstance(v, list) else v for v in self.values]
        return self.compare and len(set(shown)) > 1

    def shown(self) -> list[list[str]]:
        """Each case's value as a list of texts (one, or several for a list)."""
        return [[str(x) for x in v] if isinstance(v, list) else [str(v)] for v in self.values]

    def texts(self) -> list[str]:
        """Each case's value as one line of text (for the CSV)."""
        return ["; ".join(v) if isinstance(v, list) else str(v) for v in self.values]


@dataclass
class Section:
    title: str
    lines: list[Line] = field(default_factory=list)


def _money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return ""
    return f"{currency} {amount:,.0f}".strip()


def _number(value: Any) -> str:
    return "" if value is None else f"{value:,}"


def _share(share: Decimal | None) -> str:
    return "Not recorded" if share is None else f"{share:.0%}"


def _parties(project: Project) -> dict[str, list[str]]:
    """Each role's public party names (an unpublished one is not named)."""
    parties: dict[str, list[str]] = {}
    for role in ROLES:
        names: list[str] = []
        rows = list(getattr(project, role.related).all())
        for row in rows:
            organisation = row.organisation
            if organisation is None:
                continue
            name = (
                organisation.name or organisation.indigo_id
                if organisation.status == PublicationStatus.PUBLISHED
                else "An organisation not yet published"
            )
            if name not in names:
                names.append(name)
        for _model, column, related in role.also:
            for row in getattr(project, related).all():
                organisation = getattr(row, column)
                if organisation is None or organisation.status != PublicationStatus.PUBLISHED:
                    continue  # an unpublished payer of a payment only: not named
                if (organisation.name or organisation.indigo_id) not in names:
                    names.append(organisation.name or organisation.indigo_id)
        parties[role.plural] = names
    return parties


def _outcomes(project: Project) -> dict[str, Any]:
    """Metrics, prices and results of ``project`` (prefetched), and results against
    targets where INDIGO records both."""
    metrics = list(project.outcome_metrics.all())
    pricings = list(project.outcome_pricings.all())
    results = list(project.results.all())
    attached, _other = attach_to_metrics(metrics, results)
    against = [
        f"{found.metric.definition[:80] or found.metric.local_id}: {found.achieved:,.0f} of "
        f"{found.target:,.0f} ({found.share:.0%})"
        for found in results_against_targets(metrics, attached)
    ]
    usd = sorted(p.price_per_unit_usd for p in pricings if p.price_per_unit_usd is not None)
    prices = [
        _money(p.price_per_unit, p.currency)
        + (f" (USD {p.price_per_unit_usd:,.0f})" if p.price_per_unit_usd is not None else "")
        for p in pricings
        if p.price_per_unit is not None
    ]
    finals = [r for r in results if r.result_type == "final"]
    return {
        "metrics": [m.definition or m.local_id for m in metrics],
        "prices": prices,
        "price_range": (
            f"USD {usd[0]:,.0f} – {usd[-1]:,.0f}" if len(usd) > 1 else _money(usd[0], "USD")
        )
        if usd
        else "Not recorded",
        "results": (
            f"{len(results)} result{'s' if len(results) != 1 else ''} ({len(finals)} final)"
            if results
            else "None published"
        ),
        "against": against or ["Not recorded (no numeric target with a result)"],
    }


def _evidence(projects: list[Project]) -> dict[int, list[str]]:
    """Each project's published evaluations and research, with their design (one query)."""
    links = (
        DocumentProject.objects.filter(
            evaluation_or_research_q(),
            project__in=[p.pk for p in projects],
            document__status=PublicationStatus.PUBLISHED,
        )
        .select_related("document")
        .only(
            "project_id",
            "document__title",
            "document__evaluation_design",
            "document__publication_date",
        )
        .order_by("document__title", "document_id")
    )
    found: dict[int, list[str]] = {p.pk: [] for p in projects}
    for link in links:
        document = link.document
        design = document.get_evaluation_design_display() or "design not recorded"
        text = f"{document.title} ({design})"
        if text not in found[link.project_id]:
            found[link.project_id].append(text)
    return found


def comparison(projects: list[Project]) -> list[Section]:
    """The sections of the comparison table, one value per project in each line."""
    parties = [_parties(p) for p in projects]
    outcomes = [_outcomes(p) for p in projects]
    evidence = _evidence(projects)

    def line(label: str, values: list[Any], compare: bool = True) -> Line:
        return Line(label, [v if v not in (None, "") else "Not recorded" for v in values], compare)

    def each(getter) -> list[Any]:
        return [getter(p) for p in projects]

    facts = Section(
        "Key facts",
        [
            line("Stage", each(lambda p: p.get_stage_display())),
            line("Policy area", each(lambda p: p.get_policy_sector_display())),
            line(
                "Countries",
                each(
                    lambda p: (
                        sorted(
                            {
                                countries.name(loc.country) or loc.country
                                for loc in p.delivery_locations.all()
                                if loc.country
                            }
                        )
                        or "Not recorded"
                    )
                ),
            ),
            line("Launch year", each(lambda p: p.launch_year)),
            line("Service started", each(lambda p: p.service_start)),
            line(
                "Service ended (or is due to end)",
                each(lambda p: p.actual_service_end or p.anticipated_service_end),
            ),
            line(
                "Capital raised (USD)",
                each(
                    lambda p: (
                        _money(p.capital_usd, "USD")
                        or (
                            f"USD {_money(p.capital_usd_min)} – {_money(p.capital_usd_max)}"
                            if p.capital_usd_min is not None or p.capital_usd_max is not None
                            else ""
                        )
                    )
                ),
            ),
            line(
                "Maximum outcome payment",
                each(lambda p: _money(p.max_outcome_payment, p.max_outcome_payment_currency)),
            ),
            line(
                "Outcome payments made",
                each(lambda p: _money(p.outcome_payments_made, p.outcome_payments_made_currency)),
            ),
            line("Service users targeted", each(lambda p: _number(p.service_users_targeted))),
            line("Service users engaged", each(lambda p: _number(p.service_users_actual))),
            line("Target population", each(lambda p: p.target_population), compare=False),
            line("Intervention", each(lambda p: p.intervention), compare=False),
        ],
    )
    who = Section(
        "Parties",
        [line(role.plural, [p[role.plural] or "None named" for p in parties]) for role in ROLES],
    )
    paid = Section(
        "Outcomes, prices and results",
        [
            line(
                "Outcome metrics",
                [o["metrics"] or "None recorded" for o in outcomes],
                compare=False,
            ),
            line(
                "Prices per outcome",
                [o["prices"] or "None recorded" for o in outcomes],
                compare=False,
            ),
            line("Range of prices (USD)", [o["price_range"] for o in outcomes]),
            line("Results", [o["results"] for o in outcomes]),
            line("Achieved against target", [o["against"] for o in outcomes], compare=False),
            line(
                "Outcome payments made ÷ maximum",
                each(lambda p: _share(payments_share(p))),
            ),
        ],
    )
    known = Section(
        "Evidence",
        [
            line(
                "Evaluations and research",
                [evidence[p.pk] or "None published" for p in projects],
                compare=False,
            )
        ],
    )
    return [facts, who, paid, known]
