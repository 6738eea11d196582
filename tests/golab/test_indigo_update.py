"""Updating from one snapshot to the next, on a database that starts empty.

The real 2024-04 → 2025-05 chain is imported once for the tests that read it (a HeldData,
see tests/conftest.py); where the full size is not the point, a few real projects do."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from cases.models import ImportRun, Project, PublicationStatus
from golab.indigo import ImportResult, import_snapshot
from tests.conftest import (
    SNAPSHOT_2024,
    SNAPSHOT_2025,
    HeldData,
    public_data,
    read_csv,
    subset_snapshot,
    write_csv,
)

pytestmark = pytest.mark.django_db


@dataclass
class Chain:
    first: ImportResult  # 2024-04 into an empty database
    report: str  # what `manage.py import_indigo` printed for 2025-05 on top of it
    summary: dict[str, dict[str, int]]  # and the ImportRun it recorded


def _import_2024_then_2025() -> Chain:
    first = import_snapshot(SNAPSHOT_2024, run_by="tests")
    assert first.ok, first.errors[:5]
    out = io.StringIO()
    call_command("import_indigo", str(SNAPSHOT_2025), stdout=out)
    return Chain(first, out.getvalue(), ImportRun.objects.latest("started_at").summary)


CHAIN = HeldData("chain_2024_2025", _import_2024_then_2025)


@pytest.fixture(scope="session")
def _chain_held(django_db_setup, django_db_blocker, indigo_2025_public_data):
    # Takes the public data of 2025-05 alone first: it cannot be taken while this is held.
    CHAIN.open(django_db_blocker)
    yield CHAIN
    CHAIN.close()


@pytest.fixture
def chain_2024_2025(_chain_held, db) -> Chain:
    return _chain_held.get()


@pytest.mark.slow  # the full 2024-04 -> 2025-05 chain
def test_2024_then_2025_gives_the_same_public_data_as_2025_alone(
    chain_2024_2025, indigo_2025_public_data, tmp_path
):
    assert chain_2024_2025.first.counts["projects.csv"].created == 292
    projects = chain_2024_2025.summary["projects.csv"]
    assert (projects["created"], projects["withdrawn"]) == (29, 2)
    assert projects["updated"] > 0
    assert projects["created"] + projects["updated"] + projects["unchanged"] == 319
    withdrawn = set(re.findall(r"withdrawn: (INDIGO-POJ-\d+)", chain_2024_2025.report))
    assert {"INDIGO-POJ-0125", "INDIGO-POJ-0187"} <= withdrawn
    chained = public_data(tmp_path / "chained")

    for indigo_id in ("INDIGO-POJ-0125", "INDIGO-POJ-0187"):
        project = Project.objects.get(indigo_id=indigo_id)  # kept, not deleted
        assert project.status == PublicationStatus.WITHDRAWN
        assert project.outcome_metrics.exists() or project.sources.exists()
        assert project.history.first().history_change_reason.endswith("no longer in the snapshot")
    assert Project.objects.published().count() == 319

    alone = indigo_2025_public_data  # 2025-05 imported into an empty database
    assert chained["documents"] == alone["documents"]
    assert chained["files"].keys() == alone["files"].keys()
    for name, text in alone["files"].items():
        assert chained["files"][name] == text, name


@pytest.mark.slow  # the full 2024-04 -> 2025-05 chain
def test_update_summary_names_what_changed(chain_2024_2025):
    text = chain_2024_2025.report
    assert "withdrawn: INDIGO-POJ-0125 (no longer in the snapshot)" in text
    assert "withdrawn: INDIGO-POJ-0187 (no longer in the snapshot)" in text
    line = next(li for li in text.splitlines() if li.startswith("projects.csv "))
    assert line.split()[1:] == ["29", "56", "234", "2", "0"]


@pytest.mark.slow  # the full 2024-04 -> 2025-05 chain
def test_a_project_back_in_a_later_snapshot_is_published_again(chain_2024_2025):
    assert Project.objects.get(indigo_id="INDIGO-POJ-0125").status == PublicationStatus.WITHDRAWN
    result = import_snapshot(SNAPSHOT_2024, run_by="tests")
    assert result.ok
    assert Project.objects.get(indigo_id="INDIGO-POJ-0125").status == PublicationStatus.PUBLISHED


def test_a_curators_edit_survives_a_later_import_and_is_reported(tmp_path):
    folder = subset_snapshot(tmp_path / "peterborough", {"INDIGO-POJ-0153"})
    assert import_snapshot(folder, run_by="tests").ok
    project = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    project.name = "Peterborough SIB (curated name)"
    project.intervention = "Curated intervention text"
    project.save()
    header, rows = read_csv(folder / "projects.csv")
    row = next(r for r in rows if r["ID"] == "INDIGO-POJ-0153")
    row["Impact Bond Name - (Value)"] = "Peterborough (renamed at the source)"
    row["Service and beneficiaries - Target population - (Value)"] = "New population text"
    write_csv(folder / "projects.csv", header, rows)

    result = import_snapshot(folder, run_by="tests")
    assert result.ok
    project.refresh_from_db()
    assert project.name == "Peterborough SIB (curated name)"  # kept: changed on both sides
    assert project.intervention == "Curated intervention text"  # kept: source unchanged
    assert project.target_population == "New population text"  # the source's change applies
    assert [(c.key, c.column) for c in result.conflicts] == [
        ("INDIGO-POJ-0153", "Impact Bond Name - (Value)")
    ]
    assert "renamed at the source" in str(result.conflicts[0])
    again = import_snapshot(folder, run_by="tests")
    assert again.changes() == 0 and again.conflicts == []


def test_load_demo_data_loads_once(settings, tmp_path):
    # `make run` loads the bundled 2025-05 snapshot; two of its projects stand in for it here
    # (its full import is tested in test_indigo_import.py).
    assert settings.BASE_DIR / "data" / "indigo" / "2025-05" == SNAPSHOT_2025
    settings.BASE_DIR = tmp_path
    subset_snapshot(
        tmp_path / "data" / "indigo" / "2025-05", {"INDIGO-POJ-0153", "INDIGO-POJ-0175"}
    )
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Loaded 2 published projects." in out.getvalue()
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert Project.objects.count() == 2
