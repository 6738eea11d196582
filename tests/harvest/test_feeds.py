"""Atom feeds of /cases/ and /evidence/ searches: they parse as Atom, take the list's own
filters, list only published records, and the list pages link to them."""

from __future__ import annotations

import pytest
from django.utils import timezone
from lxml import etree

from cases.models import PolicySector, Project
from common.models import PublicationStatus
from tests.factories import (
    DocumentAuthorFactory,
    DocumentPolicyAreaFactory,
    EvidenceDocumentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def atom(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


def titles(feed) -> list[str]:
    return feed.xpath("a:entry/a:title/text()", namespaces=ATOM)


@pytest.fixture
def world():
    ProjectFactory(name="Health bond", policy_sector=PolicySector.HEALTH, summary="<p>Care</p>")
    ProjectFactory(name="Housing bond", policy_sector=PolicySector.HOMELESSNESS)
    ProjectFactory(name="draftcase", status=PublicationStatus.DRAFT)
    ProjectFactory(name="withdrawncase", status=PublicationStatus.WITHDRAWN)
    deleted = ProjectFactory(name="deletedcase")
    Project.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    document = EvidenceDocumentFactory(title="Health evaluation", abstract="It worked.")
    DocumentAuthorFactory(document=document, name="Smith, Jane")
    DocumentPolicyAreaFactory(document=document, policy_area=PolicySector.HEALTH)
    EvidenceDocumentFactory(title="Other report")
    EvidenceDocumentFactory(title="draftdoc", status=PublicationStatus.DRAFT)
    EvidenceDocumentFactory(title="withdrawndoc", status=PublicationStatus.WITHDRAWN)


def test_case_feed_lists_published_cases_newest_change_first(client, world):
    Project.objects.filter(name="Health bond").update(updated_at=timezone.now())
    feed = atom(client, "/feeds/cases/")
    assert titles(feed) == ["Health bond", "Housing bond"]
    entry = feed.find("a:entry", ATOM)
    assert entry.findtext("a:summary", namespaces=ATOM) == "Care"
    assert entry.find("a:link", ATOM).get("href").startswith("http://testserver/cases/INDIGO-POJ-")
    assert entry.findtext("a:updated", namespaces=ATOM)
    assert "INDIGO Impact Bond Dataset" in feed.findtext("a:rights", namespaces=ATOM)


def test_case_feed_takes_the_list_filters(client, world):
    feed = atom(client, "/feeds/cases/?policy_area=health")
    assert titles(feed) == ["Health bond"]
    assert (
        feed.find("a:link[@rel='alternate']", ATOM)
        .get("href")
        .endswith("/cases/?policy_area=health")
    )
    assert (
        feed.find("a:link[@rel='self']", ATOM)
        .get("href")
        .endswith("/feeds/cases/?policy_area=health")
    )
    assert titles(atom(client, "/feeds/cases/?q=housing")) == ["Housing bond"]
    # A value that does not validate is ignored, as on the page, not an error.
    assert len(titles(atom(client, "/feeds/cases/?launch_year_min=abc&stage=nope&page=x"))) == 2


def test_characters_xml_cannot_hold_are_left_out(client, world):
    ProjectFactory(name="Bond\x0b with a vertical tab", summary="<p>Form\x0cfeed</p>")
    feed = atom(client, "/feeds/cases/?q=bond%0B%01")
    assert "Bond with a vertical tab" in titles(feed)
    assert "\x01" not in feed.findtext("a:title", namespaces=ATOM)


def test_evidence_feed_takes_the_list_filters(client, world):
    feed = atom(client, "/feeds/evidence/?policy_area=health")
    assert titles(feed) == ["Health evaluation"]
    entry = feed.find("a:entry", ATOM)
    assert entry.findtext("a:author/a:name", namespaces=ATOM) == "Smith, Jane"
    assert sorted(titles(atom(client, "/feeds/evidence/"))) == ["Health evaluation", "Other report"]


def test_feeds_show_no_private_record(client, world):
    # Searches for each word cut short (search matches prefixes; the search is echoed back).
    urls = ["/feeds/cases/", "/feeds/evidence/"]
    urls += [
        f"/feeds/cases/?q={word[:-1]}" for word in ["draftcase", "withdrawncase", "deletedcase"]
    ]
    urls += [f"/feeds/evidence/?q={word[:-1]}" for word in ["draftdoc", "withdrawndoc"]]
    for url in urls:
        body = client.get(url).content.decode()
        for word in ["draftcase", "withdrawncase", "deletedcase", "draftdoc", "withdrawndoc"]:
            assert word not in body, (url, word)


def test_list_pages_link_to_the_feed_of_their_search(client, world):
    page = client.get("/cases/?policy_area=health&page=1&sort=name").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New and updated: this search" '
        'href="/feeds/cases/?policy_area=health">' in page
    )
    assert 'href="/feeds/cases/?policy_area=health" type="application/atom+xml">Follow' in page
    page = client.get("/evidence/").content.decode()
    assert 'href="/feeds/evidence/?"' in page
    assert "application/atom+xml" not in client.get("/glossary/").content.decode()


def test_feed_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    EvidenceDocumentFactory.create_batch(5)
    # The documents, then their authors.
    with django_assert_num_queries(2):
        client.get("/feeds/evidence/")
    with django_assert_num_queries(1):
        client.get("/feeds/cases/")
