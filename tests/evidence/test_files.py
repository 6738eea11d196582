"""PDF files: accepted by content only, stored under generated names, served safely."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import PublicationStatus
from evidence.files import MAX_FILE_BYTES
from evidence.forms import EvidenceDocumentForm
from evidence.models import DocumentType, EvidenceDocument, TextStatus
from evidence.services import attach_file
from tests.evidence.pdfs import make_pdf

pytestmark = pytest.mark.django_db

PHRASE = "quokka covenant marmalade"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _document(**extra) -> EvidenceDocument:
    values = {
        "title": "Evaluation of a test bond",
        "document_type": DocumentType.EVALUATION_REPORT,
        "status": PublicationStatus.PUBLISHED,
    }
    return EvidenceDocument.objects.create(**{**values, **extra})


def _stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _form(upload) -> EvidenceDocumentForm:
    data = {
        "title": "A report",
        "document_type": DocumentType.POLICY_REPORT,
        "publication_date": "2021",
        "status": PublicationStatus.DRAFT,
    }
    return EvidenceDocumentForm(data=data, files={"file": upload})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            b"<!doctype html><html><body>Not a PDF</body></html>",
            "This is not a PDF file",
        ),
        ("empty.pdf", b"", "The submitted file is empty."),
        ("broken.pdf", b"%PDF-1.4\n" + b"garbage " * 200, "cannot be read as one"),
    ],
    ids=["html renamed .pdf", "empty", "truncated pdf"],
)
def test_a_file_that_is_not_a_pdf_is_refused_with_a_clear_error(_media, name, content, message):
    form = _form(SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert not form.is_valid()
    assert message in " ".join(form.errors["file"])
    assert EvidenceDocument.objects.count() == 0
    assert _stored_files(_media) == []


def test_a_file_over_50_mb_is_refused(_media):
    big = make_pdf("big") + b"%" + b"0" * (MAX_FILE_BYTES)
    form = _form(SimpleUploadedFile("big.pdf", big, content_type="application/pdf"))
    assert not form.is_valid()
    assert "the limit is 50 MB" in " ".join(form.errors["file"])
    assert _stored_files(_media) == []


def test_an_upload_through_the_admin_is_checked_and_indexed(client, _media):
    admin = get_user_model().objects.create_superuser(
        "curator", "c@example.org", "a-long-passphrase-1"
    )
    client.force_login(admin)
    data = {
        "title": "Uploaded evaluation",
        "document_type": DocumentType.EVALUATION_REPORT,
        "publication_date": "2022-05",
        "status": PublicationStatus.PUBLISHED,
        "authors-TOTAL_FORMS": "1",
        "authors-INITIAL_FORMS": "0",
        "authors-0-position": "0",
        "authors-0-name": "Doe, Jane",
        "authors-0-kind": "person",
        "project_links-TOTAL_FORMS": "0",
        "project_links-INITIAL_FORMS": "0",
        "policy_areas-TOTAL_FORMS": "1",
        "policy_areas-INITIAL_FORMS": "0",
        "policy_areas-0-policy_area": "health",
        "countries-TOTAL_FORMS": "1",
        "countries-INITIAL_FORMS": "0",
        "countries-0-country": "GB",
    }
    bad = dict(
        data, file=SimpleUploadedFile("x.pdf", b"<html>no</html>", content_type="application/pdf")
    )
    response = client.post("/admin/evidence/evidencedocument/add/", bad)
    assert response.status_code == 200
    assert "This is not a PDF file" in response.content.decode()
    assert EvidenceDocument.objects.count() == 0 and _stored_files(_media) == []

    good = dict(
        data,
        file=SimpleUploadedFile("My Report.pdf", make_pdf(PHRASE), content_type="application/pdf"),
    )
    response = client.post("/admin/evidence/evidencedocument/add/", good)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = EvidenceDocument.objects.get()
    assert document.text_status == TextStatus.EXTRACTED and PHRASE in document.text
    assert "My Report" not in document.file.name and document.file.name.endswith(".pdf")
    assert document.authors_text == "Doe, Jane"
    assert list(document.policy_areas.values_list("policy_area", flat=True)) == ["health"]
    assert list(document.countries.values_list("country", flat=True)) == ["GB"]


@pytest.mark.parametrize("backend_query", [PHRASE, "marmalade", "quokka covenant"])
def test_a_phrase_only_inside_the_pdf_is_found_by_search(client, _media, backend_query):
    other = _document(title="Another evaluation")
    document = _document(title="Evaluation with a file")
    attach_file(
        document=document, upload=SimpleUploadedFile("a.pdf", make_pdf(f"Results: {PHRASE}."))
    )
    assert "quokka" not in document.title.lower() and "quokka" not in document.abstract.lower()
    response = client.get("/evidence/", {"q": backend_query})
    assert response.status_code == 200
    assert [d.pk for d in response.context["rows"]] == [document.pk]
    assert other.pk not in [d.pk for d in response.context["rows"]]
    assert "<mark>" in response.content.decode()


def test_an_unreadable_pdf_is_kept_and_flagged(_media):
    document = _document()
    scanned = make_pdf("")  # a page with no text, like a scan
    attach_file(document=document, upload=SimpleUploadedFile("s.pdf", scanned))
    document.refresh_from_db()
    assert document.file and document.text_status == TextStatus.NO_TEXT
    assert len(_stored_files(_media)) == 1


def test_a_polyglot_file_is_still_served_as_a_sandboxed_attachment(client, _media):
    polyglot = make_pdf("poly", prefix=b"<html><script>alert(1)</script></html>\n")
    document = _document()
    attach_file(
        document=document, upload=SimpleUploadedFile("p.html", polyglot, content_type="text/html")
    )
    response = client.get(f"/evidence/{document.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == polyglot


def test_the_file_of_a_draft_document_is_not_served(client, _media):
    document = _document(status=PublicationStatus.DRAFT)
    attach_file(document=document, upload=SimpleUploadedFile("a.pdf", make_pdf(PHRASE)))
    assert client.get(f"/evidence/{document.pk}/file/").status_code == 404
    assert client.get(f"/evidence/{document.pk}/").status_code == 404
    assert client.get("/evidence/", {"q": "quokka"}).context["page"].paginator.count == 0
    for status in (PublicationStatus.IN_REVIEW, PublicationStatus.WITHDRAWN):
        EvidenceDocument.objects.filter(pk=document.pk).update(status=status)
        assert client.get(f"/evidence/{document.pk}/file/").status_code == 404
    # and the file is not reachable as a static or media URL either
    assert client.get("/media/" + document.file.name).status_code == 404
