from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from golab import settings as golab_settings

ROOT = Path(__file__).resolve().parents[2]


def _manage(
    env_overrides: dict[str, str], *args: str, drop: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in {**os.environ, **env_overrides}.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_env_bool_rejects_unknown_words(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        golab_settings.env_bool("SOME_FLAG", False)


def test_env_bool_reads_true_and_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert golab_settings.env_bool("SOME_FLAG", False) is True
    monkeypatch.setenv("SOME_FLAG", "off")
    assert golab_settings.env_bool("SOME_FLAG", True) is False


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        golab_settings.env_int("SOME_NUMBER", 1)


@pytest.mark.parametrize(
    "url", ["nonsense", "mysql://u:p@h/db", "sqlite://", "postgres://u:p@localhost:5432/"]
)
def test_env_database_rejects_unsupported_urls(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        golab_settings.env_database("DATABASE_URL", "sqlite:///x.sqlite3")


def test_env_database_selects_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://golab:pw@db.internal:5433/golab")
    config = golab_settings.env_database("DATABASE_URL", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "golab")
    assert config["CONN_HEALTH_CHECKS"] is True
    # No JIT for the facet statement: compiling its plan cost 20 s at 100,000 projects.
    assert config["OPTIONS"] == {"options": "-c jit=off"}


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    from django.db import connection

    if connection.vendor != "postgresql":
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_env_database_defaults_to_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = golab_settings.env_database("DATABASE_URL", "sqlite:////tmp/golab.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/golab.sqlite3"


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = _manage(
        {"SECRET_KEY": "", "GOLAB_GENERATE_SECRET_KEY": "0", "GOLAB_VAR_DIR": str(tmp_path)},
        "check",
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: SECRET_KEY is required when DEBUG is off")


def test_generated_secret_key_is_kept_private_and_reused(tmp_path):
    env = {"SECRET_KEY": "", "GOLAB_GENERATE_SECRET_KEY": "1", "GOLAB_VAR_DIR": str(tmp_path)}
    assert _manage(env, "check").returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _manage(env, "check").returncode == 0
    assert key_file.read_text() == first


def test_bad_database_url_fails_with_one_clear_line():
    result = _manage({"DATABASE_URL": "nonsense"}, "migrate")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: DATABASE_URL must be")
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # make, then manage.py, in processes of their own
def test_make_run_with_bad_database_url_stops_with_a_line_naming_it():
    env = {**os.environ, "DATABASE_URL": "nonsense"}
    result = subprocess.run(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [errors[0]] and "DATABASE_URL" in errors[0]
    assert "Traceback" not in result.stderr
    assert "Serving" not in result.stdout


def test_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_production_settings_pass_the_deploy_check():
    env = {
        "HTTPS": "1",
        "SECRET_KEY": "s3cret-" + "k" * 60,
        "ALLOWED_HOSTS": "outcomes.example.org",
        "GOLAB_GENERATE_SECRET_KEY": "0",
    }
    # The browser tests allow async-unsafe ORM use in this process; a server never does.
    result = _manage(
        env, "check", "--deploy", "--fail-level", "WARNING", drop=("DJANGO_ALLOW_ASYNC_UNSAFE",)
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
