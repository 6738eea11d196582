"""Holes 2, 6 and 9 of the security review: a snapshot with only projects.csv withdrew every
organisation, fund and evidence document and deleted the component rows; a damaged .zip
gave a traceback (command) or a 500 (admin) and left the upload behind; unknown columns were
ignored without a word."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from cases.models import Organisation, OutcomeMetric, Project
from common.models import PublicationStatus
from evidence.models import EvidenceDocument
from golab.indigo import REQUIRED_FILES, import_snapshot
from tests.conftest import (
    admin_import,
    read_csv,
    remove_project,
    subset_snapshot,
    write_csv,
    zip_upload,
)

pytestmark = pytest.mark.django_db
PROJECTS = {
    "INDIGO-POJ-0001", "INDIGO-POJ-0002", "INDIGO-POJ-0003", "INDIGO-POJ-0004",
    "INDIGO-POJ-0005", "INDIGO-POJ-0153",
}  # fmt: skip


@pytest.fixture
def small(tmp_path):
    """Six real projects with their parties, imported."""
    folder = subset_snapshot(tmp_path / "small", PROJECTS)
    assert import_snapshot(folder, run_by="tests").ok
    return folder


def _state() -> dict[str, object]:
    return {
        "projects": sorted(Project.objects.values_list("indigo_id", "status")),
        "organisations": sorted(Organisation.objects.values_list("indigo_id", "status")),
        "documents": sorted(EvidenceDocument.objects.values_list("pk", "status")),
        "metrics": OutcomeMetric.objects.count(),
    }


def test_a_snapshot_missing_a_file_is_refused_naming_it_and_changes_nothing(small, tmp_path):
    only_projects = tmp_path / "only-projects"
    only_projects.mkdir()
    shutil.copy(small / "projects.csv", only_projects)
    before = _state()
    result = import_snapshot(only_projects, run_by="tests")
    assert not result.ok
    named = {problem.file for problem in result.errors}
    assert named == set(REQUIRED_FILES) - {"projects.csv"}
    assert any(str(p).startswith("organisations.csv:0:-: file is missing") for p in result.errors)
    assert _state() == before

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_indigo", str(only_projects), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert _state() == before


def test_a_partial_snapshot_applies_only_its_files_and_withdraws_nothing_else(small, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    header, rows = read_csv(small / "projects.csv")
    for row in rows:
        if row["ID"].strip() == "INDIGO-POJ-0153":
            row["Impact Bond Name - (Value)"] = "Renamed by a partial snapshot"
    write_csv(partial / "projects.csv", header, rows)
    before = _state()
    result = import_snapshot(partial, run_by="tests", partial=True)
    assert result.ok, result.errors[:3]
    assert result.partial and not result.withdrawn and not result.withdrawn_documents
    assert Project.objects.get(indigo_id="INDIGO-POJ-0153").name == "Renamed by a partial snapshot"
    after = _state()
    assert after == before  # statuses of everything, and every component row, as they were
    assert all(c.deleted == 0 and c.withdrawn == 0 for c in result.counts.values())


def test_an_import_withdrawing_over_a_tenth_of_published_records_needs_an_explicit_yes(
    small, tmp_path
):
    fewer = tmp_path / "fewer"
    shutil.copytree(small, fewer)
    remove_project(fewer, "INDIGO-POJ-0001")  # 1 of 6 published projects: 17%
    before = _state()
    result = import_snapshot(fewer, run_by="tests")
    assert not result.ok and result.needs_confirmation and not result.applied
    assert result.withdrawn == ["INDIGO-POJ-0001"]
    assert result.mass_withdrawal[0].startswith(
        "1 of 6 published projects (17%) would be withdrawn"
    )
    assert _state() == before

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="--allow-mass-withdrawal"):
        call_command("import_indigo", str(fewer), stdout=out, stderr=err)
    assert "withdrawn: INDIGO-POJ-0001 (no longer in the snapshot)" in out.getvalue()
    assert "1 of 6 published projects" in err.getvalue()
    assert _state() == before

    call_command("import_indigo", str(fewer), "--allow-mass-withdrawal", stdout=out, stderr=err)
    project = Project.objects.get(indigo_id="INDIGO-POJ-0001")
    assert project.status == PublicationStatus.WITHDRAWN


def _damaged_zips(folder, tmp_path):
    """A truncated .zip, and one whose first file fails its CRC check."""
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_STORED) as archive:
        for path in sorted(folder.glob("*.csv")):
            archive.write(path, path.name)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with zipfile.ZipFile(good) as archive:
        first = archive.infolist()[0]
    offset = first.header_offset + 30 + len(first.filename.encode()) + 5
    bad_crc = tmp_path / "bad-crc.zip"
    flipped = bytearray(data)
    flipped[offset] ^= 0xFF
    bad_crc.write_bytes(bytes(flipped))
    return {"truncated": truncated, "bad CRC": bad_crc}


def test_a_damaged_zip_is_refused_with_a_message_by_the_command(small, tmp_path):
    before = _state()
    for label, path in _damaged_zips(small, tmp_path).items():
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_indigo", str(path), stdout=io.StringIO(), stderr=err)
        message = err.getvalue()
        assert "damaged or unreadable" in message or "not a folder" in message, (label, message)
        assert "Traceback" not in message
    assert _state() == before


def test_a_damaged_zip_uploaded_in_the_admin_is_refused_and_not_kept(
    client, curator, small, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(curator)
    before = _state()
    for label, path in _damaged_zips(small, tmp_path).items():
        upload = SimpleUploadedFile("indigo.zip", path.read_bytes(), "application/zip")
        response = admin_import(client, {"snapshot": upload})
        assert response.status_code == 200, label
        html = response.content.decode()
        assert "damaged or unreadable" in html or "This is not a .zip file." in html, label
        assert not list((tmp_path / "media").rglob("*.zip")), label
    assert _state() == before


def test_the_admin_asks_for_an_explicit_yes_before_a_mass_withdrawal(
    client, curator, small, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    fewer = tmp_path / "fewer"
    shutil.copytree(small, fewer)
    remove_project(fewer, "INDIGO-POJ-0001")
    client.force_login(curator)
    response = admin_import(client, {"snapshot": zip_upload(fewer)})
    html = response.content.decode()
    assert "This import would withdraw many published records" in html
    assert "1 of 6 published projects" in html and "INDIGO-POJ-0001" in html
    token = response.context["token"]
    assert 'name="confirm_withdrawal"' in html

    response = admin_import(client, {"token": token})
    assert response.context["result"].needs_confirmation  # no yes: refused again, no change
    assert Project.objects.get(indigo_id="INDIGO-POJ-0001").status == PublicationStatus.PUBLISHED
    response = admin_import(client, {"token": token, "confirm_withdrawal": "yes"})
    assert response.context["result"].applied
    assert Project.objects.get(indigo_id="INDIGO-POJ-0001").status == PublicationStatus.WITHDRAWN
    assert not list((tmp_path / "media").rglob("*.zip"))


def test_a_partial_snapshot_uploaded_in_the_admin_needs_the_partial_box(
    client, curator, small, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    only = tmp_path / "only"
    only.mkdir()
    shutil.copy(small / "projects.csv", only)
    client.force_login(curator)
    response = admin_import(client, {"snapshot": zip_upload(only)})
    assert "organisations.csv:0:-: file is missing" in response.content.decode()
    response = admin_import(client, {"snapshot": zip_upload(only), "partial": "on"})
    assert response.context["result"].ok and response.context["partial"]
    response = admin_import(client, {"token": response.context["token"], "partial": "1"})
    assert response.context["result"].applied
    assert Organisation.objects.published().count() == Organisation.objects.count() > 0


def test_unknown_columns_are_named_in_the_summary(small, tmp_path):
    extra = tmp_path / "extra"
    shutil.copytree(small, extra)
    header, rows = read_csv(extra / "projects_results.csv")
    write_csv(extra / "projects_results.csv", [*header, "Shoe size"], rows)
    result = import_snapshot(extra, run_by="tests")
    assert result.ok
    assert result.unknown_columns == {"projects_results.csv": ["Shoe size"]}
    assert "projects_results.csv:1:Shoe size: not a column of this INDIGO table; ignored" in [
        str(w) for w in result.warnings
    ]
    out = io.StringIO()
    call_command("import_indigo", str(extra), "--dry-run", stdout=out)
    assert "ignored columns in projects_results.csv: Shoe size (not INDIGO columns)" in (
        out.getvalue()
    )
