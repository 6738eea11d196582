"""common.cache: results keyed on a data version shared through the database cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from common import cache as result_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("result_cache")]


def counter():
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    return calls, compute


def test_second_call_is_served_from_the_cache():
    calls, compute = counter()
    assert result_cache.cached("t", "a", compute) == {"n": 1}
    assert result_cache.cached("t", "a", compute) == {"n": 1}
    assert len(calls) == 1
    assert result_cache.cached("t", "b", compute) == {"n": 2}
    assert result_cache.cached("u", "a", compute) == {"n": 3}


def test_none_is_cached_too():
    calls = []

    def compute():
        calls.append(1)

    result_cache.cached("t", "none", compute)
    result_cache.cached("t", "none", compute)
    assert len(calls) == 1


def test_bump_makes_everything_stale():
    calls, compute = counter()
    result_cache.cached("t", "a", compute)
    before = result_cache.data_version()
    result_cache.bump()
    assert result_cache.data_version() != before
    assert result_cache.cached("t", "a", compute) == {"n": 2}


def test_another_release_never_reads_what_this_one_cached(monkeypatch):
    """Before, a deploy that changed a template but no data served the old pages until the
    next change of data (a policy area page kept its 158 kB list after the code cut it)."""
    calls, compute = counter()
    result_cache.cached("t", "a", compute)
    monkeypatch.setattr(result_cache, "code_version", lambda: "another-release")
    assert result_cache.cached("t", "a", compute) == {"n": 2}
    assert len(calls) == 2


def test_the_code_version_follows_templates_and_code(tmp_path, settings):
    for folder in result_cache.CODE_FOLDERS:
        (tmp_path / folder).mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    (tmp_path / "cases" / "views.py").write_text("x = 1\n")
    settings.BASE_DIR = tmp_path
    result_cache.code_version.cache_clear()
    try:
        first = result_cache.code_version()
        page.write_text("<p>two</p>")
        result_cache.code_version.cache_clear()
        second = result_cache.code_version()
        (tmp_path / "cases" / "notes.md").write_text("not served")
        result_cache.code_version.cache_clear()
        assert result_cache.code_version() == second
    finally:
        result_cache.code_version.cache_clear()
    assert first != second


def test_version_is_created_when_evicted():
    version = result_cache.data_version()
    cache.delete(result_cache.VERSION_KEY)
    assert result_cache.data_version() != version
    assert cache.get(result_cache.VERSION_KEY) == result_cache.data_version()


def test_disabled_cache_always_computes(settings):
    settings.RESULT_CACHE = False
    assert not result_cache.enabled()
    calls, compute = counter()
    result_cache.cached("t", "a", compute)
    result_cache.cached("t", "a", compute)
    assert len(calls) == 2


def test_bumps_in_one_transaction_write_once(django_assert_num_queries):
    with transaction.atomic():
        result_cache.bump()
        version = cache.get(result_cache.VERSION_KEY)
        # No cache write: the version set by the first bump is still the one to use.
        with django_assert_num_queries(0):
            result_cache.bump()
            result_cache.bump()
        assert cache.get(result_cache.VERSION_KEY) == version


def test_a_read_between_bumps_needs_a_new_version():
    calls, compute = counter()
    with transaction.atomic():
        result_cache.bump()
        result_cache.cached("t", "a", compute)
        result_cache.bump()
        assert result_cache.cached("t", "a", compute) == {"n": 2}


def test_a_rolled_back_bump_does_not_hide_the_next():
    with transaction.atomic():
        version = result_cache.data_version()
        try:
            with transaction.atomic():
                result_cache.bump()
                raise RuntimeError
        except RuntimeError:
            pass
        assert cache.get(result_cache.VERSION_KEY) == version  # the savepoint took it back
        result_cache.bump()
        assert cache.get(result_cache.VERSION_KEY) != version


def test_deferred_bumps_once_at_the_end():
    version = result_cache.data_version()
    with result_cache.deferred():
        result_cache.bump()
        result_cache.bump()
        assert cache.get(result_cache.VERSION_KEY) == version
    assert cache.get(result_cache.VERSION_KEY) != version


def test_version_is_read_once_per_request(client, django_assert_num_queries):
    # The handlers of request_started and request_finished (the signals themselves would also
    # close the test's connection, as a server does between requests).
    result_cache._start_request()
    try:
        result_cache.data_version()
        with django_assert_num_queries(0):
            result_cache.data_version()
        result_cache.bump()
        with django_assert_num_queries(0):
            version = result_cache.data_version()
        assert version == cache.get(result_cache.VERSION_KEY)
    finally:
        result_cache._finish_request()
    # Outside a request, every call reads the shared version (another process may bump it).
    with django_assert_num_queries(1):
        result_cache.data_version()


def test_a_cache_outside_the_database_is_bumped_again_at_commit(
    settings, django_capture_on_commit_callbacks
):
    # Redis (CACHE_URL) does not roll back with the transaction: another process may cache the
    # old data under the version bumped during it, so the commit makes a newer one.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        result_cache.bump()
        during = cache.get(result_cache.VERSION_KEY)
    assert during is not None and cache.get(result_cache.VERSION_KEY) != during


def test_the_database_cache_is_not_bumped_again_at_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        result_cache.bump()
        during = cache.get(result_cache.VERSION_KEY)
    assert cache.get(result_cache.VERSION_KEY) == during


@pytest.mark.django_db(transaction=True)
def test_cache_writes_on_sqlite_give_up_at_once_when_the_database_is_locked():
    # An import's transaction holds SQLite's one write lock for as long as it runs: a page's
    # cache write must not wait the lock's 20 s for it, only WRITE_WAIT_MS, then serve uncached.
    from django.db import connection

    def busy_timeout() -> int:
        connection.ensure_connection()
        return connection.connection.execute("PRAGMA busy_timeout").fetchone()[0]

    if connection.vendor != "sqlite":
        with result_cache._not_waiting():  # PostgreSQL waits as it always does
            assert connection.vendor == "postgresql"
        return
    before = busy_timeout()
    assert before == 1000 * connection.settings_dict["OPTIONS"].get("timeout", 5)
    with result_cache._not_waiting():
        assert busy_timeout() == result_cache.WRITE_WAIT_MS
    assert busy_timeout() == before
    # Inside a transaction its writes wait like any other.
    with transaction.atomic(), result_cache._not_waiting():
        assert busy_timeout() == before


# --- the copies a process keeps of values asked for with a size -----------------------------


def test_a_local_copy_is_served_with_one_read_of_the_version(django_assert_num_queries):
    """A hit from this process's copy reads the version alone, not the shared entry (on
    PostgreSQL a compressed row from its TOAST table, decoded and unpickled every time)."""
    calls, compute = counter()
    assert result_cache.cached("t", "a", compute, size=lambda _v: 10) == {"n": 1}
    cache.delete(result_cache.cache_key("t", "a"))  # the shared entry is not read again
    with django_assert_num_queries(1):
        assert result_cache.cached("t", "a", compute, size=lambda _v: 10) == {"n": 1}
    assert len(calls) == 1


def test_a_local_copy_is_stale_once_any_process_bumps():
    calls, compute = counter()
    result_cache.cached("t", "a", compute, size=lambda _v: 10)
    # another process's bump: only the shared version changes, nothing in this process
    cache.set(result_cache.VERSION_KEY, "bumped elsewhere", timeout=None)
    assert result_cache.cached("t", "a", compute, size=lambda _v: 10) == {"n": 2}
    assert result_cache.cached("t", "a", compute, size=lambda _v: 10) == {"n": 2}
    assert len(calls) == 2


def test_a_value_read_from_the_shared_cache_is_kept_locally(django_assert_num_queries):
    calls, compute = counter()
    result_cache.cached("t", "a", compute)  # stored by a process that keeps no copy
    result_cache.local_copies.clear()
    assert result_cache.cached("t", "a", compute, size=lambda _v: 10) == {"n": 1}
    cache.delete(result_cache.cache_key("t", "a"))
    with django_assert_num_queries(1):
        assert result_cache.cached("t", "a", compute, size=lambda _v: 10) == {"n": 1}
    assert len(calls) == 1


def test_local_copies_keep_to_their_budget(settings):
    settings.RESULT_CACHE_LOCAL_BYTES = 1000
    copies = result_cache._LocalCopies()
    for i in range(5):
        copies.put(f"k{i}", "v", i, 240)
    # the least recently used go first: 4 x 240 fit in 1000
    assert list(copies.copies) == ["k1", "k2", "k3", "k4"]
    assert copies.used == 960
    assert copies.get("k1") == ("v", 1)  # now the most recently used
    copies.put("k5", "v", 5, 240)
    assert "k2" not in copies.copies and "k1" in copies.copies
    copies.put("big", "v", "x", 251)  # over a quarter of the budget: never kept
    assert copies.get("big") is None and copies.used == 960
    copies.put("k1", "v2", 11, 100)  # replaced, its old size given back
    assert copies.get("k1") == ("v2", 11) and copies.used == 820
