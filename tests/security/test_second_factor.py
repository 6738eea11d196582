"""The admin needs a second factor (TOTP or a recovery code) after the password, and staff
sessions end when idle (golab/second_factor.py)."""

from __future__ import annotations

import base64
import io
import logging
import re
import time

import pytest
import time_machine
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.urls import URLPattern, URLResolver
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from golab.second_factor import new_recovery_codes
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
CODE_STEP = "/admin/second-factor/code/"
ENROL = "/admin/second-factor/enrol/"
MANAGE = "/admin/second-factor/"


def sign_in(client, username: str, **extra) -> None:
    """The password only, through the admin's real login form."""
    response = client.post(
        "/admin/login/", {"username": username, "password": PASSWORD, "next": "/admin/"}, **extra
    )
    assert response.status_code == 302, response.content[:500]


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the device does not accept now (nor in the steps either side)."""
    near = {code_of_at(device, d) for d in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)


def code_of_at(device: TOTPDevice, drift: int) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def security_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "golab.security"]


def admin_paths() -> list[str]:
    """A path for every URL pattern of the admin, each placeholder filled with 1."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern)
            if text.startswith("^"):  # the app index: ^(?P<app_label>auth|cases|...)/$
                text = re.sub(r"\(\?P<app_label>[^)]*\)", "cases", text).strip("^$")
            text = re.sub(r"<[^>]+>", "1", text)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif isinstance(pattern, URLPattern):
                found.append(prefix + text)

    walk(admin.site.urls[0], "/admin/")
    return sorted(set(found))


def test_password_alone_reaches_no_admin_page(client, curator, superuser):
    device_for(curator)
    sign_in(client, "curt")
    paths = admin_paths()
    open_paths = {"/admin/login/", "/admin/logout/"}
    checked = [p for p in paths if p not in open_paths]
    # Every model's pages, the import and its jobs, the accounts and their reset page.
    assert len(checked) > 80
    assert "/admin/cases/importrun/import/1/" in checked
    assert "/admin/auth/user/1/second-factor/reset/" in checked
    for path in checked:
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, (path, response.status_code)
            assert response["Location"].startswith(f"{CODE_STEP}?next="), path
    assert TOTPDevice.objects.filter(user=curator).count() == 1


def test_a_staff_account_without_a_factor_is_sent_to_enrol(client, curator):
    sign_in(client, "curt")
    response = client.get("/admin/cases/project/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2Fadmin%2Fcases%2Fproject%2F"
    # Nor can it skip to the code step or the own-factor page.
    assert client.get(CODE_STEP)["Location"].startswith(ENROL)
    assert client.get(MANAGE)["Location"].startswith(ENROL)


def test_a_wrong_code_is_refused_and_a_good_one_lets_in(client, curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    device = device_for(curator)
    sign_in(client, "curt")
    page = client.get(f"{CODE_STEP}?next=/admin/cases/project/")
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    response = client.post(CODE_STEP, {"code": wrong_code(device), "next": "/admin/"})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert any("wrong second-factor code for curt" in m for m in security_messages(caplog))

    # django-otp waits a second after a wrong code before it looks at the next.
    with time_machine.travel(time.time() + 31, tick=False):
        response = client.post(CODE_STEP, {"code": code_of(device), "next": "/admin/cases/"})
        assert response.status_code == 302 and response["Location"] == "/admin/cases/"
        assert client.get("/admin/").status_code == 200
        assert client.get("/admin/cases/importrun/import/").status_code == 200


def test_the_code_step_goes_back_only_to_this_site(client, curator):
    device = device_for(curator)
    sign_in(client, "curt")
    response = client.post(CODE_STEP, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_a_recovery_code_works_once(client, curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    device_for(curator)
    codes = new_recovery_codes(curator)
    assert len(codes) == 10 == len(set(codes))
    sign_in(client, "curt")
    response = client.post(CODE_STEP, {"code": codes[3].upper(), "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert any(
        "recovery code used by curt (#" in m and "(9 left)" in m for m in security_messages(caplog)
    )

    client.post("/admin/logout/")
    sign_in(client, "curt")
    response = client.post(CODE_STEP, {"code": codes[3], "next": "/admin/"})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert StaticToken.objects.filter(device__user=curator).count() == 9


def test_enrolment_shows_a_qr_code_and_the_key_then_the_recovery_codes_once(
    client, curator, caplog
):
    caplog.set_level(logging.INFO, logger="golab.security")
    sign_in(client, "curt")
    page = client.get(f"{ENROL}?next=/admin/cases/").content.decode()
    device = TOTPDevice.objects.get(user=curator)
    assert not device.confirmed
    svg = re.search(r'<svg role="img" aria-labelledby="qr-caption".*?</svg>', page, re.S)
    assert svg and "<path" in svg.group() and "<script" not in svg.group()
    secret = re.search(r'class="second-factor-secret">([A-Z2-7 ]+)<', page)
    assert secret and secret.group(1).replace(" ", "") == base64.b32encode(device.bin_key).decode()
    # A reload shows the same key, not a new device.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=curator).count() == 1

    response = client.post(ENROL, {"code": wrong_code(device), "next": "/admin/cases/"})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    with time_machine.travel(time.time() + 31, tick=False):
        response = client.post(ENROL, {"code": code_of(device), "next": "/admin/cases/"})
        assert response.status_code == 302
        assert (
            response["Location"] == "/admin/second-factor/recovery-codes/?next=%2Fadmin%2Fcases%2F"
        )
        shown = client.get(response["Location"])
        codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
        assert len(codes) == 10
        assert "no-store" in shown["Cache-Control"]
        assert set(codes) == set(
            StaticToken.objects.filter(device__user=curator).values_list("token", flat=True)
        )
        again = client.get("/admin/second-factor/recovery-codes/").content.decode()
        assert not any(code in again for code in codes) and "shown once" in again
        assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert any(m.startswith("second factor enrolled for curt") for m in security_messages(caplog))
    # With a factor set up, enrolment is closed: a password alone cannot replace it.
    client.post("/admin/logout/")
    sign_in(client, "curt")
    assert client.get(ENROL)["Location"].startswith(CODE_STEP)


def test_wrong_codes_lock_like_wrong_passwords(client, curator, settings, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    settings.AXES_FAILURE_LIMIT = 3
    device = device_for(curator)
    here = {"REMOTE_ADDR": "203.0.113.9"}
    sign_in(client, "curt", **here)
    statuses = [client.post(CODE_STEP, {"code": "12345x"}, **here).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "_auth_user_id" not in client.session  # signed out
    # The password still works from there (it is the code that is locked) but the code step
    # refuses even a good code.
    sign_in(client, "curt", **here)
    assert client.post(CODE_STEP, {"code": code_of(device)}, **here).status_code == 429
    assert client.get("/admin/", **here).status_code == 302
    assert any("lockout of otp:curt from 203.0.113.9" in m for m in security_messages(caplog))


def test_a_superuser_resets_a_factor_only_after_an_explicit_yes(client, curator, superuser, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    device_for(curator)
    new_recovery_codes(curator)
    curators_session = type(client)()
    curators_session.force_login(curator)
    assert curators_session.get("/admin/").status_code == 200

    client.force_login(superuser)
    url = f"/admin/auth/user/{curator.pk}/second-factor/reset/"
    change = client.get(f"/admin/auth/user/{curator.pk}/change/").content.decode()
    assert f'href="{url}"' in change
    page = client.get(url)
    assert page.status_code == 200 and 'value="yes"' in page.content.decode()
    for refused in ({}, {"confirm": "yes please"}):
        response = client.post(url, refused)
        assert response.status_code == 200 and "errornote" in response.content.decode()
    response = client.post(url, {"confirm": "no"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=curator).exists()

    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == f"/admin/auth/user/{curator.pk}/change/"
    assert not TOTPDevice.objects.filter(user=curator).exists()
    assert not StaticDevice.objects.filter(user=curator).exists()
    expected = f"second factor removed for curt (#{curator.pk}) by root (#{superuser.pk})"
    assert expected in security_messages(caplog)
    # The curator's open session lost its second factor with the device.
    assert curators_session.get("/admin/")["Location"].startswith(ENROL)


def test_only_a_superuser_resets_a_factor_and_never_their_own(client, curator, editor, superuser):
    device_for(editor)
    client.force_login(curator)
    url = f"/admin/auth/user/{editor.pk}/second-factor/reset/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(user=editor).exists()

    client.force_login(superuser)
    own = f"/admin/auth/user/{superuser.pk}/second-factor/reset/"
    assert client.post(own, {"confirm": "yes"})["Location"] == MANAGE
    assert TOTPDevice.objects.filter(user=superuser).exists()
    assert client.get("/admin/auth/user/999999/second-factor/reset/").status_code == 404


def test_removing_ones_own_factor_needs_a_valid_code(client, curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    client.force_login(curator)
    device = TOTPDevice.objects.get(user=curator)
    page = client.get(MANAGE)
    assert page.status_code == 200 and "Remove my authenticator" in page.content.decode()
    response = client.post(MANAGE, {"action": "remove", "code": "not a code"})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert client.post(MANAGE, {"action": "remove"}).status_code == 200
    assert TOTPDevice.objects.filter(user=curator).exists()

    with time_machine.travel(time.time() + 31, tick=False):
        response = client.post(MANAGE, {"action": "remove", "code": code_of(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=curator).exists()
    assert any(m.startswith("second factor removed for curt") for m in security_messages(caplog))
    assert client.get("/admin/")["Location"].startswith(ENROL)


def test_new_recovery_codes_need_a_code_and_replace_the_old(client, curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    client.force_login(curator)
    device = TOTPDevice.objects.get(user=curator)
    old = new_recovery_codes(curator)
    response = client.post(MANAGE, {"action": "regenerate", "code": old[0]})
    assert response["Location"] == "/admin/second-factor/recovery-codes/"
    shown = client.get(response["Location"]).content.decode()
    new = set(StaticToken.objects.filter(device__user=curator).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old)
    assert all(f"<code>{code}</code>" in shown for code in new)
    assert any(
        m.startswith("recovery codes regenerated for curt") for m in security_messages(caplog)
    )
    assert device.pk == TOTPDevice.objects.get(user=curator).pk


def test_otp_reset_command_for_an_operator(curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    device_for(curator)
    with pytest.raises(CommandError, match="--yes"):
        call_command("otp_reset", "curt")
    assert TOTPDevice.objects.filter(user=curator).exists()
    with pytest.raises(CommandError, match="No account"):
        call_command("otp_reset", "nobody", "--yes")
    out = io.StringIO()
    call_command("otp_reset", "curt", "--yes", stdout=out)
    assert "curt" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=curator).exists()
    assert any(
        m.startswith("second factor removed for curt") and "manage.py otp_reset" in m
        for m in security_messages(caplog)
    )


def test_an_idle_session_is_logged_out_and_an_active_one_is_not(client, curator, settings, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    with time_machine.travel("2026-01-05 09:00:00Z", tick=False) as clock:
        client.force_login(curator)
        for _ in range(4):  # an hour and a half of work, a request every 25 minutes
            clock.shift(25 * 60)
            assert client.get("/admin/").status_code == 200
        clock.shift(31 * 60)
        response = client.get("/admin/cases/project/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        assert "_auth_user_id" not in client.session
    assert any(
        m.startswith("session of curt ended after 1860 s idle") for m in security_messages(caplog)
    )


def test_the_code_step_query_count(client, curator, django_assert_num_queries):
    device_for(curator)
    sign_in(client, "curt")
    # 1 the session, 2 the account, 3 whether it has an authenticator, 4 its lockout
    # (django-axes' access attempts).
    with django_assert_num_queries(4):
        assert client.get(CODE_STEP).status_code == 200


@pytest.mark.parametrize("query", ["?next=%00", "?next=javascript:alert(1)", "?next=" + "x" * 5000])
def test_odd_parameters_on_the_steps_are_never_an_error(client, curator, query):
    sign_in(client, "curt")
    for path in (ENROL, CODE_STEP, MANAGE, "/admin/second-factor/recovery-codes/"):
        assert client.get(path + query).status_code < 500
    assert client.post(ENROL + query, {"code": "\u0663" * 6}).status_code < 500


def test_the_admin_links_ones_own_second_factor_page(client, editor):
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert f'<a href="{MANAGE}">Second factor</a>' in page


def test_a_good_code_forgives_the_wrong_ones_before_it(client, curator, settings):
    settings.AXES_FAILURE_LIMIT = 2
    device = device_for(curator)
    sign_in(client, "curt")
    before = client.session.session_key
    assert client.post(CODE_STEP, {"code": "12345x"}).status_code == 200
    with time_machine.travel(time.time() + 31, tick=False):
        assert client.post(CODE_STEP, {"code": code_of(device)}).status_code == 302
        assert client.session.session_key != before
        client.post("/admin/logout/")
        sign_in(client, "curt")
        # One more wrong code does not lock: the count started again.
        assert client.post(CODE_STEP, {"code": "12345x"}).status_code == 200
