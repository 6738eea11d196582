"""``{% downloads %}``: a search page's links to its results as files and in the API
(``common.downloads.download_links``)."""

from __future__ import annotations

from typing import Any

from django import template

from common.downloads import download_links

register = template.Library()


@register.inclusion_tag("includes/downloads.html", takes_context=True)
def downloads(context: dict[str, Any]) -> dict[str, Any]:
    return {"links": download_links(context["request"])}
