"""The database is away: every page answers 503 with a plain page and ``Retry-After``.

A stopped PostgreSQL server, a dropped connection, a moved SQLite file or a database without
its tables all surface as a ``django.db`` error somewhere in a request: in a view, while a
template response renders, or in a middleware (the session or the user are read lazily).
``DatabaseOutageMiddleware.process_exception`` answers for the first two, ``server_error``
(the project's ``handler500``) for the rest. The page is rendered from a static template
without the request, so no context processor, session, user or message store is read.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.db import InterfaceError, OperationalError, ProgrammingError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger("golab.outage")

RETRY_AFTER_SECONDS = 30
TEMPLATE = "503.html"
# PostgreSQL's SQLSTATE for "relation does not exist": the schema is not there (not migrated,
# or a restore of the wrong database). SQLite says "no such table" as an OperationalError.
UNDEFINED_TABLE = "42P01"
# SQLite raises OperationalError and InterfaceError for bugs too (an FTS5 query it cannot
# parse, too many variables, a value it cannot bind): only these messages mean the database
# itself cannot be used.
SQLITE_OUTAGES = (
    "unable to open database file",
    "no such table",
    "database is locked",
    "disk i/o error",
    "database disk image is malformed",
    "file is not a database",
    "readonly database",
)


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be used right now."""
    for error in _chain(exc):
        if isinstance(error, OperationalError | InterfaceError) and isinstance(
            error.__cause__, sqlite3.Error
        ):
            return any(message in str(error).lower() for message in SQLITE_OUTAGES)
        if isinstance(error, OperationalError | InterfaceError):
            return True
        if isinstance(error, ProgrammingError):
            cause = error.__cause__
            if getattr(cause, "pgcode", None) == UNDEFINED_TABLE:
                return True
    return False


def unavailable() -> HttpResponse:
    """The 503 page: static, rendered without the request (nothing here touches the database)."""
    response = HttpResponse(loader.get_template(TEMPLATE).render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def outage_response(request: HttpRequest, exc: BaseException) -> HttpResponse | None:
    if not is_outage(exc):
        return None
    logger.warning(
        "database unavailable: %s %s answered 503: %s", request.method, request.path, exc
    )
    return unavailable()


class DatabaseOutageMiddleware:
    """Turns a database outage in a view (or in rendering its template response) into a 503.

    Built once by each process that serves requests (gunicorn, runserver, a test client), it
    first makes that process open its SQLite files without creating them: a moved or deleted
    file is an outage, never a new empty database where the real one was. Commands and
    scripts (``migrate`` first of all, as ``make run`` does on a fresh machine) still may.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        never_create_sqlite_files()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        drop_connections_to_moved_sqlite_files()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: an outage met outside a view (say, by the session middleware) is a 503;
    any other error is the plain 500 page, as Django's own handler renders it."""
    exc = sys.exc_info()[1]
    if exc is not None and (response := outage_response(request, exc)) is not None:
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


def never_create_sqlite_files() -> None:
    """Open every SQLite database of this process by a ``mode=rw`` URI from now on."""
    for alias in connections:
        settings_dict = connections.settings[alias]
        if settings_dict["ENGINE"] != "django.db.backends.sqlite3":
            continue
        name = str(settings_dict["NAME"])
        if not name.startswith("file:") and name != ":memory:":
            # The same dict as every thread's connection uses; an open one keeps its file.
            settings_dict["NAME"] = sqlite_uri(name)


def sqlite_uri(path: str) -> str:
    """A SQLite URI that opens ``path`` read-write but never creates it (``mode=rw``)."""
    return f"file:{quote(path, safe='/')}?mode=rw"


# -- persistent SQLite connections --------------------------------------------------------------
# A SQLite connection is kept across requests (CONN_MAX_AGE): opening one is cheap, but its
# first query reads and parses the schema, about 2 ms a request. An open connection keeps
# reading its file even after the file was moved, deleted or replaced (a restore by hand, a
# copy put in place): before each request, one stat() of each open connection's path tells
# whether it is still the file the connection opened; if not, the connection is closed and the
# request connects afresh, which fails (an outage: 503) or opens the file now at that path.

FILE_IDENTITY = "_golab_sqlite_file"


def _sqlite_path(name: str) -> str | None:
    """The file a SQLite NAME (a path or a ``file:`` URI) opens; None for memory databases."""
    if name.startswith("file:"):
        parts = urlsplit(name)
        if "mode=memory" in parts.query:
            return None
        return unquote(parts.path)
    return None if name in ("", ":memory:") else name


def _identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def remember_sqlite_file(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` (connected in GolabConfig.ready, before any connection): note
    which file (device and inode) a SQLite connection opened."""
    if connection.vendor != "sqlite":
        return
    path = _sqlite_path(str(connection.settings_dict["NAME"]))
    identity = _identity(path) if path else None
    setattr(connection, FILE_IDENTITY, (path, identity) if identity else None)


def drop_connections_to_moved_sqlite_files(wrappers: Iterable[Any] | None = None) -> None:
    """Close each open SQLite connection whose path no longer names the file it opened."""
    for connection in connections.all(initialized_only=True) if wrappers is None else wrappers:
        if connection.vendor != "sqlite" or connection.connection is None:
            continue
        opened = getattr(connection, FILE_IDENTITY, None)
        if opened is None or connection.in_atomic_block:
            continue
        path, identity = opened
        if _identity(path) != identity:
            logger.warning("%s is not the file its connection opened: reconnecting", path)
            connection.close()
