from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limit(django_db_setup, django_db_blocker):
    # The rate limit counts requests per address in the default cache, across tests: each
    # test starts, and leaves, with no requests counted. The cache is a table of the (test)
    # database, so clearing it needs database access even in a test that has none.
    with django_db_blocker.unblock():
        cache.clear()
    yield
    with django_db_blocker.unblock():
        cache.clear()
