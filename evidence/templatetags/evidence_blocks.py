"""Evidence blocks for pages of other apps (cases may not import evidence)."""

from __future__ import annotations

from typing import Any

from django import template

from evidence.case_page import case_evidence

register = template.Library()


@register.inclusion_tag("evidence/includes/case_evidence.html")
def case_evidence_block(project: Any, sources: list[Any]) -> dict[str, Any]:
    return {"project": project, "sources": sources, **case_evidence(project, sources)}
