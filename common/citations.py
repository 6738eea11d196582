"""Escaping for the citation formats every app writes: BibTeX fields and JSON-LD in a
``<script>`` element."""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def bibtex_escape(text: str) -> str:
    """Text as a BibTeX field value: TeX's special characters escaped, white space folded."""
    replaced = (
        text.replace("\\", r"\textbackslash{}")
        .replace("{", r"\{")
        .replace("}", r"\}")
        .replace("&", r"\&")
        .replace("%", r"\%")
        .replace("$", r"\$")
        .replace("#", r"\#")
        .replace("_", r"\_")
    )
    return " ".join(replaced.split())


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """``data`` as JSON for a ``<script type="application/ld+json">`` element, escaped like
    ``json_script`` so that no text in it can close the element."""
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped  # nosec B308, B703
