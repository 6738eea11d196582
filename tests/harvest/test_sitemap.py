"""/sitemap.xml and /robots.txt: the sitemap index and its sections parse as XML and list
every published page and nothing private; robots.txt points at the sitemap."""

from __future__ import annotations

import pytest
from django.utils import timezone
from lxml import etree

from cases.models import Pipeline, PolicySector, Project
from common.models import PublicationStatus
from tests.factories import (
    EvidenceDocumentFactory,
    OrganisationFactory,
    OutcomeFundFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

SM = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def xml(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return etree.fromstring(response.content)


def all_urls(client) -> list[str]:
    index = xml(client, "/sitemap.xml")
    urls = []
    for section in index.xpath("s:sitemap/s:loc/text()", namespaces=SM):
        urls += xml(client, section).xpath("s:url/s:loc/text()", namespaces=SM)
    return urls


def test_sitemap_lists_every_published_page_and_nothing_private(client):
    pipeline = Pipeline.objects.create(
        indigo_id="INDIGO-PL-0001", name="Planned bond", status=PublicationStatus.PUBLISHED
    )
    draft_pipeline = Pipeline.objects.create(indigo_id="INDIGO-PL-0002", name="Draft plan")
    published = [
        pipeline,
        ProjectFactory(),
        OrganisationFactory(),
        OutcomeFundFactory(),
        EvidenceDocumentFactory(),
    ]
    private = [
        draft_pipeline,
        ProjectFactory(status=PublicationStatus.DRAFT),
        ProjectFactory(status=PublicationStatus.WITHDRAWN),
        OrganisationFactory(status=PublicationStatus.DRAFT),
        OutcomeFundFactory(status=PublicationStatus.WITHDRAWN),
        EvidenceDocumentFactory(status=PublicationStatus.DRAFT),
        EvidenceDocumentFactory(status=PublicationStatus.WITHDRAWN),
    ]
    deleted = ProjectFactory()
    Project.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    urls = all_urls(client)
    assert len(urls) == len(set(urls))
    for record in published:
        assert f"http://testserver{record.get_absolute_url()}" in urls
    for record in [*private, deleted]:
        assert f"http://testserver{record.get_absolute_url()}" not in urls
    for path in ["/", "/cases/", "/evidence/", "/downloads/", "/policy-areas/", "/pipeline/"]:
        assert f"http://testserver{path}" in urls
    assert f"http://testserver/policy-areas/{PolicySector.HEALTH}/" in urls


def test_sitemap_entries_carry_lastmod(client):
    project = ProjectFactory()
    section = xml(client, "/sitemap-cases.xml")
    assert section.xpath("s:url/s:lastmod/text()", namespaces=SM) == [
        project.updated_at.date().isoformat()
    ]


def test_unknown_section_or_page_is_404(client):
    assert client.get("/sitemap-nope.xml").status_code == 404
    assert client.get("/sitemap-cases.xml?p=99").status_code == 404
    assert client.get("/sitemap-cases.xml?p=abc").status_code == 404


def test_sitemap_section_takes_two_queries(client, django_assert_num_queries):
    ProjectFactory.create_batch(5)
    # The paginator's count and the page of cases.
    with django_assert_num_queries(2):
        client.get("/sitemap-cases.xml")


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
