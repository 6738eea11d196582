"""Outcome metrics and the prices and results that name them by INDIGO's local metric id."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cases.models import OutcomeMetric, OutcomePricing, Project, Result


def attach_to_metrics(metrics: list[OutcomeMetric], rows) -> tuple[dict[int, list], list]:
    """Each metric's rows (prices or results), by metric pk, and the rows that cannot be
    attached. A row names its metric by INDIGO's local id; where several metrics share an
    id (INDIGO-POJ-0123 uses outcomemetric1–6 twice), the n-th row naming it goes to the
    n-th such metric only if there are as many rows as metrics; otherwise it is not
    attached, rather than attached to the wrong one."""
    by_id: dict[str, list[OutcomeMetric]] = defaultdict(list)
    for metric in metrics:
        if metric.local_id.strip():
            by_id[metric.local_id.strip().casefold()].append(metric)
    naming: dict[str, list] = defaultdict(list)
    unattached: list = []
    for row in rows:
        key = row.outcome_metric_ref.strip().casefold()
        (naming[key] if key in by_id else unattached).append(row)
    attached: dict[int, list] = defaultdict(list)
    for key, named in naming.items():
        candidates = by_id[key]
        if len(candidates) == 1:
            attached[candidates[0].pk].extend(named)
        elif len(named) == len(candidates):
            for metric, row in zip(candidates, named, strict=True):
                attached[metric.pk].append(row)
        else:
            unattached.extend(named)
    unattached.sort(key=lambda row: row.position)
    return attached, unattached


@dataclass
class MetricProblem:
    indigo_id: str
    problem: str  # "duplicate metric id", "price not attached", "result not attached"
    detail: str


def target_number(target: str) -> Decimal | None:
    """A metric's target when INDIGO gives a plain number ("250", "1,200"), else None."""
    text = target.strip().replace(",", "")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


@dataclass
class AgainstTarget:
    """A metric's best result against its target, where INDIGO records both as numbers."""

    metric: OutcomeMetric
    achieved: Decimal
    target: Decimal

    @property
    def share(self) -> Decimal:
        return self.achieved / self.target


def results_against_targets(
    metrics: list[OutcomeMetric], attached: dict[int, list]
) -> list[AgainstTarget]:
    """For each metric with a numeric target and a result attached to it (``attached``, as
    ``attach_to_metrics`` gives it), the highest number achieved against that target."""
    found = []
    for metric in metrics:
        target = target_number(metric.target)
        achieved = [
            r.outcomes_achieved
            for r in attached.get(metric.pk, [])
            if r.outcomes_achieved is not None
        ]
        if target and achieved:
            found.append(AgainstTarget(metric, max(achieved), target))
    return found


def payments_share(project: Project) -> Decimal | None:
    """Outcome payments made ÷ the maximum potential outcome payment: in USD where both
    are converted, else in the contract's currency where both are in the same one."""
    if project.outcome_payments_made_usd is not None and project.max_outcome_payment_usd:
        return project.outcome_payments_made_usd / project.max_outcome_payment_usd
    if (
        project.outcome_payments_made is not None
        and project.max_outcome_payment
        and project.outcome_payments_made_currency == project.max_outcome_payment_currency
    ):
        return project.outcome_payments_made / project.max_outcome_payment
    return None


def metric_problems(projects: Iterable[Project]) -> list[MetricProblem]:
    """For the data-quality page: metric ids used twice, and prices and results that name a
    metric they cannot be attached to (project-level results name none and are fine)."""
    found = []
    projects = list(projects)
    metrics: dict[int, list[OutcomeMetric]] = defaultdict(list)
    pricings: dict[int, list[OutcomePricing]] = defaultdict(list)
    results: dict[int, list[Result]] = defaultdict(list)
    ids = [p.pk for p in projects]
    for metric in OutcomeMetric.objects.filter(project_id__in=ids).order_by("position"):
        metrics[metric.project_id].append(metric)
    for pricing in OutcomePricing.objects.filter(project_id__in=ids).order_by("position"):
        pricings[pricing.project_id].append(pricing)
    for result in Result.objects.filter(project_id__in=ids).order_by("position"):
        results[result.project_id].append(result)
    for project in projects:
        local_ids = [m.local_id.strip() for m in metrics[project.pk] if m.local_id.strip()]
        for local_id in sorted({i for i in local_ids if local_ids.count(i) > 1}):
            found.append(
                MetricProblem(
                    project.indigo_id,
                    "duplicate metric id",
                    f"{local_id} is used by {local_ids.count(local_id)} metrics",
                )
            )
        _attached, loose_prices = attach_to_metrics(metrics[project.pk], pricings[project.pk])
        for pricing in loose_prices:
            named = pricing.outcome_metric_ref or "no metric"
            detail = f"price {pricing.position + 1} names {named}"
            found.append(MetricProblem(project.indigo_id, "price not attached", detail))
        _attached, loose_results = attach_to_metrics(metrics[project.pk], results[project.pk])
        for result in loose_results:
            if result.outcome_metric_ref.strip():
                found.append(
                    MetricProblem(
                        project.indigo_id,
                        "result not attached",
                        f"result {result.position + 1} names {result.outcome_metric_ref}",
                    )
                )
    return found
