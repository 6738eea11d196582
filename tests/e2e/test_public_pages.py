"""What only a browser shows: accessibility (axe-core), keyboard use, small screens.

These tests only read: the real projects below and a curated evaluation are committed once for
the module and served by ``read_only_live_server`` (tests/e2e/conftest.py)."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import pytest

from cases.models import Investment, Project
from common.models import PublicationStatus
from evidence.models import (
    DocumentAuthor,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    Relation,
)
from golab.indigo import import_snapshot
from tests.conftest import subset_snapshot
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser

# Real projects from the 2025-05 snapshot: Peterborough, the one with most metrics, and a
# few criminal-justice and homelessness cases in the UK for the facets.
PROJECTS = {
    "INDIGO-POJ-0153",
    "INDIGO-POJ-0175",
    "INDIGO-POJ-0182",
    "INDIGO-POJ-0131",
    "INDIGO-POJ-0132",
    "INDIGO-POJ-0002",
    "INDIGO-POJ-0013",
}


@dataclass
class Site:
    url: str
    organisation_url: str
    document_url: str


@pytest.fixture(scope="module")
def site(read_only_live_server, tmp_path_factory) -> Site:
    folder = subset_snapshot(tmp_path_factory.mktemp("subset"), PROJECTS)
    assert import_snapshot(folder, run_by="e2e").ok
    return Site(read_only_live_server.url, _organisation_url(), _document_url())


def _organisation_url() -> str:
    investment = (
        Investment.objects.filter(organisation__isnull=False).select_related("organisation").first()
    )
    return investment.organisation.get_absolute_url()


def _document_url() -> str:
    """A curated evaluation with every field the page can show, linked to Peterborough."""
    document = EvidenceDocument.objects.create(
        title="Final evaluation of the Peterborough pilot",
        document_type=DocumentType.EVALUATION_REPORT,
        publication_date="2014-08",
        publisher="Ministry of Justice",
        abstract="Reconviction events fell against a matched comparison.",
        doi="10.1234/moj.2014",
        url="https://example.org/report.pdf",
        evaluation_design=EvaluationDesign.QUASI_EXPERIMENTAL,
        evidence_rating=4,
        status=PublicationStatus.PUBLISHED,
    )
    DocumentAuthor.objects.create(document=document, position=0, name="Jolliffe, Darrick")
    DocumentProject.objects.create(
        document=document,
        project=Project.objects.get(indigo_id="INDIGO-POJ-0153"),
        relation=Relation.EVALUATION_OF,
    )
    return document.get_absolute_url()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/",
        "/cases/?policy_area=homelessness&country=GB&q=homeless",
        "/cases/INDIGO-POJ-0153/",
        "/cases/INDIGO-POJ-0175/",
        "ORGANISATION",
        "/policy-areas/",
        "/policy-areas/homelessness/",
        "/glossary/",
        "/evidence/",
        "/evidence/?q=peterborough&type=website",
        "DOCUMENT",
        "/evidence/ratings/",
        "/pipeline/",
        "/pipeline/?policy_area=health&country=KE&q=water",
        "/pipeline/INDIGO-PL-0026/",
    ],
)
def test_public_pages_have_no_axe_violations(page, axe, site, path):
    if path == "ORGANISATION":
        path = site.organisation_url
    if path == "DOCUMENT":
        path = site.document_url
    response = page.goto(site.url + path)
    assert response.status == 200
    assert_accessible(axe, page)


def test_keyboard_only_applies_a_facet_and_opens_a_case(page, site):
    page.goto(site.url + "/cases/")
    total = Project.objects.published().count()
    assert page.locator(".result-count").inner_text().startswith(f"{total} case studies")
    # Tab until the "Homelessness" checkbox has focus, then tick it with the space bar.
    for _ in range(80):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "document.activeElement.labels && document.activeElement.labels[0]"
            " ? document.activeElement.labels[0].textContent : ''"
        )
        if label.startswith("Homelessness"):
            break
    else:
        pytest.fail("the Homelessness filter is not reachable by keyboard")
    with page.expect_navigation():
        page.keyboard.press("Space")  # the enhancement submits on change
    assert "policy_area=homelessness" in page.url
    expected = Project.objects.published().filter(policy_sector="homelessness").count()
    assert page.locator(".result-count").inner_text().startswith(f"{expected} case stud")
    # Now to the first result, and open it with Enter.
    first = page.locator(".case-result__title a").first
    target = first.get_attribute("href")
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == target:
            break
    else:
        pytest.fail("the first result is not reachable by keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(target)
    assert page.locator("h1").is_visible()


def test_facets_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/cases/")
    page.locator("input[name=policy_area][value=homelessness]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert "policy_area=homelessness" in page.url
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/?q=homeless",
        "/cases/INDIGO-POJ-0175/",
        "/policy-areas/homelessness/",
        "/evidence/",
        "DOCUMENT",
        "/pipeline/",
        "/pipeline/INDIGO-PL-0026/",
    ],
)
def test_no_horizontal_scroll_at_320_pixels(browser, site, path):
    if path == "DOCUMENT":
        path = site.document_url
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(site.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    # What is painted, too: a full-page screenshot is as wide as the content.
    assert png_size(page.screenshot(full_page=True))[0] == 320
    context.close()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its IHDR chunk)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_a_full_page_screenshot_is_as_wide_as_content_that_sticks_out(browser):
    # Guards the check above: content wider than the window makes a wider screenshot.
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_content('<!doctype html><body style="margin:0"><div style="width:900px">x</div>')
    assert png_size(page.screenshot(full_page=True))[0] == 900
    context.close()


def test_pages_load_nothing_from_other_hosts(page, site):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(site.url + "/cases/INDIGO-POJ-0153/")
    page.goto(site.url + "/cases/?q=homeless")
    assert requested and all(url.startswith(site.url) for url in requested)


@pytest.mark.parametrize("path", ["/cases/?policy_area=homelessness", "/cases/INDIGO-POJ-0153/"])
def test_usable_at_200_percent_zoom(browser, site, path):
    # A 1280×900 window zoomed to 200% lays out as 640×450 CSS pixels.
    context = browser.new_context(viewport={"width": 640, "height": 450})
    page = context.new_page()
    page.goto(site.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    assert page.locator("h1").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    context.close()
