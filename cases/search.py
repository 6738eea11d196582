"""The full-text index of projects (see common.search for how an index works)."""

from __future__ import annotations

from common.search import FullTextIndex

PROJECTS = FullTextIndex(
    table="cases_project",
    columns=(("name", "A"), ("search_text", "B")),
    passage_column="search_text",
)
