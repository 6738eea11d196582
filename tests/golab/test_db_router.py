"""Scale-out: reads from read replicas (golab/db_router.py), the settings that configure them
and uploads on object storage (STORAGE_BACKEND=s3)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Project
from golab import db_router
from golab.db_router import ReplicaRouter
from tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
REPLICA = "replica1"


@pytest.fixture
def replica(db, settings, monkeypatch):
    """A replica that is the test database itself (as Django's TEST MIRROR makes one), and
    the router that uses it. The connection is made here rather than in settings, so that
    Django's test case (which knows only "default") lets it connect."""
    settings_dict = {
        **copy.deepcopy(connections["default"].settings_dict),
        "TEST": {"MIRROR": "default"},
    }
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, REPLICA)
    setattr(connections._connections, REPLICA, connection)
    monkeypatch.setattr(db_router, "replica_aliases", lambda: [REPLICA])
    settings.DATABASE_ROUTERS = ["golab.db_router.ReplicaRouter"]
    yield REPLICA
    connection.close()
    delattr(connections._connections, REPLICA)


class Queries:
    """The queries each alias ran inside the block."""

    def __enter__(self):
        aliases = ["default", REPLICA]
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def on(self, alias: str, table: str = "") -> list[str]:
        return [q["sql"] for q in self.contexts[alias].captured_queries if table in q["sql"]]


def test_a_public_page_reads_from_the_replica(replica):
    with Queries() as queries:
        assert Client().get("/cases/").status_code == 200
    assert queries.on(replica, "cases_project")
    assert not queries.on("default", "cases_project")


def test_the_cache_table_stays_on_the_primary(replica, result_cache):
    with Queries() as queries:
        client = Client()
        client.get("/cases/")
        assert client.get("/cases/")["X-Page-Cache"] == "hit"
    assert queries.on("default", "golab_cache")
    assert not queries.on(replica, "golab_cache")
    assert queries.on(replica, "cases_project")


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/admin/login/"), ("get", "/admin/login/"), ("post", "/cases/")],
)
def test_admin_and_writes_use_the_primary_only(replica, method, url):
    with Queries() as queries:
        response = getattr(Client(), method)(url, {"username": "nobody", "password": "x" * 12})
    assert response.status_code < 500
    assert queries.on(replica) == []


def test_a_staff_page_reads_the_primary(replica, curator):
    ProjectFactory()
    client = Client()
    client.force_login(curator)
    with Queries() as queries:
        assert client.get("/admin/cases/project/").status_code == 200
    assert queries.on("default", "cases_project") and queries.on(replica) == []


def test_outside_a_request_everything_reads_the_primary(replica):
    with Queries() as queries:
        Project.objects.count()
    assert queries.on("default", "cases_project") and queries.on(replica) == []


def test_inside_a_transaction_a_request_reads_the_primary(replica):
    from golab.db_router import _replica_reads

    router = ReplicaRouter()
    token = _replica_reads.set(len(connections["default"].atomic_blocks))
    try:
        assert router.db_for_read(Project) == REPLICA
        with transaction.atomic():  # nested in the test's own: a savepoint is enough
            Project.objects.create(name="Written here", indigo_id="INDIGO-POJ-9999")
            assert router.db_for_read(Project) == "default"
    finally:
        _replica_reads.reset(token)


def test_writes_and_migrations_go_to_the_primary(replica):
    router = ReplicaRouter()
    assert router.db_for_write(Project) == "default"
    assert router.allow_migrate("default", "cases") is True
    assert router.allow_migrate(REPLICA, "cases") is False


def _settings_in_a_fresh_process(**env: str) -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'databases': {a: d.get('TEST', {}) for a, d in s.DATABASES.items()},"
        "'hosts': {a: d.get('HOST') for a, d in s.DATABASES.items()},"
        "'routers': s.DATABASE_ROUTERS, 'storage': s.STORAGES['default']}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_add_replicas_and_object_storage_from_the_environment():
    # Nothing connects: the settings are only read.
    found = _settings_in_a_fresh_process(
        DATABASE_REPLICA_URLS="postgres://u@replica-a:5432/golab, postgres://u@replica-b/golab",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="golab-uploads",
        AWS_S3_REGION_NAME="eu-west-2",
    )
    assert found["databases"]["replica1"]["MIRROR"] == "default"
    assert found["hosts"]["replica1"] == "replica-a" and found["hosts"]["replica2"] == "replica-b"
    assert found["routers"] == ["golab.db_router.ReplicaRouter"]
    assert found["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["storage"]["OPTIONS"]["bucket_name"] == "golab-uploads"
    assert found["storage"]["OPTIONS"]["region_name"] == "eu-west-2"
    assert found["storage"]["OPTIONS"]["default_acl"] == "private"


def test_without_them_one_database_and_local_files(settings):
    assert settings.DATABASE_ROUTERS == [] or "DATABASE_REPLICA_URLS" in os.environ
    assert settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def test_a_bad_storage_backend_or_missing_bucket_stops_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from golab import settings as golab_settings

    env = {"STORAGE_BACKEND": "ftp"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with pytest.raises(ImproperlyConfigured, match="STORAGE_BACKEND"):
            golab_settings.file_storage()
        patch.setenv("STORAGE_BACKEND", "s3")
        patch.delenv("AWS_STORAGE_BUCKET_NAME", raising=False)
        with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
            golab_settings.file_storage()
