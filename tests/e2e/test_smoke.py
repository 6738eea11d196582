from __future__ import annotations

import pytest

from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_loads_styled_and_has_no_axe_violations(live_server, page, axe):
    response = page.goto(live_server.url + "/")
    assert response.status == 200
    assert page.locator("h1").inner_text().startswith("What works")
    # The stylesheet came from our own static files: the header is painted in the brand colour.
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(0, 60, 113)"
    assert_accessible(axe, page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_axe_does_report_a_violation_when_there_is_one(page, axe):
    # Guards the accessibility tests themselves: a page with an unlabelled field and an image
    # without alternative text must fail.
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    ids = {v["id"] for v in axe.run(page).response["violations"]}
    assert {"image-alt", "label"} <= ids
