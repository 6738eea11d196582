"""Two app servers against one database (issue 16, "Load and scale-out"): a publish through one
is seen through the other on the very next request, its page cache included, and the API's
rate limit counts the requests made to both.

Two gunicorn processes (A and B) on two loopback ports share a database of their own: a
SQLite file on the SQLite run, a database created on the same PostgreSQL server on the
PostgreSQL run (DATABASE_URL set to postgres://...). This file is also the script that builds
that database (``python tests/ops/test_two_servers.py setup``): tables straight from the
models, the cache table, a published case, a draft ready to publish and a staff session.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRAFT_NAME = "Two Servers Zephyr Bond"
PUBLISHED_NAME = "Two Servers Published Bond"
AREA = "/policy-areas/homelessness/"
RATE = 4  # API requests a client may make per minute, in all


# --- the database, built by this file run as a script ----------------------------------------
def setup_database() -> None:
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    # Tables straight from the models (seconds faster than running every migration).
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("createcachetable", verbosity=0)

    from common.models import PublicationStatus
    from tests.factories import (
        DeliveryLocationFactory,
        OutcomePaymentCommitmentFactory,
        ProjectFactory,
    )

    ProjectFactory(name=PUBLISHED_NAME)
    draft = ProjectFactory(name=DRAFT_NAME, status=PublicationStatus.DRAFT, service_start="2021")
    DeliveryLocationFactory(project=draft)
    OutcomePaymentCommitmentFactory(project=draft)

    # A staff session as the login (and the second factor) would leave it.
    user = User.objects.create_superuser("twoservers", "ops@example.org", secrets.token_hex(16))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if "django_otp" in settings.INSTALLED_APPS:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="two servers", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    print(json.dumps({"session": session.session_key, "draft": draft.pk}))


# --- the test ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("two-servers")


@pytest.fixture(scope="module")
def database_url(folder) -> Iterator[str]:
    """A database of these tests' own, on the backend the suite runs on."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{folder / 'two-servers.sqlite3'}"
        return
    import psycopg2

    parts = urlsplit(url)
    name = f"golab_two_servers_{secrets.token_hex(4)}"
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def environment(database_url, folder) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "golab.settings",
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Pages link their static files without a collected manifest (no collectstatic here).
        "DEBUG": "1",
        "GOLAB_CACHE": "1",
        "GOLAB_VAR_DIR": str(folder / "var"),
        "MEDIA_ROOT": str(folder / "media"),
        "API_RATE_LIMIT": f"{RATE}/minute",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_REPLICA_URLS", "CACHE_URL"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def built(environment) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "setup"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _start(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "golab.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="module")
def servers(environment, built) -> Iterator[tuple[str, str]]:
    ports = _free_port(), _free_port()
    processes = [_start(environment, port) for port in ports]
    try:
        urls = tuple(f"http://127.0.0.1:{port}" for port in ports)
        deadline = time.monotonic() + 60
        for url, process in zip(urls, processes, strict=True):
            while True:
                assert process.poll() is None, process.stderr.read().decode()[-3000:]  # type: ignore[union-attr]
                try:
                    with urllib.request.urlopen(f"{url}/glossary/", timeout=30):  # noqa: S310
                        break
                except OSError:  # refused, reset or timed out: not up yet
                    assert time.monotonic() < deadline, f"{url} did not start"
                    time.sleep(0.2)
        yield urls  # type: ignore[misc]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _post(url: str, data: dict[str, str], cookies: dict[str, str]) -> int:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=urlencode(data).encode(),
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_a_publish_through_one_server_is_seen_through_the_other_at_once(servers, built):
    server_a, server_b = servers
    # B's caches are warm: the second request of each page is served from the page cache.
    for page in ("/cases/", AREA):
        _get(server_b + page)
        status, headers, body = _get(server_b + page)
        assert status == 200 and headers.get("X-Page-Cache") == "hit", page
        assert PUBLISHED_NAME in body and DRAFT_NAME not in body, page

    # A curator publishes the draft through A's admin: a real POST with a staff session.
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, cookie and field
    status = _post(
        f"{server_a}/admin/cases/project/{built['draft']}/transition/",
        {"to_status": "published", "csrfmiddlewaretoken": csrf},
        {"sessionid": built["session"], "csrftoken": csrf},
    )
    assert status == 302

    # The very next request to B shows it, on both pages.
    for page in ("/cases/", AREA):
        status, headers, body = _get(server_b + page)
        assert status == 200 and DRAFT_NAME in body, page
        assert headers.get("X-Page-Cache") == "miss", page


@pytest.mark.slow
def test_the_api_rate_limit_counts_requests_to_both_servers(servers):
    server_a, server_b = servers
    answers = [_get(f"{server}/api/v1/cases/")[0] for server in (server_a, server_b) * 2]
    assert answers == [200] * RATE
    # A fifth request, to either server, is over the limit the two share.
    assert _get(f"{server_b}/api/v1/cases/")[0] == 429
    assert _get(f"{server_a}/api/v1/cases/")[0] == 429


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    setup_database()


@pytest.mark.slow
def test_a_sqlite_database_is_migrated_into_write_ahead_log_mode(database_url, built):
    # WAL lets the pages of both servers read while an import's transaction holds the one
    # write lock (in the rollback journal they wait for it). PostgreSQL has no such mode; there
    # migrate must leave the server's own settings alone (JIT is off per connection, in the
    # app's connection options, not altered for the database).
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    else:
        import psycopg2

        with contextlib.closing(psycopg2.connect(database_url)) as db, db.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d "
                "ON d.oid = s.setdatabase WHERE d.datname = current_database()"
            )
            assert cursor.fetchone()[0] == 0
