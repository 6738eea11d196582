"""Writes that span several case models."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from cases.models import (
    IndigoRecord,
    Organisation,
    OutcomeFund,
    OutcomeMetric,
    Pipeline,
    Project,
    Result,
)
from cases.outcome_kinds import outcome_kind
from cases.roles import ROLES
from common.history import note_change
from common.models import PublicationStatus

security_log = logging.getLogger("golab.security")
ID_PREFIXES: dict[type[IndigoRecord], str] = {
    Project: "INDIGO-POJ",
    Organisation: "INDIGO-ORG",
    OutcomeFund: "INDIGO-FUND",
    Pipeline: "INDIGO-PL",
}


def next_indigo_id(model: type[IndigoRecord]) -> str:
    """The next free INDIGO id of ``model``'s kind (no ceiling: INDIGO-POJ-10000 follows
    INDIGO-POJ-9999)."""
    prefix = ID_PREFIXES[model]
    numbers = [
        int(tail)
        for indigo_id in model._default_manager.filter(
            indigo_id__startswith=f"{prefix}-"
        ).values_list("indigo_id", flat=True)
        if (tail := indigo_id.rsplit("-", 1)[-1]).isdigit()
    ]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


def save_with_next_indigo_id(record: IndigoRecord, save: Callable[[], None]) -> None:
    """Save a record made here under the next free INDIGO id. The id is taken at the
    moment of saving; if another save took it first, the unique constraint says so and the
    next one is taken (race-free without a lock)."""
    for attempt in range(10):
        record.indigo_id = next_indigo_id(type(record))
        try:
            with transaction.atomic():
                save()
            return
        except IntegrityError:
            if attempt == 9:
                raise
            record.pk = None


def sync_refs(part: models.Model) -> None:
    """A row's ``organisation_ref`` / ``fund_ref`` (the INDIGO id as the files write it)
    follow the organisation or fund it links to."""
    for ref in ("organisation", "fund"):
        if hasattr(part, f"{ref}_ref") and getattr(part, f"{ref}_id", None):
            setattr(part, f"{ref}_ref", getattr(part, ref).indigo_id)


def soft_delete(project: Project, *, user) -> None:
    """Take a project off every public page, kept and restorable, with a history entry."""
    project.deleted_at = timezone.now()
    note_change(project, reason="Deleted (can be restored)", user=user)
    project.save(update_fields=["deleted_at", "updated_at"])
    security_log.info("delete %s by %s", project.indigo_id, user.get_username())


def restore(project: Project, *, user) -> None:
    """Bring a soft-deleted project back (to the status it had)."""
    project.deleted_at = None
    note_change(project, reason="Restored after deletion", user=user)
    project.save(update_fields=["deleted_at", "updated_at"])
    security_log.info("restore %s by %s", project.indigo_id, user.get_username())


def linked_project_ids(organisation) -> list[int]:
    """The projects in which ``organisation`` has a role."""
    ids: set[int] = set()
    for role in ROLES:
        for model, field in role.sources():
            rows = model._default_manager.filter(**{field: organisation})
            ids.update(rows.values_list("project_id", flat=True))
    return sorted(ids)


def refresh_derived_fields(*, project_ids: Iterable[int] | None = None) -> int:
    """Recompute the search and facet columns of projects (all, or those given) from their
    INDIGO columns and rows, and their metrics' kinds of outcome. Returns the number of
    projects updated."""
    queryset = Project.objects.all()
    if project_ids is not None:
        queryset = queryset.filter(pk__in=list(project_ids))
    projects = list(
        queryset.only(
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
    # Each metric's kind of outcome too (an import writes metrics without save()).
    stale_kinds: dict[str, list[int]] = defaultdict(list)
    for metric_id, project_id, definition, kind in OutcomeMetric.objects.filter(
        project_id__in=pks
    ).values_list("pk", "project_id", "definition", "outcome_kind"):
        texts[project_id].append(definition)
        if (wanted := outcome_kind(definition)) != kind:
            stale_kinds[wanted].append(metric_id)
    for kind, metric_ids in stale_kinds.items():
        OutcomeMetric.objects.filter(pk__in=metric_ids).update(outcome_kind=kind)
    for role in ROLES:
        for model, field in role.sources():
            for project_id, name in (
                model._default_manager.filter(
                    project_id__in=pks, **{f"{field}__status": PublicationStatus.PUBLISHED}
                )
                .values_list("project_id", f"{field}__name")
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
