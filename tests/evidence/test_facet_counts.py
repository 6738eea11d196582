"""The library's column facets (type, design, rating, full text, year) are counted from one
grouped pass, each applying the others' filters in Python (evidence.filters._groups): their
counts must be what filtering the documents in the database gives, under any filters."""

from __future__ import annotations

import itertools

import pytest
from django.http import QueryDict

from common.facets import NOT_RECORDED, count_facets
from common.models import PublicationStatus
from evidence.filters import EvidenceFilter
from evidence.models import (
    SEARCHABLE_TEXT,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    TextStatus,
)
from tests.factories import EvidenceDocumentFactory

pytestmark = pytest.mark.django_db

TYPES = [DocumentType.EVALUATION_REPORT, DocumentType.POLICY_REPORT, DocumentType.CORRESPONDENCE]
DESIGNS = [EvaluationDesign.RCT, EvaluationDesign.QUALITATIVE, ""]
RATINGS = [None, 2, 5]
TEXTS = [TextStatus.EXTRACTED, TextStatus.NONE]
DATES = ["", "2015", "2019-06", "2021-01-31"]

FILTERS = [
    "",
    "type=policy-report",
    "type=correspondence&type=evaluation-report",
    "design=rct&design=none",
    "design=qualitative&rating=none",
    "rating=2&rating=5&has_full_text=yes",
    "has_full_text=no&year_min=2016",
    "year_max=2019&design=rct",
    "year_none=on&type=policy-report&type=correspondence",
    "year_min=2015&year_max=2020&rating=5",
    "q=mentoring&type=evaluation-report",
]


@pytest.fixture
def documents() -> None:
    combos = itertools.product(TYPES, DESIGNS, RATINGS, TEXTS, DATES)
    for i, (type_, design, rating, text, date) in enumerate(combos):
        if i % 3:
            continue  # a third of the combinations: some groups are empty
        EvidenceDocumentFactory(
            document_type=type_,
            evaluation_design=design,
            evidence_rating=rating,
            text_status=text,
            publication_date=date,
            abstract="Mentoring for young people." if i % 2 else "Housing first.",
        )
    # Never counted: a draft and a withdrawn document like the others.
    for status in (PublicationStatus.DRAFT, PublicationStatus.WITHDRAWN):
        EvidenceDocumentFactory(status=status, evaluation_design=EvaluationDesign.RCT)


def _expected(filterset: EvidenceFilter, name: str) -> dict[str, int]:
    """A facet's counts by filtering in the database: the list under every filter but its
    own, per value."""
    rows = filterset.without(name)
    if name == "type":
        return {v: rows.filter(document_type=v).count() for v in DocumentType.values}
    if name == "design":
        counts = {v: rows.filter(evaluation_design=v).count() for v in EvaluationDesign.values}
        return {**counts, NOT_RECORDED: rows.filter(evaluation_design="").count()}
    if name == "rating":
        counts = {str(v): rows.filter(evidence_rating=v).count() for v in range(1, 6)}
        return {**counts, NOT_RECORDED: rows.filter(evidence_rating__isnull=True).count()}
    yes = rows.filter(text_status__in=SEARCHABLE_TEXT).count()
    return {"yes": yes, "no": rows.count() - yes}


@pytest.mark.parametrize("query", FILTERS)
def test_column_facets_count_as_the_database_filters(documents, query):
    filterset = EvidenceFilter(QueryDict(query), queryset=EvidenceDocument.objects.published())
    facets, ranges = count_facets(filterset)
    shown = {f.name: {v.value: v.count for v in f.values} for f in facets}
    for name in ("type", "design", "rating", "has_full_text"):
        expected = {v: n for v, n in _expected(filterset, name).items() if n}
        assert {v: n for v, n in shown[name].items() if n} == expected, name
    (year,) = ranges
    rows = filterset.without("year_min", "year_max", "year_none")
    dated = sorted(
        d[:4] for d in rows.exclude(publication_date="").values_list("publication_date", flat=True)
    )
    assert (year.low, year.high) == ((int(dated[0]), int(dated[-1])) if dated else (None, None))
    assert year.not_recorded == rows.filter(publication_date="").count()
