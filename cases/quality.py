"""The data-quality report for curators: how complete each published project is against
INDIGO's priority levels, and what looks wrong. Computed by the database, one query for the
projects and one for likely duplicate organisations."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, OuterRef

from cases.models import (
    IntermediaryService,
    Investment,
    Organisation,
    OutcomeMetric,
    OutcomePayment,
    OutcomePaymentCommitment,
    Project,
    ProjectOutcomeFund,
    Result,
    ServiceProvision,
)
from cases.roles import ROLE_MODELS

# What each INDIGO priority level asks for, as this report checks it.
PRIORITY = {
    1: ["name", "stage", "country", "policy sector", "a date", "a party"],
    2: [
        "capital raised",
        "maximum outcome payment",
        "service users targeted",
        "intervention",
        "target population",
        "outcome metrics",
    ],
    3: ["social challenge", "an end date", "results", "sources", "primary SDG goal"],
}
COLUMNS = [
    ("indigo_id", "INDIGO id"),
    ("name", "Name"),
    ("p1", "Priority 1 %"),
    ("p2", "Priority 2 %"),
    ("p3", "Priority 3 %"),
    ("missing", "Missing"),
    ("missing_usd", "Missing USD"),
    ("date_problems", "Date order"),
    ("missing_references", "Missing organisations/funds"),
]


@dataclass
class Row:
    indigo_id: str
    name: str
    p1: int
    p2: int
    p3: int
    missing: list[str] = field(default_factory=list)
    missing_usd: list[str] = field(default_factory=list)
    date_problems: list[str] = field(default_factory=list)
    missing_references: int = 0

    def cell(self, key: str) -> object:
        value = getattr(self, key)
        return "; ".join(value) if isinstance(value, list) else value


def _before(end: str, start: str) -> bool:
    """Partial dates compared at their common precision: 2019 is not before 2019-06."""
    size = min(len(end), len(start))
    return bool(end and start) and end[:size] < start[:size]


def report() -> list[Row]:
    def exists(model, **extra):
        return Exists(model.objects.filter(project=OuterRef("pk"), **extra))

    party = exists(OutcomePaymentCommitment) | exists(Investment)
    party = party | exists(ServiceProvision) | exists(IntermediaryService)
    # Rows that name an organisation or fund the data does not have, per project.
    missing_refs: dict[int, int] = defaultdict(int)
    unresolved: list[tuple[type[models.Model], str]] = [
        *((model, "organisation") for model in ROLE_MODELS),
        (ProjectOutcomeFund, "fund"),
        (OutcomePayment, "payer"),
    ]
    for model, name in unresolved:
        for project_id, n in (
            model._default_manager.filter(**{f"{name}__isnull": True, f"{name}_ref__gt": ""})
            .order_by()
            .values_list("project_id")
            .annotate(n=Count("pk"))
        ):
            missing_refs[project_id] += n
    projects = (
        Project.objects.published()
        .annotate(
            has_party=party,
            has_metrics=exists(OutcomeMetric),
            has_results_rows=exists(Result),
            # Its INDIGO sources, through the reverse relation (cases does not know evidence).
            has_sources=Exists(Project.objects.filter(pk=OuterRef("pk"), sources__isnull=False)),
        )
        .order_by("indigo_id")
    )
    rows = []
    for project in projects:
        checks = {
            1: {
                "name": bool(project.name.strip()),
                "stage": bool(project.stage),
                "country": project.has_country,  # the flag cases.parties keeps
                "policy sector": bool(project.policy_sector),
                "a date": project.has_a_date(),
                "a party": project.has_party,
            },
            2: {
                "capital raised": project.capital_amount is not None
                or project.capital_amount_max is not None,
                "maximum outcome payment": project.max_outcome_payment is not None,
                "service users targeted": project.service_users_targeted is not None,
                "intervention": bool(project.intervention),
                "target population": bool(project.target_population),
                "outcome metrics": project.has_metrics,
            },
            3: {
                "social challenge": bool(project.social_challenge),
                "an end date": bool(project.actual_service_end or project.anticipated_service_end),
                "results": project.has_results_rows,
                "sources": project.has_sources,
                "primary SDG goal": bool(project.primary_sdg_goal),
            },
        }
        percent = {level: round(100 * sum(c.values()) / len(c)) for level, c in checks.items()}
        row = Row(project.indigo_id, project.name, percent[1], percent[2], percent[3])
        row.missing = [
            f"P{level}: {name}" for level, c in checks.items() for name, ok in c.items() if not ok
        ]
        if project.capital_amount is not None and project.capital_usd is None:
            row.missing_usd.append("capital raised")
        if project.max_outcome_payment is not None and project.max_outcome_payment_usd is None:
            row.missing_usd.append("maximum outcome payment")
        if project.outcome_payments_made is not None and project.outcome_payments_made_usd is None:
            row.missing_usd.append("outcome payments made")
        for end in ("anticipated_service_end", "actual_service_end"):
            if _before(getattr(project, end), project.service_start):
                row.date_problems.append(f"{end.replace('_', ' ')} before service start")
        if _before(project.actual_completion, project.outcomes_contract_signed):
            row.date_problems.append("completed before the contract was signed")
        row.missing_references = missing_refs[project.pk]
        rows.append(row)
    return rows


def normalised_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\b(the|ltd|limited|inc|plc|llc|cic|co|company|foundation|trust)\b", " ", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def duplicate_organisations() -> list[list[tuple[str, str]]]:
    """Groups of published organisations whose names are the same once normalised."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for indigo_id, name in Organisation.objects.published().values_list("indigo_id", "name"):
        key = normalised_name(name)
        if key:
            groups[key].append((indigo_id, name))
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0][1].lower())
