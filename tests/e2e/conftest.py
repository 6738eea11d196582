"""Browser tests: Playwright drives Debian's Chromium against a live test server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db import connections
from django.test.utils import modify_settings
from playwright.sync_api import sync_playwright
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def admin_login(page, base_url: str, username: str, password: str | None = None) -> None:
    """Sign in to the admin as a person does: the password, then the six digits of the
    account's authenticator app (one is set up for it when it has none)."""
    import time

    from django.contrib.auth import get_user_model
    from django_otp.oath import TOTP, totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import PASSWORD

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="browser tests", confirmed=True)
    page.goto(base_url + "/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    # A code is good once: a second sign-in in the same 30 s takes the next step's code.
    def now() -> int:
        return TOTP(device.bin_key, device.step, device.t0, device.digits).t()

    drift = max(0, device.last_t + 1 - now())
    if drift > device.tolerance:
        time.sleep(device.step)
        drift = max(0, device.last_t + 1 - now())
    code = totp(device.bin_key, device.step, device.t0, device.digits, drift)
    page.get_by_label("Code", exact=True).fill(f"{code:06d}")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()


def assert_accessible(axe: Axe, page) -> None:
    """axe-core with its default rule set (WCAG 2.0-2.2 A/AA and best practice) finds nothing."""
    results = axe.run(page)
    violations = results.response["violations"]
    assert violations == [], results.generate_report()


@pytest.fixture(scope="module")
def read_only_live_server(django_db_setup, django_db_blocker):
    """A live server for a module of tests that only read, with the database open to them.

    pytest-django's ``live_server`` makes every test transactional: whatever a test needs is
    written before it and flushed after it. Here the module's data is written (committed) once,
    by a module fixture that uses this one, and flushed when the module is done. The tests
    that use it take no ``django_db`` mark, so pytest-django runs them after the transactional
    ones."""
    with django_db_blocker.unblock(), modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            # As a transactional test does after its flush: else PostgreSQL cannot drop the
            # test database at the end, for this connection (Playwright's event loop gives
            # the test code connections of its own).
            for connection in connections.all(initialized_only=True):
                connection.close()
