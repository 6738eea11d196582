"""Staff cannot reach the admin without a second factor, in a real browser (issue 16)."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_with_password(page, base_url: str, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def test_staff_needs_the_code_after_the_password(live_server, page, axe):
    user = make_user("curt", "Curator")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(live_server.url + "/admin/cases/importrun/import/")
    assert "/admin/login/" in page.url
    assert_accessible(axe, page)

    log_in_with_password(page, live_server.url, "curt")
    assert page.url.startswith(live_server.url + "/admin/second-factor/code/")
    assert page.locator("h1").inner_text() == "Enter your code"
    assert_accessible(axe, page)

    # The password alone opens no admin page.
    for path in ("/admin/", "/admin/cases/project/", "/admin/cases/importrun/import/"):
        page.goto(live_server.url + path)
        assert "/admin/second-factor/code/" in page.url, path
        assert page.locator("#second-factor-form").count() == 1

    page.get_by_label("Code", exact=True).fill("000000" if totp(device.bin_key) != 0 else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert "That code is not right" in page.locator(".errornote").inner_text()
    assert_accessible(axe, page)  # the page with its error
    page.wait_for_timeout(1100)  # django-otp's wait after a wrong code

    page.get_by_label("Code", exact=True).fill(f"{totp(device.bin_key):06d}")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.url == live_server.url + "/admin/cases/importrun/import/"
    assert page.locator("h1").inner_text() == "Import an INDIGO snapshot"
    page.goto(live_server.url + "/admin/")
    assert page.url == live_server.url + "/admin/"


def test_a_new_editor_enrols_and_gets_recovery_codes(live_server, page, axe):
    user = make_user("edith", "Editor")
    page.goto(live_server.url + "/admin/")
    log_in_with_password(page, live_server.url, "edith")
    assert page.url.startswith(live_server.url + "/admin/second-factor/enrol/")
    assert page.locator("figure svg[role=img]").is_visible()
    assert_accessible(axe, page)

    # As an authenticator app does with the key typed in by hand.
    key = page.locator(".second-factor-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    page.get_by_label("Code", exact=True).fill(f"{totp(base64.b32decode(key)):06d}")
    with page.expect_navigation():
        page.get_by_role("button", name="Set up").click()
    assert "/admin/second-factor/recovery-codes/" in page.url
    shown = page.locator(".second-factor-codes code").all_inner_texts()
    assert len(shown) == 10
    assert set(shown) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("link", name="I have kept them: continue").click()
    assert page.url == live_server.url + "/admin/"
    assert TOTPDevice.objects.get(user=user).confirmed
