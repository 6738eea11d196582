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


@pytest.mark.django_db
def test_home_shows_headline_figures_of_published_projects_only(client, indigo_2025):
    from cases.models import Project
    from common.models import PublicationStatus

    Project.objects.filter(indigo_id="INDIGO-POJ-0153").update(status=PublicationStatus.DRAFT)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<dd>318</dd>" in html
    assert "Countries" in html and "Service users targeted" in html


@pytest.mark.django_db
def test_home_query_count_is_pinned(client, django_assert_num_queries, indigo_2025):
    # 1 project count and sums; 2 distinct countries of their delivery locations;
    # 3 projects per policy area; 4 latest additions
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200
