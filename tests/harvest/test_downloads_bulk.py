"""Bulk downloads (manage.py build_downloads, /downloads/): the .zip holds exactly the CSVs
export_indigo writes, with a README carrying the attribution and terms; the SQLite file holds
only published rows and no contact data; the page lists the files with Dataset JSON-LD."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import extruct
import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Organisation, Project
from common.models import PublicationStatus
from golab.downloads import CSV_ZIP, SQLITE, build_downloads, downloads_dir, is_stale
from golab.indigo import export_snapshot
from tests.conftest import subset_snapshot
from tests.factories import (
    DeliveryLocationFactory,
    DocumentAuthorFactory,
    EvidenceDocumentFactory,
    InvestmentFactory,
    OrganisationFactory,
    OutcomePaymentCommitmentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

ATTRIBUTION = "INDIGO Impact Bond Dataset, Government Outcomes Lab, University of Oxford"


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    payer = OrganisationFactory(name="Published Council")
    published = ProjectFactory(name="Published bond", service_start="2016-04")
    DeliveryLocationFactory(project=published, country="GB")
    OutcomePaymentCommitmentFactory(project=published, organisation=payer)
    ProjectFactory(name="draftcase", status=PublicationStatus.DRAFT)
    ProjectFactory(name="withdrawncase", status=PublicationStatus.WITHDRAWN)
    deleted = ProjectFactory(name="deletedcase")
    Project.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    OrganisationFactory(name="draftorg", status=PublicationStatus.DRAFT)
    Organisation.objects.filter(pk=payer.pk).update(address="1 High Street")
    document = EvidenceDocumentFactory(title="Published evaluation")
    DocumentAuthorFactory(document=document, name="Smith, Jane")
    EvidenceDocumentFactory(title="draftdoc", status=PublicationStatus.DRAFT)
    EvidenceDocumentFactory(title="withdrawndoc", status=PublicationStatus.WITHDRAWN)
    return {"published": published, "document": document}


def test_zip_holds_the_exported_csvs_and_a_readme(world, tmp_path):
    build_downloads()
    exported = tmp_path / "export"
    written = export_snapshot(exported)
    with zipfile.ZipFile(downloads_dir() / CSV_ZIP) as archive:
        names = set(archive.namelist())
        assert names == {*written, "README.txt"}
        for name in written:
            assert archive.read(name) == (exported / name).read_bytes(), name
        readme = archive.read("README.txt").decode()
    assert ATTRIBUTION in readme and "licence" in readme.lower()
    assert "projects.csv: 1 rows" in readme


def test_references_to_private_parties_are_blanked(world):
    draft = OrganisationFactory(status=PublicationStatus.DRAFT)
    InvestmentFactory(project=world["published"], organisation=draft)
    build_downloads()
    with zipfile.ZipFile(downloads_dir() / CSV_ZIP) as archive:
        investments = list(
            csv.DictReader(io.StringIO(archive.read("projects_investments.csv").decode()))
        )
    assert [row["Project ID"] for row in investments] == [world["published"].indigo_id]
    assert draft.indigo_id not in json.dumps(investments)


def test_sqlite_holds_only_published_rows_and_no_contact_data(world):
    build_downloads()
    database = sqlite3.connect(downloads_dir() / SQLITE)
    try:
        names = [row[0] for row in database.execute('SELECT "ID" FROM projects')]
        assert names == [world["published"].indigo_id]
        columns = [row[1] for row in database.execute("PRAGMA table_info(organisations)")]
        assert "Name" in columns and not [c for c in columns if c.startswith("Contact")]
        organisations = [row[0] for row in database.execute('SELECT "Name" FROM organisations')]
        assert organisations == ["Published Council"]
        documents = list(database.execute("SELECT title, authors FROM evidence_documents"))
        assert documents == [("Published evaluation", "Smith, Jane")]
        about = dict(database.execute("SELECT key, value FROM about"))
        assert ATTRIBUTION in about["attribution"] and about["licence"] and about["generated"]
        everything = "\n".join(
            line for line in database.iterdump() if not line.startswith("CREATE")
        )
    finally:
        database.close()
    for word in ["draftcase", "withdrawncase", "deletedcase", "draftorg", "draftdoc"]:
        assert word not in everything


def test_page_lists_the_files_with_dataset_json_ld(client, world, django_assert_num_queries):
    build_downloads()
    with django_assert_num_queries(0):  # the page reads the manifest, not the database
        response = client.get("/downloads/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/downloads/{CSV_ZIP}"' in html and f'href="/downloads/{SQLITE}"' in html
    assert ATTRIBUTION in html
    data = extruct.extract(html, base_url="http://testserver/downloads/", syntaxes=["json-ld"])
    (dataset,) = data["json-ld"]
    assert dataset["@type"] == "Dataset"
    assert ATTRIBUTION in dataset["creditText"] and dataset["license"]
    urls = {item["contentUrl"] for item in dataset["distribution"]}
    assert urls == {
        f"http://testserver/downloads/{CSV_ZIP}",
        f"http://testserver/downloads/{SQLITE}",
    }


def test_files_are_streamed_as_attachments(client, world):
    build_downloads()
    response = client.get(f"/downloads/{CSV_ZIP}")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="{CSV_ZIP}"'
    body = b"".join(response.streaming_content)
    assert body == (downloads_dir() / CSV_ZIP).read_bytes()
    for name in ["manifest.json", "nope.zip", "..%2Fsecret_key", ".manifest.json.new"]:
        assert client.get(f"/downloads/{name}").status_code == 404


def test_before_the_first_build_the_page_says_so(client, world):
    response = client.get("/downloads/")
    assert response.status_code == 200
    assert "being prepared" in response.content.decode()
    assert client.get(f"/downloads/{CSV_ZIP}").status_code == 404


def test_command_rebuilds_only_when_the_data_changed(world):
    out = io.StringIO()
    call_command("build_downloads", "--if-stale", stdout=out)
    assert "Wrote the downloads" in out.getvalue()
    assert not is_stale()
    out = io.StringIO()
    call_command("build_downloads", "--if-stale", stdout=out)
    assert "up to date" in out.getvalue()
    world["published"].save()  # an edit in the admin
    assert is_stale()
    manifest = json.loads(Path(downloads_dir() / "manifest.json").read_text())
    assert {entry["name"] for entry in manifest["files"]} == {CSV_ZIP, SQLITE}


def test_import_command_rebuilds_the_downloads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    snapshot = subset_snapshot(tmp_path / "snapshot", {"INDIGO-POJ-0105"})
    out = io.StringIO()
    call_command("import_indigo", str(snapshot), stdout=out)
    assert "Rebuilt the bulk downloads" in out.getvalue()
    with zipfile.ZipFile(downloads_dir() / CSV_ZIP) as archive:
        assert "INDIGO-POJ-0105" in archive.read("projects.csv").decode()
    out = io.StringIO()
    call_command("import_indigo", str(snapshot), stdout=out)  # no changes: nothing to rebuild
    assert "Rebuilt" not in out.getvalue()
