"""A result cache shared by every app process, keyed on the data version.

Every cached value (a page, a count) is stored under ``(namespace, release, sha256 of key)``
with the data version it was computed under. The data version is one entry of the shared
cache (Django's DatabaseCache by default, so all processes on all servers see the same one):
``bump()`` replaces it, and at once every value cached before is stale everywhere, without
finding or deleting anything (a stale value is replaced when next asked for; the others go
when the cache culls them). The version and the value are read together, in one query.

A value asked for with ``size`` (the page cache's pages) is also kept in this process, in a
copy bounded in bytes (``RESULT_CACHE_LOCAL_BYTES``), with the version it was read or
computed under. The copy is served only when that version is the one the shared cache holds
now, read in this request: a hit is then one read of a short row (the version), where the
shared entry (on PostgreSQL a compressed row read from its TOAST table, sent, decoded,
unpickled and inflated) cost 0.2 ms of a worker's and the database's time. A bump in any
process makes every copy stale at once, as it does the shared entries.

The version is read at most once per request (memoised for the request, never across
requests: another process may bump it at any time). Outside a request it is read every time.

Bumps inside a transaction: the DatabaseCache writes the new version in the same transaction
as the change, so other processes see both at once when it commits. Many saves in one
transaction (an import) bump once, unless something was read from the cache in between (then
the next change needs a new version again). With a cache outside the database (Redis), the
version is bumped again when the transaction commits, so a page another process cached from
the old data during the transaction is not served after it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "golab:data-version"
_MISSING = object()

# The version as read in this request (a one-item list, so that bump() can update it); None
# outside a request.
_request_memo: ContextVar[list[str] | None] = ContextVar("golab_data_version", default=None)


class _State(threading.local):
    # The on_commit marker of this thread's last bump inside a transaction; while that marker is
    # still queued (its transaction and savepoint still open) and nothing was read from the
    # cache since, a further bump would change nothing anyone could see.
    pending: Callable[[], None] | None = None
    # Depth of deferred() blocks and whether a bump was asked for inside them.
    deferred: int = 0
    wanted: bool = False


_state = _State()


def enabled() -> bool:
    """Whether results are cached (``settings.RESULT_CACHE``; ``GOLAB_CACHE=0`` turns it off)."""
    return bool(getattr(settings, "RESULT_CACHE", True))


def _new_version() -> str:
    return str(time.time_ns())


def data_version(read: str | None = None) -> str:
    """The current data version, created when missing (an evicted key only means every cached
    entry misses once). ``read``: the version the caller has just read with something else."""
    _state.pending = None  # something may now be cached under this version
    memo = _request_memo.get()
    if memo:
        return memo[0]
    version = read if read is not None else cache.get(VERSION_KEY)
    if version is None:
        with _not_waiting():
            cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY) or _new_version()
    if memo is not None:
        memo.append(version)
    return str(version)


def _set_version() -> None:
    version = _new_version()
    cache.set(VERSION_KEY, version, timeout=None)
    memo = _request_memo.get()
    if memo is not None:
        memo[:] = [version]


def _cache_in_transaction() -> bool:
    """Whether cache writes join the default database's transaction."""
    return isinstance(caches["default"], DatabaseCache)


def bump() -> None:
    """A new data version: everything cached so far is stale at once, in every process.

    Nothing to do when the cache is off (``GOLAB_CACHE=0`` is meant for every process of a
    deployment at once, or a benchmark's server: nothing is cached then)."""
    if not enabled():
        return
    if _state.deferred:
        _state.wanted = True
        return
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _write_version()
        return
    marker = _state.pending
    if marker is not None and any(entry[1] is marker for entry in connection.run_on_commit):
        return  # already bumped in this transaction, and nothing cached since

    def after_commit() -> None:
        if _state.pending is after_commit:
            _state.pending = None
        if not _cache_in_transaction():
            _set_version()

    if _write_version():
        transaction.on_commit(after_commit)
        _state.pending = after_commit


def _write_version() -> bool:
    # A cache that cannot be written (its table not created yet, the database going away) must
    # not fail the change itself; nothing can have been cached from it then either. In a
    # transaction, a savepoint keeps the transaction usable after such a failure.
    try:
        if transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
            with transaction.atomic():
                _set_version()
        else:
            _set_version()
    except DatabaseError as exc:
        logger.error("could not bump the data version (manage.py createcachetable?): %s", exc)
        return False
    return True


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within this block bump() only notes that it was called; one bump follows at the end.
    For bulk writes (imports) whose every save would otherwise bump."""
    _state.deferred += 1
    try:
        yield
    finally:
        _state.deferred -= 1
        if not _state.deferred and _state.wanted:
            _state.wanted = False
            bump()


# How long a cache write waits for SQLite's one write lock before giving up (milliseconds).
WRITE_WAIT_MS = 50


@contextlib.contextmanager
def _not_waiting() -> Iterator[None]:
    """On SQLite, a cache write that finds the database locked (an import's transaction holds
    the one write lock for as long as it runs) gives up at once and the page is served
    uncached, instead of holding the page for the lock's whole timeout (20 s). Set on the raw
    connection, so it is not one of the page's queries; nothing changes inside a transaction
    (its writes must wait like any other) or with a cache outside the database."""
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or not isinstance(caches["default"], DatabaseCache)
    ):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    wait_ms = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    raw.execute(f"PRAGMA busy_timeout = {WRITE_WAIT_MS}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {wait_ms}")


# What a release's pages are made of: its code, templates and static files.
CODE_FOLDERS = ("common", "golab", "cases", "evidence", "templates", "static")
CODE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg"}


@functools.cache
def code_version() -> str:
    """A digest of the code, templates and static files this process serves (read once per
    process, a few ms). It is part of every key, so a page or count cached by one release is
    never served by another: without it a deploy that changed a template or a view but no
    data kept serving the old pages until the next change of data. Two releases side by
    side (a rolling deploy) each use their own entries."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(namespace: str, key: str) -> str:
    """Where ``key``'s value is kept: one entry per release, whatever the data version (the
    entry says which version it was computed under)."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"golab:{namespace}:{code_version()}:{digest}"


def _version_and_entry(full_key: str) -> tuple[str, Any]:
    """The data version and the entry at ``full_key``: one read of both where this request
    has not read the version yet (a page served from the cache is then one query, not two:
    on PostgreSQL a round trip each)."""
    if _request_memo.get():
        return data_version(), cache.get(full_key, _MISSING)
    found = cache.get_many([VERSION_KEY, full_key])
    return data_version(found.get(VERSION_KEY)), found.get(full_key, _MISSING)


class _LocalCopies:
    """This process's copies of some shared entries: key -> (data version, value, size), the
    least recently used dropped first once their sizes pass the budget."""

    def __init__(self) -> None:
        self.copies: OrderedDict[str, tuple[str, Any, int]] = OrderedDict()
        self.used = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[str, Any] | None:
        with self.lock:
            copy = self.copies.get(key)
            if copy is None:
                return None
            self.copies.move_to_end(key)
            return copy[0], copy[1]

    def put(self, key: str, version: str, value: Any, size: int) -> None:
        budget = int(settings.RESULT_CACHE_LOCAL_BYTES)
        with self.lock:
            old = self.copies.pop(key, None)
            if old is not None:
                self.used -= old[2]
            if size > budget // 4:
                return  # one value may not push out most of the others
            self.copies[key] = (version, value, size)
            self.used += size
            while self.used > budget:
                _key, (_v, _value, dropped) = self.copies.popitem(last=False)
                self.used -= dropped

    def clear(self) -> None:
        with self.lock:
            self.copies.clear()
            self.used = 0


local_copies = _LocalCopies()


def cached[T](
    namespace: str,
    key: str,
    compute: Callable[[], T],
    timeout: int | None = 3600,
    size: Callable[[T], int] | None = None,
) -> T:
    """The value cached for ``key`` under the current data version, or ``compute()``'s, stored.
    An entry is (data version, value): one computed under another version is stale, and is
    replaced. With ``size`` (a value's size in bytes), the value is also kept in this process
    (see the module's docstring): the caller must not change what it is given."""
    if not enabled():
        return compute()
    try:
        full_key = cache_key(namespace, key)
        copy = local_copies.get(full_key) if size is not None else None
        if copy is not None and copy[0] == data_version():
            return copy[1]
        version, entry = _version_and_entry(full_key)
    except DatabaseError as exc:
        # Served uncached rather than failing: the cache table missing (createcachetable not
        # run) or the database going away (the page then fails on its own, as a 503). Inside
        # a transaction the error must reach whoever opened it.
        if transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
            raise
        logger.warning("result cache unavailable: %s", exc)
        return compute()
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        if size is not None:
            local_copies.put(full_key, version, entry[1], size(entry[1]))
        return entry[1]
    value = compute()
    if size is not None:
        local_copies.put(full_key, version, value, size(value))
    try:
        with _not_waiting():
            cache.set(full_key, (version, value), timeout=timeout)
    except DatabaseError as exc:
        if transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
            raise
        logger.warning("result cache unavailable: %s", exc)
    return value


def _start_request(**kwargs: Any) -> None:
    _request_memo.set([])


def _finish_request(**kwargs: Any) -> None:
    _request_memo.set(None)


request_started.connect(_start_request, dispatch_uid="golab-cache-request-started")
request_finished.connect(_finish_request, dispatch_uid="golab-cache-request-finished")
