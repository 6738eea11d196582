"""Embedded metadata of document and case pages, read by real extractors: extruct for Dublin
Core and JSON-LD (what Zotero's embedded-metadata reader and dataset search read), and lxml's
HTML parser for the Highwire Press citation_* tags Google Scholar reads (extruct has no
Highwire syntax; lxml.html parses the page as a browser would, so a tag outside <head> or a
malformed attribute would be missed as a reader misses it)."""

from __future__ import annotations

from collections import defaultdict

import extruct
import lxml.html
import pytest
from django.core.files.base import ContentFile

from tests.evidence.pdfs import make_pdf
from tests.factories import (
    DeliveryLocationFactory,
    DocumentAuthorFactory,
    EvidenceDocumentFactory,
    OutcomePaymentCommitmentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def highwire(html: str) -> dict[str, list[str]]:
    """The citation_* meta tags in the page's <head>, as lists of values."""
    tags: dict[str, list[str]] = defaultdict(list)
    for meta in lxml.html.document_fromstring(html).head.iter("meta"):
        name = meta.get("name") or ""
        if name.startswith("citation_"):
            tags[name].append(meta.get("content"))
    return dict(tags)


def dublin_core(html: str, url: str) -> dict[str, list[str]]:
    (data,) = extruct.extract(html, base_url=url, syntaxes=["dublincore"])["dublincore"]
    terms: dict[str, list[str]] = defaultdict(list)
    for element in data["elements"]:
        # Resolved through <link rel="schema.DC">: .../elements/1.1/title
        terms[element["URI"].rsplit("/", 1)[-1]].append(element["content"])
    return dict(terms)


@pytest.fixture
def document(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    document = EvidenceDocumentFactory(
        title="Ways to Wellness: final evaluation",
        publication_date="2019-05-14",
        publisher="Newcastle University",
        doi="10.1234/w2w",
        abstract="Social prescribing & self-care.",
    )
    document.file.save("upload.pdf", ContentFile(make_pdf("Findings")))
    DocumentAuthorFactory(document=document, name="Moffatt, Suzanne", position=0)
    DocumentAuthorFactory(document=document, name="Wildman, John", position=1)
    return document


def test_document_page_has_highwire_tags(client, document):
    html = client.get(document.get_absolute_url()).content.decode()
    tags = highwire(html)
    assert tags["citation_title"] == ["Ways to Wellness: final evaluation"]
    assert tags["citation_author"] == ["Moffatt, Suzanne", "Wildman, John"]
    assert tags["citation_publication_date"] == ["2019/05/14"]
    assert tags["citation_publisher"] == ["Newcastle University"]
    assert tags["citation_technical_report_institution"] == ["Newcastle University"]
    assert tags["citation_doi"] == ["10.1234/w2w"]
    assert tags["citation_pdf_url"] == [f"http://testserver/evidence/{document.pk}/file/"]


def test_document_page_has_dublin_core_and_json_ld(client, document):
    url = f"http://testserver{document.get_absolute_url()}"
    html = client.get(document.get_absolute_url()).content.decode()
    dc = dublin_core(html, url)
    assert dc["title"] == ["Ways to Wellness: final evaluation"]
    assert dc["creator"] == ["Moffatt, Suzanne", "Wildman, John"]
    assert dc["date"] == ["2019-05-14"] and dc["publisher"] == ["Newcastle University"]
    assert "Social prescribing & self-care." in dc["description"]
    assert "https://doi.org/10.1234/w2w" in dc["identifier"]
    (json_ld,) = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
    assert json_ld["name"] == "Ways to Wellness: final evaluation"


def test_partial_dates_and_external_pdfs(client):
    document = EvidenceDocumentFactory(
        publication_date="2018-07", url="https://example.org/report.PDF", publisher=""
    )
    tags = highwire(client.get(document.get_absolute_url()).content.decode())
    assert tags["citation_publication_date"] == ["2018/07"]
    assert tags["citation_pdf_url"] == ["https://example.org/report.PDF"]
    assert "citation_publisher" not in tags and "citation_author" not in tags
    year_only = EvidenceDocumentFactory(publication_date="2016", url="https://example.org/page")
    tags = highwire(client.get(year_only.get_absolute_url()).content.decode())
    assert tags["citation_publication_date"] == ["2016"]
    assert "citation_pdf_url" not in tags


def test_case_page_has_highwire_dublin_core_and_json_ld(client):
    project = ProjectFactory(name="Ways to Wellness", service_start="2015-04")
    DeliveryLocationFactory(project=project, country="GB")
    OutcomePaymentCommitmentFactory(project=project)
    url = f"http://testserver{project.get_absolute_url()}"
    html = client.get(project.get_absolute_url()).content.decode()
    tags = highwire(html)
    assert tags["citation_title"] == ["Ways to Wellness"]
    assert tags["citation_author"] == ["Government Outcomes Lab"]
    assert tags["citation_publication_date"] == [project.updated_at.strftime("%Y/%m/%d")]
    assert tags["citation_abstract_html_url"] == [url]
    dc = dublin_core(html, url)
    assert dc["title"] == ["Ways to Wellness"]
    assert dc["type"] == ["Dataset"]
    assert project.indigo_id in dc["identifier"]
    assert "INDIGO Impact Bond Dataset" in dc["rights"][0]
    (json_ld,) = extruct.extract(html, base_url=url, syntaxes=["json-ld"])["json-ld"]
    assert json_ld["@type"] == "Dataset" and json_ld["identifier"] == project.indigo_id
