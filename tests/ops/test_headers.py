"""Security headers on the public pages and the admin, security.txt, cookies and redirects
under HTTPS=1, and the login lockout by username and address together (issue 16)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_pages_and_admin_send_the_security_headers(client):
    project = ProjectFactory()
    for page in ["/", "/cases/", project.get_absolute_url(), "/admin/login/"]:
        response = client.get(page)
        assert response.status_code == 200, page
        csp = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        # Scripts from the site itself, or inline with this response's nonce (Django puts
        # the nonce in the header only on pages that use it); never 'unsafe-inline'.
        script_src = re.fullmatch(r"'self'(?: 'nonce-([\w+/=-]{16,})')?", directives["script-src"])
        assert script_src, (page, csp)
        assert "unsafe" not in csp, page
        assert directives["style-src"] == "'self'", page
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        body = response.content.decode()
        inline = [t for t in re.findall(r"<script\b[^>]*>", body) if "src=" not in t]
        nonce = script_src.group(1)
        assert all(f'nonce="{nonce}"' in tag for tag in inline), (page, inline)
        if page == project.get_absolute_url():  # its JSON-LD is an inline script
            assert nonce and inline, csp
        assert "camera=()" in response["Permissions-Policy"], page
        assert "geolocation=()" in response["Permissions-Policy"], page
        assert response["X-Content-Type-Options"] == "nosniff", page
        assert response["Referrer-Policy"] == "same-origin", page
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", page
        assert response["X-Frame-Options"] == "DENY", page
    # A nonce is never reused.
    page = project.get_absolute_url()
    assert (
        client.get(page)["Content-Security-Policy"] != client.get(page)["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_security_txt_names_a_contact_and_an_expiry_within_a_year(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"].startswith(("mailto:", "https://"))
    from datetime import UTC, datetime, timedelta

    expires = datetime.fromisoformat(fields["Expires"])
    assert timedelta(days=30) < expires - datetime.now(UTC) < timedelta(days=365)
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"
    assert client.post("/.well-known/security.txt").status_code == 405


PROBE_HTTPS = """
import django
django.setup()
from django.conf import settings
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
print(settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
client = Client(raise_request_exception=False, HTTP_HOST="outcomes.example.org")
for path in ["/health/", "/", "/admin/login/"]:
    response = client.get(path)
    print(path, response.status_code, response.get("Location", "-"))
response = client.get("/admin/login/", secure=True)
print("secure", response.status_code, response.cookies["__Host-csrftoken"]["secure"],
      response.cookies["__Host-csrftoken"]["path"], response.cookies["__Host-csrftoken"]["domain"])
"""


def test_under_https_cookies_are_host_prefixed_and_health_answers_plain_http(tmp_path):
    env = {
        **os.environ,
        "HTTPS": "1",
        "SECRET_KEY": "s3cret-" + "k" * 60,
        "ALLOWED_HOSTS": "outcomes.example.org",
        "GOLAB_GENERATE_SECRET_KEY": "0",
        "DJANGO_SETTINGS_MODULE": "golab.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE_HTTPS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "__Host-sessionid __Host-csrftoken"
    # /health/ answers a load balancer's plain-HTTP probe (503 here: no database), not 301.
    assert lines[1] == "/health/ 503 -"
    assert lines[2] == "/ 301 https://outcomes.example.org/"
    assert lines[3] == "/admin/login/ 301 https://outcomes.example.org/admin/login/"
    # A __Host- cookie is Secure, for the whole path and no Domain, or browsers refuse it.
    assert lines[4] == "secure 200 True / "


def test_a_lockout_locks_the_account_from_that_address_only(client, curator):
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(6):
        response = client.post(
            "/admin/login/", {"username": "curt", "password": "wrong password!"}, **attacker
        )
    assert response.status_code == 429
    locked = client.post("/admin/login/", {"username": "curt", "password": PASSWORD}, **attacker)
    assert locked.status_code == 429
    # The curator, from their own address, still logs in.
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "curt", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(curator.pk)
