"""The full-text index of projects (see common.search for how an index works)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from common.search import FullTextIndex

PROJECTS = FullTextIndex(
    table="cases_project",
    columns=(("name", "A"), ("search_text", "B")),
    passage_column="search_text",
)


# The project index's interface, as the case views and filters use it.
def search(queryset: QuerySet, query: str) -> QuerySet:
    return PROJECTS.search(queryset, query)


def passages(project_ids: list[int], query: str) -> dict[int, SafeString]:
    return PROJECTS.passages(project_ids, query)


def install(using_connection=None) -> None:
    PROJECTS.install(using_connection)
