"""Updating from one snapshot to the next, on a database that starts empty."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cases.models import Organisation, Project
from common.models import PublicationStatus
from evidence.models import EvidenceDocument
from golab.indigo import export_snapshot, import_snapshot
from tests.conftest import SNAPSHOT_2024, SNAPSHOT_2025, read_csv, write_csv

pytestmark = pytest.mark.django_db


def _public_data(folder) -> dict[str, object]:
    """Everything public: the export files, and the published evidence documents."""
    written = export_snapshot(folder)
    files = {name: (folder / name).read_text(encoding="utf-8") for name in written}
    documents = sorted(
        EvidenceDocument.objects.published().values_list("key", "title", "url", "document_type")
    )
    return {"files": files, "documents": documents}


def _wipe() -> None:
    Project.objects.all().delete()
    Organisation.objects.all().delete()
    from cases.models import OutcomeFund

    OutcomeFund.objects.all().delete()
    EvidenceDocument.objects.all().delete()


def test_2024_then_2025_gives_the_same_public_data_as_2025_alone(tmp_path):
    first = import_snapshot(SNAPSHOT_2024, run_by="tests")
    assert first.ok and first.counts["projects.csv"].created == 292
    second = import_snapshot(SNAPSHOT_2025, run_by="tests")
    assert second.ok
    projects = second.counts["projects.csv"]
    assert (projects.created, projects.withdrawn) == (29, 2)
    assert projects.updated > 0 and projects.created + projects.updated + projects.unchanged == 319
    assert {"INDIGO-POJ-0125", "INDIGO-POJ-0187"} <= set(second.withdrawn)
    chained = _public_data(tmp_path / "chained")

    for indigo_id in ("INDIGO-POJ-0125", "INDIGO-POJ-0187"):
        project = Project.objects.get(indigo_id=indigo_id)  # kept, not deleted
        assert project.status == PublicationStatus.WITHDRAWN
        assert project.outcome_metrics.exists() or project.sources.exists()
        assert project.history.first().history_change_reason.endswith("no longer in the snapshot")
    assert Project.objects.published().count() == 319

    _wipe()
    assert import_snapshot(SNAPSHOT_2025, run_by="tests").ok
    alone = _public_data(tmp_path / "alone")
    assert chained["documents"] == alone["documents"]
    for name, text in alone["files"].items():
        assert chained["files"][name] == text, name


def test_update_summary_names_what_changed(tmp_path):
    call_command("import_indigo", str(SNAPSHOT_2024), verbosity=0)
    out = io.StringIO()
    call_command("import_indigo", str(SNAPSHOT_2025), stdout=out)
    text = out.getvalue()
    assert "withdrawn: INDIGO-POJ-0125 (no longer in the snapshot)" in text
    assert "withdrawn: INDIGO-POJ-0187 (no longer in the snapshot)" in text
    line = next(li for li in text.splitlines() if li.startswith("projects.csv "))
    assert line.split()[1:] == ["29", "56", "234", "2", "0"]


def test_a_project_back_in_a_later_snapshot_is_published_again(tmp_path):
    import_snapshot(SNAPSHOT_2024, run_by="tests")
    import_snapshot(SNAPSHOT_2025, run_by="tests")
    assert Project.objects.get(indigo_id="INDIGO-POJ-0125").status == PublicationStatus.WITHDRAWN
    result = import_snapshot(SNAPSHOT_2024, run_by="tests")
    assert result.ok
    assert Project.objects.get(indigo_id="INDIGO-POJ-0125").status == PublicationStatus.PUBLISHED


def test_a_curators_edit_survives_a_later_import_and_is_reported(snapshot_copy):
    import_snapshot(SNAPSHOT_2025, run_by="tests")
    project = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    project.name = "Peterborough SIB (curated name)"
    project.intervention = "Curated intervention text"
    project.save()
    header, rows = read_csv(snapshot_copy / "projects.csv")
    row = next(r for r in rows if r["ID"] == "INDIGO-POJ-0153")
    row["Impact Bond Name - (Value)"] = "Peterborough (renamed at the source)"
    row["Service and beneficiaries - Target population - (Value)"] = "New population text"
    write_csv(snapshot_copy / "projects.csv", header, rows)

    result = import_snapshot(snapshot_copy, run_by="tests")
    assert result.ok
    project.refresh_from_db()
    assert project.name == "Peterborough SIB (curated name)"  # kept: changed on both sides
    assert project.intervention == "Curated intervention text"  # kept: source unchanged
    assert project.target_population == "New population text"  # the source's change applies
    assert [(c.key, c.column) for c in result.conflicts] == [
        ("INDIGO-POJ-0153", "Impact Bond Name - (Value)")
    ]
    assert "renamed at the source" in str(result.conflicts[0])
    again = import_snapshot(snapshot_copy, run_by="tests")
    assert again.changes() == 0 and again.conflicts == []


def test_load_demo_data_loads_once(tmp_path):
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Loaded 319 published projects." in out.getvalue()
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert Project.objects.count() == 319
