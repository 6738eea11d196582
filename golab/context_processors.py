from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# Main navigation: (URL name, label). An entry appears once its page exists.
NAV = [
    ("home", "Home"),
    ("cases:case-list", "Case studies"),
    ("cases:pipeline-list", "Pipeline"),
    ("cases:policy-area-list", "Policy areas"),
    ("insights", "Insights"),
    ("evidence:document-list", "Evidence"),
    ("glossary", "Glossary"),
]


def _nav_items() -> list[dict[str, str]]:
    items = []
    for name, label in NAV:
        try:
            items.append({"url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return items


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        "indigo_attribution": settings.INDIGO_ATTRIBUTION,
        "nav_items": _nav_items(),
    }
