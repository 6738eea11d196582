"""Issue 12 (in part): every result, price and metric definition of the real 2025-05 snapshot
is on its project's page, in full, attached to its metric or visibly apart."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from cases.models import OutcomeMetric, OutcomePricing, Project, Result
from common.templatetags.formatting import money, number, usd

pytestmark = pytest.mark.django_db


def _text(page: bytes) -> str:
    """The page as a reader sees it: tags dropped, entities read, white space folded."""
    text = re.sub(r"<[^>]+>", " ", page.decode())
    return _folded(html.unescape(text))


def _folded(value: str) -> str:
    """White space folded, and one Unicode form (INDIGO has both ā and a + ◌̄)."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def test_every_result_price_and_definition_is_on_its_page_in_full(client, indigo_2025):
    missing = []
    projects = Project.objects.published().order_by("indigo_id")
    metrics = OutcomeMetric.objects.filter(project__in=projects)
    expected: dict[int, list[tuple[str, str]]] = {}
    for metric in metrics:
        if metric.definition.strip():
            expected.setdefault(metric.project_id, []).append(
                ("definition", _folded(metric.definition))
            )
    for pricing in OutcomePricing.objects.filter(project__in=projects):
        shown = money(pricing.price_per_unit, pricing.currency)
        if pricing.price_per_unit is None:
            shown = _folded(pricing.price_per_unit_text)
        if shown:
            expected.setdefault(pricing.project_id, []).append(("price", shown))
        if pricing.price_per_unit_usd is not None and pricing.currency != "USD":
            expected.setdefault(pricing.project_id, []).append(
                ("USD price", usd(pricing.price_per_unit_usd))
            )
    for result in Result.objects.filter(project__in=projects):
        if result.outcomes_achieved is not None:
            shown = number(result.outcomes_achieved)
        else:
            shown = _folded(result.outcomes_achieved_text)
        if shown:
            expected.setdefault(result.project_id, []).append(("achieved", shown))
    assert sum(len(v) for v in expected.values()) > 1000  # the check covers real data
    for project in projects:
        page = _text(client.get(project.get_absolute_url()).content)
        for kind, value in expected.get(project.pk, []):
            if value not in page:
                missing.append(f"{project.indigo_id} {kind}: {value[:80]}")
    assert not missing, f"{len(missing)} values missing, e.g.:\n" + "\n".join(missing[:20])


def test_counts_read_as_recorded(client, indigo_2025):
    page = client.get("/cases/INDIGO-POJ-0175/").content.decode()
    assert "3,476" in page  # stored as 3476.0000
    assert ".0000" not in page


def test_project_level_results_and_duplicate_metric_ids(client, indigo_2025):
    page = _text(client.get("/cases/INDIGO-POJ-0036/").content)
    assert "Project-level results" in page
    # INDIGO-POJ-0123 gives outcomemetric1-6 to two metrics each: a price goes to a metric
    # only when that is certain, never to the wrong one.
    project = Project.objects.get(indigo_id="INDIGO-POJ-0123")
    response = client.get(project.get_absolute_url())
    metrics = response.context["metrics"]
    naming = [p.outcome_metric_ref for p in project.outcome_pricings.all()]
    for metric in metrics:
        if metric.pricings:
            same_id = [m for m in metrics if m.local_id == metric.local_id]
            assert len(same_id) == 1 or naming.count(metric.local_id) == len(same_id)
    attached = sum(len(m.pricings) for m in metrics)
    assert attached + len(response.context["unmatched_pricings"]) == len(naming)
    assert len(metrics) == project.outcome_metrics.count()  # each metric row kept
