"""Importing from the admin: upload, dry run, confirm. On a database without the module-wide
2025-05 import, so that the starting point is exactly 2024-04."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Project
from golab.indigo import import_snapshot
from tests.cases.test_curation import _user
from tests.conftest import SNAPSHOT_2024, SNAPSHOT_2025

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return _user("curt", "Curator")


def _zip(folder) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.glob("*.csv"):
            archive.write(path, path.name)
    return SimpleUploadedFile("indigo.zip", buffer.getvalue(), content_type="application/zip")


def test_admin_import_dry_run_matches_the_command_and_changes_nothing_until_confirmed(
    client, curator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    assert import_snapshot(SNAPSHOT_2024, run_by="tests").ok
    expected = import_snapshot(SNAPSHOT_2025, run_by="tests", dry_run=True)
    client.force_login(curator)
    before = sorted(Project.objects.values_list("indigo_id", "status", "name"))

    response = client.post("/admin/cases/importrun/import/", {"snapshot": _zip(SNAPSHOT_2025)})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.dry_run
    assert result.summary() == expected.summary()
    assert result.summary()["projects.csv"] == {
        "created": 29, "updated": 56, "unchanged": 234, "withdrawn": 2, "deleted": 0,
    }  # fmt: skip
    html = response.content.decode()
    assert "Dry run" in html and "Confirm and import" in html
    assert sorted(Project.objects.values_list("indigo_id", "status", "name")) == before

    response = client.post("/admin/cases/importrun/import/", {"token": response.context["token"]})
    assert response.status_code == 302
    assert Project.objects.published().count() == 319
    assert not list((tmp_path / "imports").glob("*.zip"))


def test_admin_import_reports_errors_and_refuses_non_zip(
    client, curator, settings, tmp_path, snapshot_copy
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(curator)
    response = client.post(
        "/admin/cases/importrun/import/",
        {"snapshot": SimpleUploadedFile("x.zip", b"not a zip at all")},
    )
    assert "This is not a .zip file." in response.content.decode()
    (snapshot_copy / "projects.csv").write_text(
        "ID,Impact Bond Name - (Value)\nINDIGO-POJ-0001,x\n"
    )
    response = client.post("/admin/cases/importrun/import/", {"snapshot": _zip(snapshot_copy)})
    assert "nothing can be imported" in response.content.decode()
    assert (
        "projects.csv:1:Stage of Development - (Value): column is missing"
        in response.content.decode()
    )
    assert Project.objects.count() == 0
