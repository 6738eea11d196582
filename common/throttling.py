"""The API's rate limit, in a module of its own: DRF imports it while its views are being
defined, so it must not import them (``common.api`` does)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Requests per client address, counted in the default cache; the rate is read from the
    settings at each request (``API_RATE_LIMIT``; empty: no limit), so tests can set it."""

    def get_rate(self) -> str | None:
        return settings.API_RATE_LIMIT or None
