"""Importing from the admin: upload, dry run, confirm. On a database that starts with real
2024-04 projects, updated to their 2025-05 selves: some changed, two withdrawn, two new. (The
full 2024-04 → 2025-05 update is tested through the command in tests/golab/test_indigo_update.py;
a few real projects are enough to show the admin does what the command does.)"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Project, PublicationStatus
from golab.indigo import import_snapshot
from tests.conftest import SNAPSHOT_2024, admin_import, subset_snapshot, zip_upload

pytestmark = pytest.mark.django_db
# In both snapshots: enough that two withdrawals stay under the mass-withdrawal share, and 0118,
# 0173 and 0194 name the parties of the withdrawn two. (There is no INDIGO-POJ-0115.)
KEPT = {f"INDIGO-POJ-{n:04d}" for n in [*range(101, 122), 173, 194] if n != 115}
WITHDRAWN = {"INDIGO-POJ-0125", "INDIGO-POJ-0187"}  # in 2024-04, not in 2025-05
NEW = {"INDIGO-POJ-0301", "INDIGO-POJ-0302"}  # in 2025-05 only


def test_admin_import_dry_run_matches_the_command_and_changes_nothing_until_confirmed(
    client, curator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    before_2024 = subset_snapshot(tmp_path / "2024-04", KEPT | WITHDRAWN, source=SNAPSHOT_2024)
    snapshot_2025 = subset_snapshot(tmp_path / "2025-05", KEPT | NEW)
    assert import_snapshot(before_2024, run_by="tests").ok
    expected = import_snapshot(snapshot_2025, run_by="tests", dry_run=True)
    client.force_login(curator)
    before = sorted(Project.objects.values_list("indigo_id", "status", "name"))

    response = admin_import(client, {"snapshot": zip_upload(snapshot_2025)})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.dry_run
    assert result.summary == expected.summary()
    assert result.summary["projects.csv"] == {
        "created": 2, "updated": 9, "unchanged": 13, "withdrawn": 2, "deleted": 0,
    }  # fmt: skip
    assert set(result.withdrawn) >= WITHDRAWN
    html = response.content.decode()
    assert "Dry run" in html and "Confirm and import" in html
    assert sorted(Project.objects.values_list("indigo_id", "status", "name")) == before

    response = admin_import(client, {"token": response.context["token"]})
    assert response.context["result"].applied
    assert set(Project.objects.published().values_list("indigo_id", flat=True)) == KEPT | NEW
    withdrawn = Project.objects.filter(status=PublicationStatus.WITHDRAWN)
    assert set(withdrawn.values_list("indigo_id", flat=True)) == WITHDRAWN
    assert not list((tmp_path / "imports").glob("*.zip"))


def test_admin_import_reports_errors_and_refuses_nonzip_upload(
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
    response = admin_import(client, {"snapshot": zip_upload(snapshot_copy)})
    assert "nothing can be imported" in response.content.decode()
    assert (
        "projects.csv:1:Stage of Development - (Value): column is missing"
        in response.content.decode()
    )
    assert Project.objects.count() == 0
