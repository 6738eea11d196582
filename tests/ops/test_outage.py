"""A database outage answers 503 with a plain page and Retry-After on every page that needs
the database, on SQLite (file moved away) and PostgreSQL (server stopped); once the database
is back the very next request succeeds (issue 16, items 2 and 3)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError

from golab import outage

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("outage_child.py")


def _run_child(database_url: str, *steps: str) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "golab.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, str(CHILD), *steps],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def _rounds(lines: list[dict]) -> list[list[dict]]:
    """The answers of each ``ask`` step, in order."""
    rounds: list[list[dict]] = [[]]
    for line in lines:
        if "page" in line:
            rounds[-1].append(line)
        elif rounds[-1]:
            rounds.append([])
    return [r for r in rounds if r]


def _assert_all_ok(answers: list[dict]) -> None:
    assert [(a["page"], a["status"]) for a in answers] == [(a["page"], 200) for a in answers]


def _assert_all_unavailable(answers: list[dict]) -> None:
    assert len(answers) == 7
    for answer in answers:
        assert answer["status"] == 503, answer["page"]
        assert answer["retry_after"] == str(outage.RETRY_AFTER_SECONDS), answer["page"]
        if answer["page"] != "/health/":  # /health/ answers JSON for load balancers
            assert answer["type"].startswith("text/html")
            assert "Temporarily unavailable" in answer["body"]
            assert "<script" not in answer["body"]


def test_sqlite_file_moved_away_gives_503_everywhere_and_no_new_file(tmp_path):
    database = tmp_path / "golab.sqlite3"
    away = tmp_path / "moved.sqlite3"
    lines = _run_child(
        f"sqlite:///{database}",
        "ask",
        f"run:{json.dumps(['mv', str(database), str(away)])}",
        "ask",
        f"exists:{database}",
        f"run:{json.dumps(['mv', str(away), str(database)])}",
        "ask",
    )
    before, during, after = _rounds(lines)
    _assert_all_ok(before)
    _assert_all_unavailable(during)
    health = json.loads(during[-1]["body"])
    assert health == {"status": "unavailable", "database": "unavailable"}
    # The app did not create an empty database where the real one was.
    assert {"exists": False} in lines
    _assert_all_ok(after)


def test_health_fails_and_creates_no_file_when_the_sqlite_file_is_missing(tmp_path):
    """Before the fix /health/ answered 200 here and left an empty database file behind."""
    database = tmp_path / "golab.sqlite3"
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "r = Client(raise_request_exception=False).get('/health/')\n"
        "print(r.status_code, r.json())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "golab.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split("\n")[-2].startswith("503 "), result.stderr[-2000:]
    assert not database.exists()
    # An empty file (no tables: a database that was never migrated) fails it too.
    sqlite3.connect(database).close()
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split("\n")[-2] == (
        "503 {'status': 'unavailable', 'database': 'schema missing'}"
    ), result.stderr[-2000:]


def test_migrate_still_creates_the_sqlite_file(tmp_path):
    """`make run` on a fresh machine: migrate creates the database it is asked to migrate."""
    database = tmp_path / "golab.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--plan"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert database.exists()


# --- PostgreSQL: a throwaway cluster of our own, stopped and started -----------------------


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    assert found, "PostgreSQL server binaries are needed (Debian: apt-get install postgresql)"
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="golab-ops-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        # As root (CI), PostgreSQL runs as the postgres user; otherwise as whoever we are.
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.root, "postgres")

    def command(self, name: str, *args: str) -> list[str]:
        return [*self.as_postgres, str(self.bin / name), *args]

    def pg_ctl(self, action: str) -> list[str]:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        return self.command(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-m", "fast",
            "-o", options, action,
        )  # fmt: skip

    def run(self, command: list[str]) -> None:
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.run(
            self.command(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync",
            )
        )  # fmt: skip
        self.run(self.pg_ctl("start"))
        self.run(
            self.command(
                "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "golab"
            )
        )

    def remove(self) -> None:
        subprocess.run(
            self.command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/golab"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def test_postgresql_stopped_gives_503_everywhere_and_the_first_request_after_restart_succeeds(
    cluster,
):
    lines = _run_child(
        cluster.url,
        "ask",
        f"run:{json.dumps(cluster.pg_ctl('stop'))}",
        "ask",
        f"run:{json.dumps(cluster.pg_ctl('start'))}",
        "ask",
    )
    before, during, after = _rounds(lines)
    _assert_all_ok(before)
    _assert_all_unavailable(during)
    _assert_all_ok(after)  # the first request after the restart included


# --- the handler for errors outside views -------------------------------------------------


def test_an_outage_outside_a_view_is_a_503_and_other_errors_stay_500(rf):
    request = rf.get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = outage.server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    try:
        raise ValueError("a bug")
    except ValueError:
        response = outage.server_error(request)
    assert response.status_code == 500


@pytest.mark.django_db
def test_health_reads_the_table_list_in_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/health/")
    assert response.json() == {"status": "ok", "database": "ok", "static": "ok"}


def _wrapped(message: str) -> OperationalError:
    """An OperationalError as Django raises it from a SQLite one."""
    try:
        try:
            raise sqlite3.OperationalError(message)
        except sqlite3.OperationalError as cause:
            raise OperationalError(message) from cause
    except OperationalError as error:
        return error


def test_a_sqlite_error_that_is_a_bug_stays_a_500():
    assert outage.is_outage(_wrapped("unable to open database file"))
    assert outage.is_outage(_wrapped("no such table: cases_project"))
    assert outage.is_outage(_wrapped("database is locked"))
    assert not outage.is_outage(_wrapped('fts5: syntax error near "*"'))
    assert not outage.is_outage(_wrapped("too many SQL variables"))
    assert not outage.is_outage(ValueError("a bug"))


def _sqlite_wrapper(path: Path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": outage.sqlite_uri(str(path)),
        "OPTIONS": {},
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings_dict, alias="kept")


@pytest.mark.parametrize("change", ["moved", "replaced", "unchanged"])
def test_a_kept_sqlite_connection_is_closed_once_its_file_is_moved_or_replaced(
    tmp_path, change, django_db_blocker
):
    """SQLite connections are kept across requests (CONN_MAX_AGE); an open one reads its old
    file even after the file was moved away or replaced. Before each request it is closed when
    its path no longer names the file it opened, so the next query sees what is there now."""
    database = tmp_path / "golab.sqlite3"
    sqlite3.connect(database).execute("create table t (x)").connection.close()
    wrapper = _sqlite_wrapper(database)
    with django_db_blocker.unblock():  # a database of its own, not the test database
        _check_kept_connection(tmp_path, database, wrapper, change)


def _check_kept_connection(tmp_path: Path, database: Path, wrapper, change: str) -> None:
    wrapper.ensure_connection()
    assert wrapper.connection is not None
    if change == "moved":
        database.rename(tmp_path / "away.sqlite3")
    elif change == "replaced":
        other = tmp_path / "other.sqlite3"
        sqlite3.connect(other).execute("create table u (y)").connection.close()
        os.replace(other, database)
    outage.drop_connections_to_moved_sqlite_files([wrapper])
    if change == "unchanged":
        assert wrapper.connection is not None
        wrapper.close()
        return
    assert wrapper.connection is None
    if change == "moved":
        with pytest.raises(OperationalError, match="unable to open"):
            wrapper.ensure_connection()
    else:
        with wrapper.cursor() as cursor:
            cursor.execute("select name from sqlite_master")
            assert cursor.fetchall() == [("u",)]
        wrapper.close()
