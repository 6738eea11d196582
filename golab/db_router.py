"""Reads from PostgreSQL read replicas, everything else from the primary.

With ``DATABASE_REPLICA_URLS`` set, settings add one database alias per replica
(``replica1``, ``replica2``, ...) and this router. The rule is simple, so that nobody has to
reason about replication lag to be correct:

- a request that is not GET or HEAD, and every admin request, reads from the primary (a
  curator sees what they just saved; a form checks against current data);
- inside a transaction the request opened, reads go to the primary (what it wrote is not on
  any replica yet);
- the cache table (shared pages and counts, the rate limit) is always on the primary: it is
  written on reads, and the data version must be current;
- writes, migrations and everything outside a request (commands, the worker) use the primary.

Other reads, that is public GET pages, pick a replica at random. A replica lags the primary
(usually well under a second): a visitor may see a page as it was just before a publish for
that long. The page cache is not fooled by lag: a page rendered from a lagging replica is
stored under the data version read from the primary, so it could hold slightly stale data for
that version; bump() at commit time means the next change replaces it, and pages expire after
an hour at most.
"""

from __future__ import annotations

import random
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest

# For a request that may read from a replica, how deep in transactions the primary was when it
# began (0 when served; more in a test); None outside such a request.
_replica_reads: ContextVar[int | None] = ContextVar("golab_replica_reads", default=None)
PRIMARY_ONLY_APPS = frozenset(
    {"django_cache", "admin", "sessions", "axes", "django_tasks_db", "otp_totp", "otp_static"}
)


def replica_aliases() -> list[str]:
    return [alias for alias in connections if alias.startswith("replica")]


class ReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        depth = _replica_reads.get()
        if depth is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > depth:
            return DEFAULT_DB_ALIAS  # in a transaction the request opened: it may have written
        replicas = replica_aliases()
        if not replicas:
            return DEFAULT_DB_ALIAS
        # Spreading load, not a secret.
        return random.choice(replicas)  # nosec B311

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Every alias holds the same data (replicas copy the primary).
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Marks which requests may read from a replica (the router cannot see the request)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        may_use_replica = request.method in ("GET", "HEAD") and not request.path.startswith(
            "/admin/"
        )
        depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks) if may_use_replica else None
        token = _replica_reads.set(depth)
        try:
            return self.get_response(request)
        finally:
            _replica_reads.reset(token)
