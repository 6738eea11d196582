"""Whether a project names a published party in each role the case list offers as a facet,
and a country: flags on the project, so that a facet's "Not recorded" count reads the facet
index instead of probing the role tables for every listed project (at 100,000 projects those
probes took 65-180 ms a facet; the flags take about 10 ms).

The flags are derived, never edited: ``refresh_party_flags`` sets them in one UPDATE per flag
(for some projects or all), and the receivers below keep them on every save or delete of a
role row or a delivery location, and when an organisation's status changes. Imports, which
write in bulk without signals, refresh every project at the end. The list's filter
(``?outcome_payer=none``) still asks the role tables, so a stale flag could only make a count
disagree with its results; the tests check both agree on every path that changes them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connections
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.signals import post_delete, post_save

from cases.models import DeliveryLocation, Organisation, Project, ProjectParty
from cases.roles import ROLES, Role
from common.models import PublicationStatus

FACET_ROLES = [role for role in ROLES if role.facet]
COUNTRY_FLAG = "has_country"


def role_flag(role: Role) -> str:
    """The project's flag for a role: ``has_outcome_payer``, ``has_investor``, ..."""
    return f"has_{role.key}"


def public_party(field: str = "organisation") -> Q:
    """A role row names a public party: an organisation that is published (a draft one made
    in the admin is named nowhere public, not even in a facet or a filter)."""
    return Q(**{f"{field}__status": PublicationStatus.PUBLISHED})


def country_condition() -> Exists:
    return Exists(DeliveryLocation.objects.filter(project=OuterRef("pk")).exclude(country=""))


def role_condition(role: Role) -> Q:
    """The project names a public party in this role, in any table that can."""
    condition = Q()
    for model, field in role.sources():
        rows = model._default_manager.filter(public_party(field), project=OuterRef("pk"))
        condition |= Q(Exists(rows))
    return condition


def conditions() -> dict[str, Q | Exists]:
    """Each flag and what it says, as a condition on projects."""
    return {
        COUNTRY_FLAG: country_condition(),
        **{role_flag(r): role_condition(r) for r in FACET_ROLES},
    }


CHUNK = 500  # projects a statement


def refresh_party_flags(*, project_ids: Iterable[int] | None = None) -> int:
    """Set the flags and the ``ProjectParty`` rows of the given projects (or all) from their
    role rows: two UPDATEs a flag, of only the rows whose flag is wrong, and the projects'
    party rows written anew. Returns how many flags changed."""
    projects = Project.objects.all()
    if project_ids is None:
        _write_parties(None)
    else:
        ids = sorted(set(project_ids))  # read once: it may be a generator
        for start in range(0, len(ids), CHUNK):
            _write_parties(ids[start : start + CHUNK])
        projects = projects.filter(pk__in=ids)
    changed = 0
    for flag, condition in conditions().items():
        changed += projects.filter(condition, **{flag: False}).update(**{flag: True})
        changed += projects.filter(~Q(condition), **{flag: True}).update(**{flag: False})
    return changed


class _State(threading.local):
    deferred = 0


_state = _State()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within this block saves and deletes do not refresh the flags; the caller refreshes them
    once at the end (an import, whose every row would otherwise cost eight UPDATEs)."""
    _state.deferred += 1
    try:
        yield
    finally:
        _state.deferred -= 1


def _write_parties(project_ids: list[int] | None) -> None:
    """Replace the ``ProjectParty`` rows of these projects (or all) with what their role rows
    say: one DELETE and one INSERT ... SELECT per role, nothing read into Python."""
    using = ProjectParty.objects.db
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(ProjectParty._meta.db_table)
    with connection.cursor() as cursor:
        if project_ids is None:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608 - model table
        else:
            marks = ", ".join(["%s"] * len(project_ids))
            cursor.execute(
                f"DELETE FROM {table} WHERE project_id IN ({marks})",  # noqa: S608  # nosec B608 - model table
                project_ids,
            )
        for role in FACET_ROLES:
            selects: list[str] = []
            params: list[Any] = []
            for model, field in role.sources():
                rows: QuerySet = model._default_manager.filter(public_party(field))
                if project_ids is not None:
                    rows = rows.filter(project_id__in=project_ids)
                pairs = rows.order_by().values(p=F("project_id"), o=F(field)).values_list("p", "o")
                sql, row_params = pairs.query.sql_with_params()
                selects.append(sql)
                params += row_params
            union = " UNION ALL ".join(
                f"SELECT * FROM ({sql}) q{i}"  # noqa: S608  # nosec B608 - compiled SQL
                for i, sql in enumerate(selects)
            )
            cursor.execute(
                f"INSERT INTO {table} (role, project_id, organisation_id) "  # noqa: S608  # nosec B608 - compiled SQL
                f"SELECT DISTINCT %s, s.p, s.o FROM ({union}) s",
                [role.key, *params],
            )


def _row_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw") or _state.deferred:
        return  # loaddata (the fixture's values stand), or an import (it refreshes them all)
    project_id = getattr(instance, "project_id", None)
    if project_id is not None:
        refresh_party_flags(project_ids=[project_id])


def _organisation_saved(sender: Any, instance: Organisation, **kwargs: Any) -> None:
    if kwargs.get("raw") or kwargs.get("created") or _state.deferred:
        return  # a new organisation is in no role yet
    fields = kwargs.get("update_fields")
    if fields is not None and "status" not in fields:
        return
    from cases.services import linked_project_ids

    projects = linked_project_ids(instance)
    if projects:
        refresh_party_flags(project_ids=projects)


def connect() -> None:
    models: set[type[Model]] = {DeliveryLocation}
    models.update(model for role in FACET_ROLES for model, _field in role.sources())
    for model in sorted(models, key=lambda m: m._meta.label):
        uid = f"cases-party-flags-{model._meta.label}"
        post_save.connect(_row_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=uid + "-delete")
    post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="cases-party-org")
