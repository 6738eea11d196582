from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_home_says_what_the_site_is_and_credits_the_data(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "outcomes" in html.lower()
    assert settings.INDIGO_ATTRIBUTION in html
    assert "/static/css/site.css" in html


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_unknown_page_is_a_404(client):
    assert client.get("/no-such-page/").status_code == 404
