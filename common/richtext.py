"""Curated rich text (summaries, lessons): the few tags curators may use, nothing else."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"}


def sanitise_html(value: str) -> str:
    """Remove every tag, attribute and link scheme that is not allowed (scripts, event
    handlers, ``javascript:`` links ...)."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
