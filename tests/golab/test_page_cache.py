"""The page cache (golab/page_cache.py): popular public pages served from the shared cache."""

from __future__ import annotations

import base64
import pickle
import re
import zlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import path
from django.utils.html import escape

from cases.models import Project
from common.models import PublicationStatus
from evidence.models import EvaluationDesign, Relation
from evidence.services import merge_works, refresh_evaluation_flags
from golab.indigo import import_snapshot
from golab.page_cache import HEADER, PLACEHOLDER, PageCacheMiddleware
from tests.conftest import subset_snapshot
from tests.factories import (
    DeliveryLocationFactory,
    DocumentProjectFactory,
    EvidenceDocumentFactory,
    OutcomePaymentCommitmentFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("result_cache")]

PUBLISHED, DRAFT = PublicationStatus.PUBLISHED, PublicationStatus.DRAFT


def _nonce_page(request):
    # Stands in for a cached page with an inline script (none of today's has one).
    template = engines["django"].from_string(
        '<script type="application/ld+json" nonce="{{ csp_nonce }}">{}</script>'
        "<p>{{ csp_nonce }}</p>"
    )
    return HttpResponse(template.render({}, request))


def _tagged_page(request):
    response = HttpResponse("a page with a validator")
    response["ETag"] = '"v1"'
    response["Last-Modified"] = "Wed, 01 Jan 2025 00:00:00 GMT"
    return response


# This module is the URLconf of the tests marked urls(__name__): /insights/ with a nonce,
# /pipeline/ with an ETag and a Last-Modified.
urlpatterns = [path("insights/", _nonce_page), path("pipeline/", _tagged_page)]


def stored_pages() -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM golab_cache")
        values = [pickle.loads(base64.b64decode(row[0])) for row in cursor.fetchall()]  # noqa: S301
    # each entry holds the data version it was computed under, then the value
    values = [v[1] if isinstance(v, tuple) and len(v) == 2 else v for v in values]
    return [
        zlib.decompress(value["body"])
        for value in values
        if isinstance(value, dict) and "body" in value
    ]


def test_second_visit_is_served_from_the_cache(client, django_assert_max_num_queries):
    ProjectFactory(name="Cached Bond")
    first = client.get("/cases/")
    assert first.status_code == 200 and first[HEADER] == "miss"
    # 1 the data version and the page, read together (two queries before: on PostgreSQL
    # a round trip each, what a cached page costs)
    with django_assert_max_num_queries(1):
        second = client.get("/cases/")
    assert second.status_code == 200 and second[HEADER] == "hit"
    assert second.content == first.content and b"Cached Bond" in second.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Cookie" in second["Vary"]
    assert "Content-Security-Policy" in second


def test_parameters_in_another_order_are_the_same_page(client):
    ProjectFactory()
    assert client.get("/cases/?stage=complete&sort=name")[HEADER] == "miss"
    assert client.get("/cases/?sort=name&stage=complete")[HEADER] == "hit"
    assert client.get("/cases/?sort=newest&stage=complete")[HEADER] == "miss"


@pytest.mark.parametrize(
    "url", ["/", "/cases/", "/evidence/", "/policy-areas/", "/insights/", "/pipeline/"]
)
def test_each_popular_page_is_cached(client, url):
    assert client.get(url)[HEADER] == "miss"
    response = client.get(url)
    assert response.status_code == 200 and response[HEADER] == "hit"


def test_policy_area_page_is_cached(client):
    ProjectFactory(policy_sector="health")
    url = "/policy-areas/health/"
    assert client.get(url).status_code == 200
    assert client.get(url)[HEADER] == "hit"


def test_other_pages_are_not_cached(client):
    project = ProjectFactory()
    document = EvidenceDocumentFactory()
    for url in (
        "/glossary/",
        "/health/",
        "/api/v1/",
        "/cases/facets/country/",
        "/cases/export.csv",
        f"{document.get_absolute_url()}file/",
        "/admin/login/",
        f"/api/v1/cases/{project.indigo_id}/",
    ):
        client.get(url)
        assert HEADER not in client.get(url), url


def test_record_pages_are_cached(client):
    """A case page cost 20-30 ms to build (15 queries); from the cache about 1 ms (issue 15,
    target 7)."""
    project = ProjectFactory(name="A Bond Worth Caching")
    document = EvidenceDocumentFactory(title="A Report Worth Caching")
    for url, text in (
        (project.get_absolute_url(), b"A Bond Worth Caching"),
        (document.get_absolute_url(), b"A Report Worth Caching"),
    ):
        first = client.get(url)
        assert first.status_code == 200 and first[HEADER] == "miss"
        second = client.get(url)
        assert second[HEADER] == "hit" and text in second.content
        # The same page but for its CSP nonce (its JSON-LD script has one): fresh on each hit.
        nonce = re.compile(rb'nonce="[^"]+"')
        assert nonce.sub(b"", second.content) == nonce.sub(b"", first.content)


def test_a_withdrawn_case_page_is_gone_at_once(client, curator):
    project = ProjectFactory(name="Withdrawn Page Bond")
    url = project.get_absolute_url()
    assert client.get(url)[HEADER] == "miss"
    assert client.get(url)[HEADER] == "hit"
    admin = Client()
    admin.force_login(curator)
    transition = f"/admin/cases/project/{project.pk}/transition/"
    assert admin.post(transition, {"to_status": PublicationStatus.WITHDRAWN}).status_code == 302
    response = client.get(url)
    assert b"Withdrawn Page Bond" not in response.content or response.status_code != 200
    assert response.get(HEADER) != "hit"


def test_a_missing_record_is_never_stored(client):
    for _ in range(2):
        response = client.get("/cases/INDIGO-POJ-9999/")
        assert response.status_code == 404 and response[HEADER] == "skip"


def test_head_is_answered_from_the_cache(client):
    client.get("/cases/")
    response = client.head("/cases/")
    assert response.status_code == 200 and response[HEADER] == "hit"


@pytest.mark.urls(__name__)
def test_every_hit_has_a_fresh_nonce_the_header_agrees_with(client):
    nonces = []
    for expected in ("miss", "hit", "hit"):
        response = client.get("/insights/")
        assert response[HEADER] == expected
        header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        body = re.search(rb'nonce="([^"]+)"', response.content)
        assert header and body
        assert body.group(1).decode() == header.group(1)
        assert response.content.count(header.group(1).encode()) == 2
        assert PLACEHOLDER not in response.content
        nonces.append(header.group(1))
    assert len(set(nonces)) == 3
    # What is stored carries the placeholder, never a nonce that was sent.
    [page] = stored_pages()
    assert page.count(PLACEHOLDER) == 2 and not any(n.encode() in page for n in nonces)


def ready_draft(name: str) -> Project:
    """A draft with what publication needs (a country, a date, a party)."""
    draft = ProjectFactory(name=name, status=DRAFT, service_start="2020")
    DeliveryLocationFactory(project=draft)
    OutcomePaymentCommitmentFactory(project=draft)
    return draft


@pytest.mark.urls(__name__)
def test_conditional_get_still_works_on_a_hit(client):
    assert client.get("/pipeline/")[HEADER] == "miss"
    hit = client.get("/pipeline/")
    assert hit[HEADER] == "hit" and hit["ETag"] == '"v1"'
    assert client.get("/pipeline/", headers={"if-none-match": '"v1"'}).status_code == 304
    assert client.get("/pipeline/", headers={"if-none-match": '"v0"'}).status_code == 200
    since = {"if-modified-since": "Thu, 02 Jan 2025 00:00:00 GMT"}
    assert client.get("/pipeline/", headers=since).status_code == 304


def test_publishing_shows_at_once(client, curator):
    draft = ready_draft("Newly Published Bond")
    assert b"Newly Published Bond" not in client.get("/cases/").content
    assert client.get("/cases/")[HEADER] == "hit"
    # The curator publishes through the admin, in another session.
    admin = Client()
    admin.force_login(curator)
    response = admin.post(f"/admin/cases/project/{draft.pk}/transition/", {"to_status": PUBLISHED})
    assert response.status_code == 302
    assert Project.objects.get(pk=draft.pk).status == PUBLISHED
    response = client.get("/cases/")
    assert response[HEADER] == "miss" and b"Newly Published Bond" in response.content


def test_a_draft_never_enters_a_cached_page(client):
    ProjectFactory(name="Public Bond")
    ProjectFactory(name="Secret Draft Bond", status=DRAFT)
    for url in ("/", "/cases/", "/cases/?q=bond", "/policy-areas/", "/insights/"):
        client.get(url)
        assert client.get(url)[HEADER] == "hit"
    pages = stored_pages()
    assert len(pages) == 5
    assert any(b"Public Bond" in page for page in pages)
    assert not any(b"Secret Draft" in page for page in pages)


def test_a_logged_in_user_is_never_served_from_nor_stored_to_the_cache(client, curator):
    ProjectFactory(name="Staff View Bond")
    client.get("/cases/")
    assert client.get("/cases/")[HEADER] == "hit"
    client.force_login(curator)
    for url in ("/cases/", "/evidence/"):
        response = client.get(url)
        assert response.status_code == 200 and HEADER not in response
    assert len(stored_pages()) == 1


def test_a_visitor_with_messages_is_not_served_from_the_cache(client):
    client.get("/cases/")
    client.cookies["messages"] = "anything"
    assert HEADER not in client.get("/cases/")


def test_a_page_handing_out_a_csrf_token_is_not_stored():
    # A page with a CSRF token (and its cookie) is someone's own.
    def view(request):
        get_token(request)
        return HttpResponse("a form")

    request = RequestFactory().get("/cases/")
    request.user = AnonymousUser()
    assert PageCacheMiddleware(view)(request)[HEADER] == "skip"
    assert stored_pages() == []


def test_switched_off_it_neither_serves_nor_stores(client, settings):
    settings.RESULT_CACHE = False
    client.get("/cases/")
    assert HEADER not in client.get("/cases/")
    assert stored_pages() == []


@pytest.mark.parametrize(
    "query",
    [
        "page=%ff%fe",
        "sort=&sort=&&&=",
        "q=%00",
        "policy_area[]=x&country=ZZZ&page=-1",
        "q=" + "x" * 3000,
        "%E2%82=1&a=%",
    ],
)
def test_odd_query_strings_still_answer(client, query):
    for _ in range(2):
        assert client.get(f"/cases/?{query}").status_code < 500
        assert client.get(f"/evidence/?{query}").status_code < 500


# --- every change that can show bumps the data version: the page changes at once -------------
def cached_page(client, url: str = "/cases/") -> bytes:
    client.get(url)
    response = client.get(url)
    assert response[HEADER] == "hit"
    return response.content


def fresh_page(client, url: str = "/cases/") -> bytes:
    response = client.get(url)
    assert response[HEADER] == "miss"
    return response.content


def test_a_save_shows_at_once(client):
    project = ProjectFactory(name="Before The Edit")
    assert b"Before The Edit" in cached_page(client)
    project.name = "After The Edit"
    project.save()
    assert b"After The Edit" in fresh_page(client)


def test_a_new_row_of_a_case_shows_at_once(client):
    project = ProjectFactory(name="Placeless Bond")
    assert b"Placeless Bond" not in cached_page(client, "/cases/?country=PT")
    DeliveryLocationFactory(project=project, country="PT")
    assert b"Placeless Bond" in fresh_page(client, "/cases/?country=PT")


def test_a_delete_shows_at_once(client):
    project = ProjectFactory(name="Soon Deleted Bond")
    assert b"Soon Deleted Bond" in cached_page(client)
    project.delete()
    assert b"Soon Deleted Bond" not in fresh_page(client)


def test_withdrawing_through_the_admin_shows_at_once(client, curator):
    project = ProjectFactory(name="Soon Withdrawn Bond")
    assert b"Soon Withdrawn Bond" in cached_page(client)
    admin = Client()
    admin.force_login(curator)
    url = f"/admin/cases/project/{project.pk}/transition/"
    assert admin.post(url, {"to_status": PublicationStatus.WITHDRAWN}).status_code == 302
    assert b"Soon Withdrawn Bond" not in fresh_page(client)


def test_merging_works_shows_at_once(client, curator):
    target = EvidenceDocumentFactory(title="The Merged Report")
    other = EvidenceDocumentFactory(title="A Duplicate Report")
    page = cached_page(client, "/evidence/")
    assert b"A Duplicate Report" in page and b"The Merged Report" in page
    merge_works(target=target, others=[other], user=curator)
    assert b"A Duplicate Report" not in fresh_page(client, "/evidence/")


def test_an_evaluation_flag_refreshed_in_bulk_shows_at_once(client):
    project = ProjectFactory(name="Evaluated Bond")
    url = "/cases/?has_evaluation=yes"
    assert b"Evaluated Bond" not in cached_page(client, url)
    DocumentProjectFactory(
        project=project,
        document=EvidenceDocumentFactory(evaluation_design=EvaluationDesign.RCT),
        relation=Relation.EVALUATION_OF,
    )
    cached_page(client, url)  # the link alone does not set the flag: a read in between
    assert refresh_evaluation_flags(project_ids=[project.pk]) == 1  # QuerySet.update
    assert b"Evaluated Bond" in fresh_page(client, url)


def test_an_import_shows_at_once(client, tmp_path):
    before = cached_page(client)
    snapshot = subset_snapshot(tmp_path / "snap", {"INDIGO-POJ-0001"})
    assert import_snapshot(snapshot, run_by="tests").applied
    imported = Project.objects.published().get(indigo_id="INDIGO-POJ-0001")
    name = escape(imported.name).encode()
    assert name not in before and name in fresh_page(client)


def test_a_restore_shows_at_once(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = ProjectFactory(name="Backed Up Bond")
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), verbosity=0)
    project.name = "Edited After The Backup"
    project.save()
    assert b"Edited After The Backup" in cached_page(client)
    call_command("restore", str(archive), "--yes", verbosity=0)
    assert b"Backed Up Bond" in fresh_page(client)


# --- nothing leaks from a test that commits (live server, transaction=True) -------------------
@pytest.mark.django_db(transaction=True)
def test_a_committing_test_stores_a_page():
    ProjectFactory(name="Committed Bond")
    client = Client()
    client.get("/cases/")
    assert client.get("/cases/")[HEADER] == "hit"
    assert any(b"Committed Bond" in page for page in stored_pages())


@pytest.mark.django_db(transaction=True)
def test_the_next_test_starts_with_an_empty_cache():
    # The flush after the test above sends post_migrate, which empties the cache table.
    assert stored_pages() == []
    assert b"Committed Bond" not in Client().get("/cases/").content


@pytest.mark.django_db(transaction=True)
def test_without_the_cache_table_pages_are_served_and_changes_saved(settings):
    # A deployment that ran migrate but not createcachetable: pages are not cached, not broken.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "golab_cache_never_created",
        }
    }
    ProjectFactory(name="Uncached Bond")  # its bump fails quietly
    for _ in range(2):
        response = Client().get("/cases/")
        assert response.status_code == 200 and b"Uncached Bond" in response.content
        assert response[HEADER] == "miss"


def test_a_hit_from_this_process_is_one_short_read_and_stale_at_another_process_bump(
    client, django_assert_num_queries
):
    """A page this process served is kept here too (common.cache): a hit then reads only
    the data version, and a bump by any other process shows at once all the same."""
    from django.core.cache import cache

    from common import cache as result_cache

    case = ProjectFactory(name="Kept Bond")
    client.get("/cases/")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM golab_cache WHERE cache_key LIKE %s", ["%:page:%"])
    with django_assert_num_queries(1):
        hit = client.get("/cases/")
    assert hit[HEADER] == "hit" and b"Kept Bond" in hit.content
    # Another process renames the case and bumps: nothing of this process is told.
    Project.objects.filter(pk=case.pk).update(name="Renamed Bond")
    cache.set(result_cache.VERSION_KEY, "bumped by another process", timeout=None)
    fresh = client.get("/cases/")
    assert fresh[HEADER] == "miss" and b"Renamed Bond" in fresh.content
    assert b"Kept Bond" not in fresh.content
