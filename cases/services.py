"""Writes that span several case models."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from cases.models import (
    IntermediaryService,
    Investment,
    OutcomeMetric,
    OutcomePaymentCommitment,
    Project,
    Result,
    ServiceProvision,
)
from common.models import PublicationStatus

ROLE_MODELS = [OutcomePaymentCommitment, Investment, ServiceProvision, IntermediaryService]


def linked_project_ids(organisation) -> list[int]:
    """The projects in which ``organisation`` has a role."""
    ids: set[int] = set()
    for model in ROLE_MODELS:
        ids.update(
            model.objects.filter(organisation=organisation).values_list("project_id", flat=True)
        )
    return sorted(ids)


def refresh_derived_fields(*, project_ids: Iterable[int] | None = None) -> int:
    """Recompute the search and facet columns of projects (all, or those given) from their
    INDIGO columns and rows. Returns the number of projects updated."""
    projects = Project.objects.all()
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    projects = list(
        projects.only(
            "pk",
            "alternative_names",
            "intervention",
            "target_population",
            "social_challenge",
            *Project.LAUNCH_DATE_FIELDS,
            "capital_usd",
            "capital_usd_min",
            "capital_usd_max",
        )
    )
    pks = [p.pk for p in projects]
    texts: dict[int, list[str]] = defaultdict(list)
    for project_id, definition in OutcomeMetric.objects.filter(project_id__in=pks).values_list(
        "project_id", "definition"
    ):
        texts[project_id].append(definition)
    for model in ROLE_MODELS:
        for project_id, name in (
            model.objects.filter(
                project_id__in=pks, organisation__status=PublicationStatus.PUBLISHED
            )
            .values_list("project_id", "organisation__name")
            .distinct()
        ):
            texts[project_id].append(name)
    with_results = set(
        Result.objects.filter(project_id__in=pks).values_list("project_id", flat=True)
    )
    for project in projects:
        project.launch_year = project.launch_year_from_dates()
        project.capital_raised_usd = next(
            (
                v
                for v in (project.capital_usd, project.capital_usd_max, project.capital_usd_min)
                if v is not None
            ),
            None,
        )
        project.has_results = project.pk in with_results
        parts = [
            project.alternative_names,
            project.intervention,
            project.target_population,
            project.social_challenge,
            *dict.fromkeys(texts[project.pk]),
        ]
        project.search_text = "\n".join(part for part in parts if part)
    Project.objects.bulk_update(
        projects,
        ["launch_year", "capital_raised_usd", "has_results", "search_text"],
        batch_size=500,
    )
    return len(projects)
