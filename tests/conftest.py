from __future__ import annotations

import csv
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.db import transaction


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic first, so the manifest storage
    # used in production (which needs collectstatic's manifest) is swapped for the plain one.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's many rounds cost about 0.3 s for every user created and every login tried; no
    # test is about the hash itself, so tests use the fastest hasher Django has.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _result_cache_off_unless_asked(request, settings):
    # The shared page and count cache (common/cache.py) is off unless a test asks for it with
    # the `result_cache` fixture: a pinned query count then measures the page itself.
    if "result_cache" not in request.fixturenames:
        settings.RESULT_CACHE = False


@pytest.fixture
def result_cache(settings):
    """The shared page and count cache switched on, as in production. Each test starts
    without the copies a process keeps (a test's database is rolled back, its data version
    with it, and the next may make the same one again)."""
    from common.cache import local_copies

    settings.RESULT_CACHE = True
    local_copies.clear()
    yield
    local_copies.clear()


# --- the bundled INDIGO snapshots -------------------------------------------------------------
DATA = Path(__file__).resolve().parent.parent / "data" / "indigo"
SNAPSHOT_2024 = DATA / "2024-04"
SNAPSHOT_2025 = DATA / "2025-05"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def snapshot_copy(tmp_path):
    """A writable copy of the 2025-05 snapshot, for tests that edit a file."""
    target = tmp_path / "2025-05"
    shutil.copytree(SNAPSHOT_2025, target)
    for child in target.iterdir():
        child.chmod(0o644)
    return target


# --- data imported once for a run of tests ----------------------------------------------------
class HeldData:
    """Data built once (an import of a whole snapshot takes seconds) and held, uncommitted, in
    one outer transaction while consecutive tests use it; each test still runs in its own
    savepoint, so tests cannot disturb each other. When the next test does not use it, the
    transaction is rolled back, so every other test starts from an empty database.

    ``pytest_collection_modifyitems`` below makes each holder's tests consecutive, so a whole
    run builds it once; should a later test use it again (say, with the order changed), it is
    simply built again. It lives in the tests' own connection, so it works alike on SQLite and
    PostgreSQL; tests that must commit (``transaction=True``, the live server) cannot use it.

    Each holder is two fixtures: a session-scoped opener, so that the outer transaction is
    entered before the test's own (function-scoped) one, and the function-scoped fixture named
    ``fixture`` that tests ask for, which returns what ``build`` returned.
    """

    registry: ClassVar[dict[str, HeldData]] = {}

    def __init__(self, fixture: str, build: Callable[[], Any]) -> None:
        self.fixture = fixture
        self.build = build
        self.value: Any = None
        self._atomic: transaction.Atomic | None = None
        self._blocker: Any = None
        HeldData.registry[fixture] = self

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def used_by(self, item: pytest.Item) -> bool:
        return self.fixture in getattr(item, "fixturenames", ())

    def open(self, blocker: Any = None) -> None:
        self._blocker = blocker or self._blocker
        if self.is_open:
            return
        others = [held.fixture for held in self.registry.values() if held.is_open]
        assert not others, f"{self.fixture} cannot be built on top of {others}"
        with self._blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                self.value = self.build()
            except BaseException as error:
                atomic.__exit__(type(error), error, error.__traceback__)
                raise
            self._atomic = atomic

    def close(self) -> None:
        if self._atomic is None:
            return
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = None
        self.value = None

    def get(self) -> Any:
        assert self.is_open, f"{self.fixture} is not held: its opener fixture did not run"
        return self.value


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in names
        or "live_server" in names
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # After pytest-django's own ordering (tests with rolled-back transactions first): the
    # tests that use one HeldData run one after another, where the first of them was.
    for held in HeldData.registry.values():
        users = [item for item in items if held.used_by(item)]
        if not users:
            continue
        if committing := [item.nodeid for item in users if _is_transactional(item)]:
            raise pytest.UsageError(f"{held.fixture} cannot serve transactional tests {committing}")
        first = items.index(users[0])
        others = [item for item in items if not held.used_by(item)]
        items[:] = others[:first] + users + others[first:]
    INDIGO_2025_PUBLIC.wanted = any(
        "indigo_2025_public_data" in getattr(item, "fixturenames", ()) for item in items
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    # Held data rolled back after an earlier run of its tests is built again, before any of
    # this test's fixtures (and so before its own transaction). The very first build is the
    # opener fixture's, once the test database exists.
    for held in HeldData.registry.values():
        if held.used_by(item) and held._blocker is not None:
            held.open()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield  # the test's own fixtures, and its transaction, are gone now
    for held in HeldData.registry.values():
        if held.is_open and (nextitem is None or not held.used_by(nextitem)):
            held.close()


def public_data(folder: Path) -> dict[str, object]:
    """Everything public: the export files, and the published evidence documents."""
    from evidence.models import EvidenceDocument
    from golab.indigo import export_snapshot

    written = export_snapshot(folder)
    files = {name: (folder / name).read_text(encoding="utf-8") for name in written}
    documents = sorted(
        EvidenceDocument.objects.published().values_list("key", "title", "url", "document_type")
    )
    return {"files": files, "documents": documents}


class _PublicData2025:
    """``public_data`` of 2025-05 imported into an empty database, taken once: while the 2025-05
    import is held for other tests when any test asks for it (it costs an export), or else by
    an import of its own."""

    wanted = False
    value: dict[str, object] | None = None

    def take(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            self.value = public_data(Path(folder))


INDIGO_2025_PUBLIC = _PublicData2025()


def _import_2025():
    from golab.indigo import import_snapshot

    result = import_snapshot(SNAPSHOT_2025, run_by="tests")
    assert result.ok, result.errors[:5]
    if INDIGO_2025_PUBLIC.wanted and INDIGO_2025_PUBLIC.value is None:
        INDIGO_2025_PUBLIC.take()
    return result


INDIGO_2025 = HeldData("indigo_2025", _import_2025)


@pytest.fixture(scope="session")
def _indigo_2025_held(django_db_setup, django_db_blocker):
    INDIGO_2025.open(django_db_blocker)
    yield INDIGO_2025
    INDIGO_2025.close()


@pytest.fixture
def indigo_2025(_indigo_2025_held, db):
    """The 2025-05 snapshot imported into an empty database (the ImportResult), imported once
    for all the tests that use it; changes a test makes are rolled back after it."""
    return _indigo_2025_held.get()


@pytest.fixture(scope="session")
def indigo_2025_public_data(django_db_setup, django_db_blocker) -> dict[str, object]:
    if INDIGO_2025_PUBLIC.value is None and INDIGO_2025.is_open:
        with django_db_blocker.unblock():
            INDIGO_2025_PUBLIC.take()  # between tests, so as imported
    elif INDIGO_2025_PUBLIC.value is None:
        INDIGO_2025_PUBLIC.wanted = True
        INDIGO_2025.open(django_db_blocker)  # refuses if other held data is open
        INDIGO_2025.close()
    assert INDIGO_2025_PUBLIC.value is not None
    return INDIGO_2025_PUBLIC.value


# --- smaller snapshots --------------------------------------------------------------------------
def remove_project(folder: Path, indigo_id: str) -> None:
    """Drop a project and its component rows from a snapshot, as the source does when it
    makes a project private."""
    for path in folder.glob("projects*.csv"):
        header, rows = read_csv(path)
        key = "ID" if path.name == "projects.csv" else "Project ID"
        write_csv(path, header, [r for r in rows if r[key].strip() != indigo_id])


def subset_snapshot(
    target: Path,
    project_ids: set[str],
    *,
    all_parties: bool = False,
    source: Path = SNAPSHOT_2025,
) -> Path:
    """A copy of a snapshot (2025-05 unless ``source`` says) with only some projects and the
    organisations and funds they name (every one with ``all_parties``): real data, small
    enough to import in a moment. Every file is there, as in a real snapshot."""
    target.mkdir(parents=True, exist_ok=True)
    tables = {path.name: read_csv(path) for path in source.glob("*.csv")}
    for name, (header, rows) in tables.items():
        if name == "projects.csv":
            rows = [r for r in rows if r["ID"].strip() in project_ids]
        elif name.startswith("projects_"):
            rows = [r for r in rows if r["Project ID"].strip() in project_ids]
        tables[name] = (header, rows)
    if not all_parties:
        named = re.compile(r"INDIGO-(?:ORG|FUND)-\d+")

        def ids_in(names: list[str]) -> set[str]:
            return {
                found
                for name in names
                for row in tables[name][1]
                for cell in row.values()
                for found in named.findall(cell or "")
            }

        wanted = ids_in([n for n in tables if n.startswith("projects")])
        # The organisations the kept funds name, too.
        for name in [n for n in tables if n.startswith("funds_")]:
            rows = [r for r in tables[name][1] if r["Fund ID"].strip() in wanted]
            wanted |= {f for r in rows for c in r.values() for f in named.findall(c or "")}
        for name, (header, rows) in tables.items():
            key = {"organisations": "ID", "funds": "ID"}.get(name.removesuffix(".csv"))
            if key:
                rows = [r for r in rows if r[key].strip() in wanted]
            elif name.startswith("organisations_"):
                rows = [r for r in rows if r["Organisation ID"].strip() in wanted]
            elif name.startswith("funds_"):
                rows = [r for r in rows if r["Fund ID"].strip() in wanted]
            tables[name] = (header, rows)
    for name, (header, rows) in tables.items():
        write_csv(target / name, header, rows)
    return target


# --- accounts and uploads shared by the admin tests -------------------------------------------

PASSWORD = "correct horse battery staple 9"


ROLES = ("Editor", "Curator")


def ensure_roles() -> None:
    """The Editor and Curator groups, as golab's data migrations make them. A transactional
    test's flush empties every table, so a later transactional test finds no roles: this
    runs those migrations' code again (on the migrations' own model states)."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    if Group.objects.filter(name__in=ROLES).count() == len(ROLES):
        return
    loader = MigrationLoader(connection)
    state_apps = loader.project_state().apps
    for key in sorted(k for k in loader.disk_migrations if k[0] == "golab"):
        for operation in loader.disk_migrations[key].operations:
            if isinstance(operation, RunPython):
                operation.code(state_apps, None)


def make_user(username: str, group: str | None = None, **extra):
    """A staff account, in the role ``group`` (Editor, Curator) when given."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True, **extra
    )
    if group:
        ensure_roles()
        user.groups.add(Group.objects.get(name=group))
    return user


def verify_second_factor(client, user):
    """Mark ``client``'s session as past the second factor of ``user``, as the code step does,
    with a confirmed authenticator made for the account when it has none; return it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _staff_logins_pass_the_second_factor(monkeypatch):
    # The admin needs a second factor (golab/second_factor.py). Tests that sign a staff account
    # in with force_login are about what comes after, so their session has passed it too;
    # tests/security/test_second_factor.py signs in through the real forms.
    from django.test import Client

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def curator(db):
    return make_user("curt", "Curator")


@pytest.fixture
def editor(db):
    return make_user("edith", "Editor")


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


def zip_upload(folder: Path):
    """The CSVs of ``folder`` as an uploaded .zip, as the admin's import form receives it."""
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    return SimpleUploadedFile("indigo.zip", buffer.getvalue(), content_type="application/zip")


def run_queued_jobs() -> int:
    """Run the background jobs waiting in the queue, as ``manage.py db_worker`` does (its
    own claim and run), in this process and this test's transaction; return how many."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while (queued := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        queued.claim(worker.worker_id)
        worker.run_task(queued)
        ran += 1
    return ran


def admin_import(client, data: dict):
    """Post to the admin's import page as a browser does; when it queues a job, let the
    worker run it and return the job's page, where the browser lands."""
    response = client.post("/admin/cases/importrun/import/", data)
    if response.status_code != 302 or "/import/" not in response["Location"]:
        return response
    run_queued_jobs()
    return client.get(response["Location"])
