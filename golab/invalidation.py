"""Every change that can show on a public surface makes a new data version (common.cache), so
the shared page and count caches are stale at once in every process.

Saves, deletes and many-to-many changes of the models of ``cases`` and ``evidence`` (their
history rows included: the public change log shows them) bump through signals; that covers
the admin, the publication workflow (``common.workflow.transition`` saves the record) and an
import (bulk writes send no signals, but a successful import records its ``ImportRun`` in the
same transaction). Writes that bypass signals (``QuerySet.update``, raw SQL) bump where they
are made: ``evidence.services``, ``golab.backup.restore``. ``migrate``, ``flush`` and a restore
also empty the cache (post_migrate), so nothing cached survives a change of schema or a wiped
test database.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from common.cache import bump

PUBLIC_APPS = frozenset({"cases", "evidence"})


def _changed(sender: Any, **kwargs: Any) -> None:
    bump()


def _m2m_changed(sender: Any, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        bump()


def _schema_changed(sender: AppConfig, using: str, **kwargs: Any) -> None:
    if sender.name != "golab":
        return  # post_migrate comes once per app; once is enough
    try:
        with transaction.atomic(using=using):
            cache.clear()
    except DatabaseError:
        pass  # the cache table is not there yet: migrate runs before createcachetable


def connect() -> None:
    # Per model, not for every sender: a model with a delete receiver loses Django's fast
    # delete, which other apps' tables (sessions, the task queue) keep this way.
    for label in sorted(PUBLIC_APPS):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            uid = f"golab-bump-{model._meta.label}"
            post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
            m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=uid + "-m2m")
    post_migrate.connect(_schema_changed, dispatch_uid="golab-cache-clear")
