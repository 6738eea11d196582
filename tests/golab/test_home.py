from __future__ import annotations

import pytest
from django.conf import settings

from cases.models import Project
from common.models import PublicationStatus
from tests.factories import varied_projects


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
def test_home_shows_headline_figures_of_published_projects_only(client):
    projects = varied_projects(5)  # and a draft, which must not count
    Project.objects.filter(pk=projects[0].pk).update(status=PublicationStatus.WITHDRAWN)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    figures = {figure["label"]: figure["value"] for figure in response.context["figures"]}
    assert figures["Impact bonds and outcomes contracts"] == "4" and "<dd>4</dd>" in html
    assert figures["Countries"] == "3"  # GB, US and PT
    assert "Countries" in html and "Service users targeted" in html


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 20])
def test_home_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    varied_projects(rows)
    # 1 project count and sums; 2 distinct countries of their delivery locations;
    # 3 projects per policy area; 4 latest additions
    with django_assert_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200 and len(response.context["latest"]) == min(rows, 6)
