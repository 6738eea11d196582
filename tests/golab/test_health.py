from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs the real app in a child process with its own DATABASE_URL, asks /health/ once,
# optionally removes the database's folder, and asks again.
PROBE = textwrap.dedent(
    """
    import os, shutil, sys
    import django
    django.setup()
    from django.conf import settings
    # This probe is about the database: static files are served unhashed, not collected.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    client = Client()
    response = client.get("/health/")
    print(response.status_code, response.json()["status"])
    if len(sys.argv) > 1:
        connections.close_all()
        shutil.rmtree(sys.argv[1])
        response = client.get("/health/")
        print(response.status_code, response.json()["status"])
    """
)


def _probe(database_url: str, *args: str) -> list[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "golab.settings"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[:-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_health_answers_200_with_json_when_database_answers(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "static": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_for_a_sqlite_database_never_migrated_or_gone(tmp_path):
    # The site does not create the file, and an empty one lacks the tables; the full outage
    # behaviour (every page, file moved away and back) is in tests/ops/test_outage.py.
    folder = tmp_path / "db"
    folder.mkdir()
    lines = _probe(f"sqlite:///{folder / 'golab.sqlite3'}", str(folder))
    assert lines == ["503 unavailable", "503 unavailable"]
    assert not folder.exists()


def test_health_answers_503_when_the_postgresql_server_is_not_running():
    port = _free_port()  # nothing listens here: a stopped server
    lines = _probe(f"postgres://golab:secret@127.0.0.1:{port}/golab")
    assert lines == ["503 unavailable"]


@pytest.mark.django_db
def test_health_refuses_post(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_health_answers_503_while_static_files_are_not_collected(client, settings, tmp_path):
    """With the production storage and no collectstatic, every page would answer 500: the
    health check says so instead of 200 (issue 12, item 12)."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # the lazy storage follows the overridden settings
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "static": "not collected"}
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    staticfiles_storage._setup()
    assert client.get("/health/").status_code == 200
    assert client.get("/").status_code == 200
