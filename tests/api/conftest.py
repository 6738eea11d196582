from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The rate limit counts requests per address in the default cache, across tests: each
    # test starts, and leaves, with no requests counted.
    cache.clear()
    yield
    cache.clear()
