"""Hostile input: a NUL byte anywhere in a request is a client error, never a server error.

PostgreSQL refuses NUL in text, so before ``golab.middleware.RejectNulBytesMiddleware`` a
NUL in a path id or a filter value reached the database and became an HTTP 500 there
(SQLite accepted it and answered 404).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

# Each of these was an HTTP 500 on PostgreSQL: the id went into a query as text.
NUL_IDS = [
    "/cases/%00/",
    "/cases/a%00b/",
    "/organisations/%00/",
    "/organisations/INDIGO-ORG-0001%00/",
    "/funds/%00/",
    "/evidence/%00/",
    "/evidence/1%00/",
    "/policy-areas/%00/",
]


@pytest.mark.parametrize("url", NUL_IDS)
def test_nul_byte_in_path_id_is_a_client_error(client, url):
    response = client.get(url)

    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/project/?status=%00",  # was a 500 on PostgreSQL
        "/admin/cases/project/?q=%00",
        "/admin/cases/project/%00/change/",
        "/admin/cases/organisation/?q=a%00",
    ],
)
def test_nul_byte_in_admin_url_is_a_client_error_for_staff(client, url):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))

    response = client.get(url)

    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?q=%00",
        "/cases/?country=%00",
        "/cases/?stage=%00&policy_area=a%00b",
        "/cases/?%00=1",
        "/evidence/?q=%00&type=%00",
    ],
)
def test_nul_byte_in_query_string_is_refused_before_any_view(client, url):
    assert client.get(url).status_code == 400


def test_nul_byte_in_posted_form_is_a_client_error(client):
    response = client.post("/admin/login/", {"username": "root\x00", "password": "pw"})

    assert response.status_code == 400


def test_nul_byte_answer_is_short_plain_text(client):
    response = client.get("/cases/%00/")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_ordinary_requests_pass_through(client):
    assert client.get("/cases/?q=homelessness").status_code == 200
    assert client.get("/cases/INDIGO-POJ-0001/").status_code == 404
