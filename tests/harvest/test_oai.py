"""OAI-PMH (/oai): every verb's response validates against the bundled OAI-PMH 2.0 and oai_dc
schemas, a harvest with resumption tokens returns each published record exactly once, and
drafts, withdrawn and soft-deleted records are never served as records."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from lxml import etree

from cases.models import PolicySector, Project
from common.models import PublicationStatus
from evidence.models import EvidenceDocument
from golab.oai import response_schema
from tests.factories import (
    DeliveryLocationFactory,
    DocumentAuthorFactory,
    DocumentPolicyAreaFactory,
    EvidenceDocumentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}
SCHEMA = response_schema()
REPO = "outcomes.example.org"


def harvest_xml(client, **params) -> etree._Element:
    """GET /oai with ``params``; the response must be valid OAI-PMH XML."""
    response = client.get("/oai?" + urlencode(params))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert SCHEMA.validate(root), SCHEMA.error_log.filter_from_errors()
    return root


def error_code(root) -> str | None:
    error = root.find("oai:error", NS)
    return None if error is None else error.get("code")


@pytest.fixture
def world(settings):
    settings.OAI_REPOSITORY_IDENTIFIER = REPO
    settings.OAI_PAGE_SIZE = 3
    document = EvidenceDocumentFactory(
        title="Evaluation of the Ways to Wellness bond",
        abstract="Self-care\x0b improved.",  # a control character, which XML cannot hold
        doi="10.1234/w2w",
        url="https://example.org/w2w.pdf",
        publisher="Newcastle University",
        publication_date="2019-05",
    )
    DocumentAuthorFactory(document=document, name="Moffatt, Suzanne", position=0)
    DocumentPolicyAreaFactory(document=document, policy_area=PolicySector.HEALTH)
    others = EvidenceDocumentFactory.create_batch(3)
    draft_document = EvidenceDocumentFactory(status=PublicationStatus.DRAFT, title="draftdoc")
    withdrawn_document = EvidenceDocumentFactory(
        status=PublicationStatus.WITHDRAWN, title="withdrawndoc"
    )
    case = ProjectFactory(
        name="Ways to Wellness", summary="<p>Social prescribing.</p>", policy_sector="health"
    )
    DeliveryLocationFactory(project=case, country="GB")
    cases = [case, *ProjectFactory.create_batch(2, policy_sector=PolicySector.EDUCATION)]
    draft_case = ProjectFactory(status=PublicationStatus.DRAFT, name="draftcase")
    withdrawn_case = ProjectFactory(status=PublicationStatus.WITHDRAWN, name="withdrawncase")
    deleted_case = ProjectFactory(name="deletedcase")
    Project.objects.filter(pk=deleted_case.pk).update(deleted_at=timezone.now())
    return {
        "document": document,
        "documents": [document, *others],
        "cases": cases,
        "draft": [draft_document, draft_case],
        "gone": [withdrawn_document, withdrawn_case, deleted_case],
    }


def oai_id(record) -> str:
    kind = "evidence" if isinstance(record, EvidenceDocument) else "case"
    return f"oai:{REPO}:{kind}/{record.pk}"


def full_list(client, verb: str, **params) -> list[etree._Element]:
    """Every item of a list, following resumption tokens to the end."""
    items: list[etree._Element] = []
    tag = "oai:record" if verb == "ListRecords" else "oai:header"
    root = harvest_xml(client, verb=verb, **params)
    while True:
        if error_code(root) == "noRecordsMatch":
            return items
        container = root.find(f"oai:{verb}", NS)
        items += container.findall(tag, NS)
        token = container.find("oai:resumptionToken", NS)
        if token is None or not token.text:
            return items
        root = harvest_xml(client, verb=verb, resumptionToken=token.text)


def test_identify(client, world):
    root = harvest_xml(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "transient"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"


def test_list_metadata_formats_and_sets(client, world):
    root = harvest_xml(client, verb="ListMetadataFormats")
    assert root.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc"]
    root = harvest_xml(client, verb="ListMetadataFormats", identifier=oai_id(world["document"]))
    assert error_code(root) is None
    root = harvest_xml(client, verb="ListSets")
    specs = root.xpath("//oai:setSpec/text()", namespaces=NS)
    assert {"evidence", "case", "policy-area", "policy-area:health"} <= set(specs)


def test_get_record_as_dublin_core(client, world):
    document = world["document"]
    root = harvest_xml(
        client, verb="GetRecord", identifier=oai_id(document), metadataPrefix="oai_dc"
    )
    record = root.find("oai:GetRecord/oai:record", NS)
    assert record.findtext("oai:header/oai:identifier", namespaces=NS) == oai_id(document)
    assert record.xpath("oai:header/oai:setSpec/text()", namespaces=NS) == [
        "evidence",
        "policy-area:health",
    ]
    assert record.xpath("//dc:creator/text()", namespaces=NS) == ["Moffatt, Suzanne"]
    assert record.xpath("//dc:description/text()", namespaces=NS) == ["Self-care improved."]
    identifiers = record.xpath("//dc:identifier/text()", namespaces=NS)
    assert f"http://testserver/evidence/{document.pk}/" in identifiers
    assert "https://doi.org/10.1234/w2w" in identifiers

    case = world["cases"][0]
    root = harvest_xml(client, verb="GetRecord", identifier=oai_id(case), metadataPrefix="oai_dc")
    assert root.xpath("//dc:title/text()", namespaces=NS) == ["Ways to Wellness"]
    assert root.xpath("//dc:description/text()", namespaces=NS) == ["Social prescribing."]
    assert "United Kingdom" in root.xpath("//dc:coverage/text()", namespaces=NS)


def test_withdrawn_and_deleted_records_are_headers_only_and_drafts_do_not_exist(client, world):
    for record in world["gone"]:
        root = harvest_xml(
            client, verb="GetRecord", identifier=oai_id(record), metadataPrefix="oai_dc"
        )
        header = root.find("oai:GetRecord/oai:record/oai:header", NS)
        assert header.get("status") == "deleted"
        assert root.find("oai:GetRecord/oai:record/oai:metadata", NS) is None
        assert b"withdrawn" not in etree.tostring(root) and b"deletedcase" not in etree.tostring(
            root
        )
    for record in world["draft"]:
        root = harvest_xml(
            client, verb="GetRecord", identifier=oai_id(record), metadataPrefix="oai_dc"
        )
        assert error_code(root) == "idDoesNotExist"


def test_list_identifiers_and_records_page_through_everything_once(client, world):
    published = [*world["documents"], *world["cases"]]
    records = full_list(client, "ListRecords", metadataPrefix="oai_dc")
    live = [r for r in records if r.find("oai:header", NS).get("status") != "deleted"]
    ids = [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in live]
    assert sorted(ids) == sorted(oai_id(r) for r in published)
    deleted = [
        r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records if r not in live
    ]
    assert sorted(deleted) == sorted(oai_id(r) for r in world["gone"])

    headers = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc")
    assert len(headers) == len(records) == 10  # 7 published, 3 deleted; pages of 3


def test_resumption_token_carries_list_size_and_cursor(client, world):
    root = harvest_xml(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS)
    assert token.get("completeListSize") == "10" and token.get("cursor") == "0"
    root = harvest_xml(client, verb="ListIdentifiers", resumptionToken=token.text)
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS)
    assert token.get("cursor") == "3"


def test_sets_select_records(client, world):
    cases = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", set="case")
    assert len(cases) == 5  # three published cases, a withdrawn and a deleted one
    health = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", set="policy-area:health")
    ids = {h.findtext("oai:identifier", namespaces=NS) for h in health}
    assert ids == {oai_id(world["document"]), oai_id(world["cases"][0])}


def test_from_and_until_select_by_datestamp(client, world):
    EvidenceDocument.objects.filter(pk=world["document"].pk).update(
        updated_at=timezone.now() - timedelta(days=400)
    )
    old_day = (timezone.now() - timedelta(days=400)).date().isoformat()
    found = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", until=old_day)
    assert [h.findtext("oai:identifier", namespaces=NS) for h in found] == [
        oai_id(world["document"])
    ]
    later = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = full_list(client, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": later})
    assert len(found) == 9
    root = harvest_xml(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="1990-01-01")
    assert error_code(root) == "noRecordsMatch"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Frobnicate"}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "oai:x:case/1"}, "badArgument"),
        (
            {"verb": "GetRecord", "identifier": "nonsense", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {
                "verb": "GetRecord",
                "identifier": f"oai:{REPO}:case/999999",
                "metadataPrefix": "oai_dc",
            },
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "ListRecords", "metadataPrefix": "bad prefix"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "nope"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2020-01-01",
                "until": "2021-01-01T00:00:00Z",
            },
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": "\x01\x0b"}, "badResumptionToken"),
        (
            {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
            "badArgument",
        ),
        ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ],
)
def test_bad_requests_are_protocol_errors(client, world, params, code):
    assert error_code(harvest_xml(client, **params)) == code


def test_token_of_one_verb_is_refused_by_another(client, world):
    root = harvest_xml(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS).text
    assert error_code(harvest_xml(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )


def test_post_is_answered_as_get(client, world):
    response = client.post("/oai", {"verb": "Identify"})
    assert response.status_code == 200
    assert SCHEMA.validate(etree.fromstring(response.content))


def test_a_page_of_records_takes_a_fixed_number_of_queries(
    client, world, settings, django_assert_num_queries
):
    settings.OAI_PAGE_SIZE = 5
    EvidenceDocumentFactory.create_batch(5)
    # A first page of documents only (ten of them): the page, their authors and policy areas,
    # and, as the list is split, its size (a count per kind).
    with django_assert_num_queries(5):
        root = harvest_xml(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = root.find("oai:ListRecords/oai:resumptionToken", NS).text
    # The next page runs from the last documents into the cases: the documents, their
    # authors and policy areas, the cases, their delivery locations; the size is in the token.
    with django_assert_num_queries(5):
        harvest_xml(client, verb="ListRecords", resumptionToken=token)


def test_harvest_of_the_2025_snapshot_returns_each_published_record_once(
    client, indigo_2025, settings
):
    """A whole ListRecords harvest in pages of 100 (each page valid against the schemas),
    following resumption tokens across the documents and into the cases."""
    settings.OAI_REPOSITORY_IDENTIFIER = REPO
    settings.OAI_PAGE_SIZE = 100
    records = full_list(client, "ListRecords", metadataPrefix="oai_dc")
    ids = [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records]
    assert len(ids) == len(set(ids)), "a record was returned twice"
    documents = [oai_id(d) for d in EvidenceDocument.objects.published().only("pk")]
    cases = [oai_id(p) for p in Project.objects.published().only("pk")]
    assert sorted(i for i in ids if ":evidence/" in i) == sorted(documents)
    assert sorted(i for i in ids if ":case/" in i) == sorted(cases)
    assert len(documents) > 500 and len(cases) > 300  # many pages, a page across both kinds
