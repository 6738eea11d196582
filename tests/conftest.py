from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic first, so the manifest storage
    # used in production (which needs collectstatic's manifest) is swapped for the plain one.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# --- the bundled INDIGO snapshots -------------------------------------------------------------
import csv  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

from django.db import transaction  # noqa: E402

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


@pytest.fixture(scope="module")
def indigo_2025(django_db_setup, django_db_blocker):
    """The 2025-05 snapshot imported once for a module's tests, rolled back afterwards.
    Each test still runs in its own savepoint, so tests cannot disturb each other."""
    from golab.indigo import import_snapshot

    with django_db_blocker.unblock(), transaction.atomic():
        result = import_snapshot(SNAPSHOT_2025, run_by="tests")
        assert result.ok, result.errors[:5]
        yield result
        transaction.set_rollback(True)


def remove_project(folder: Path, indigo_id: str) -> None:
    """Drop a project and its component rows from a snapshot, as the source does when it
    makes a project private."""
    for path in folder.glob("projects*.csv"):
        header, rows = read_csv(path)
        key = "ID" if path.name == "projects.csv" else "Project ID"
        write_csv(path, header, [r for r in rows if r[key].strip() != indigo_id])


def subset_snapshot(target: Path, project_ids: set[str], *, all_parties: bool = False) -> Path:
    """A copy of the 2025-05 snapshot with only some projects and the organisations and funds
    they name (every one with ``all_parties``): real data, small enough to import in a
    moment. Every file is there, as in a real snapshot."""
    import re

    target.mkdir(parents=True, exist_ok=True)
    tables = {path.name: read_csv(path) for path in SNAPSHOT_2025.glob("*.csv")}
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
