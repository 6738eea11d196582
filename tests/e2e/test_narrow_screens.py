"""On a phone (375 px) the lists show results first: the filters fold behind a <details> that
works without JavaScript, the active filters stay visible as chips; on a wide screen the
filters show as ever."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible
from tests.factories import (
    DocumentPolicyAreaFactory,
    EvidenceDocumentFactory,
    varied_projects,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lists():
    varied_projects(12)
    for i in range(6):
        DocumentPolicyAreaFactory(
            document=EvidenceDocumentFactory(title=f"Employment evaluation {i}"),
            policy_area="employment-and-training",
        )


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(browser, request):
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, java_script_enabled=request.param
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, request.param
    context.close()


@pytest.mark.parametrize(
    "path", ["/cases/?policy_area=employment-and-training&country=GB", "/evidence/?q=employment"]
)
def test_results_come_first_on_a_phone(live_server, lists, phone, axe, path):
    phone, javascript = phone
    phone.goto(live_server.url + path)
    first = phone.locator("ol.case-results > li").first
    assert first.bounding_box()["y"] < 900
    disclosure = phone.locator("details.filter-disclosure")
    assert not disclosure.evaluate("el => el.open")
    assert not phone.locator("#filters-heading").is_visible()
    if "country" in path:
        assert phone.locator(".active-filters .chip").count() == 2
        assert phone.locator(".active-filters .chip").first.is_visible()
        assert "(2 active)" in phone.locator(".filter-disclosure__summary").inner_text()
    # Opening the disclosure (no script needed) shows the filters.
    phone.locator(".filter-disclosure__summary").click()
    assert phone.locator("#filters-heading").is_visible()
    if javascript:  # axe-core is a script: it runs where the page runs scripts
        assert_accessible(axe, phone)


def test_filters_show_without_a_click_on_a_wide_screen(live_server, lists, page, axe):
    page.goto(live_server.url + "/cases/")
    assert page.locator("#filters-heading").is_visible()
    assert not page.locator(".filter-disclosure__summary").is_visible()
    checkbox = page.locator(".facets input[type=checkbox]").first
    assert checkbox.is_visible()
    checkbox.focus()
    assert page.evaluate("document.activeElement.type") == "checkbox"
    assert_accessible(axe, page)
