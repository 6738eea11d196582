"""Issue 12, item 6: one definition of capital raised (USD) on every page. A project gives an
exact figure or a range; a range is shown as a range (list, case page), and every total
sums exact figures and says how many projects give a range instead."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db.models import Q, Sum

from cases.models import PolicySector, Project
from common.templatetags.formatting import usd

pytestmark = pytest.mark.django_db


def _list_rows(client) -> dict[str, str]:
    rows: dict[str, str] = {}
    for page in range(1, 6):
        html = client.get("/cases/", {"per_page": 100, "page": page}).content.decode()
        for block in re.findall(r'<li class="case-result">(.*?)</li>', html, re.S):
            found = re.search(r"<dt>ID</dt><dd>(INDIGO-POJ-\d+)</dd>", block)
            if found:
                rows[found.group(1)] = block
    return rows


def test_ranges_are_ranges_and_totals_say_what_they_sum(client, indigo_2025):
    published = Project.objects.published()
    ranged = list(
        published.filter(capital_usd__isnull=True).filter(
            Q(capital_usd_min__isnull=False) | Q(capital_usd_max__isnull=False)
        )
    )
    assert len(ranged) >= 5  # the real data has ranges (INDIGO-POJ-0001 among them)
    rows = _list_rows(client)
    assert len(rows) == published.count()
    for project in ranged:
        shown = f"{usd(project.capital_usd_min) or '?'} – {usd(project.capital_usd_max) or '?'}"
        assert shown in rows[project.indigo_id], project.indigo_id
        if project.capital_currency != "USD":
            page = client.get(project.get_absolute_url()).content.decode()
            assert f"({shown})" in page, project.indigo_id
    for project in published.filter(capital_usd__isnull=False)[:50]:
        assert usd(project.capital_usd) in rows[project.indigo_id]

    exact = published.aggregate(s=Sum("capital_usd"))["s"] or Decimal(0)
    home = client.get("/").content.decode()
    assert (
        f"exact figures of {published.filter(capital_usd__isnull=False).count()} projects" in home
    )
    assert f"{len(ranged)} more give a range, not included" in home
    assert client.get("/").context["figures"][2]["value"].startswith("$")
    assert exact > 0

    for area in PolicySector:
        in_area = published.filter(policy_sector=area.value)
        area_exact = in_area.aggregate(s=Sum("capital_usd"))["s"]
        area_ranged = [p for p in ranged if p.policy_sector == area.value]
        page = client.get(f"/policy-areas/{area.value}/").content.decode()
        assert (usd(area_exact) or "–") in page, area
        count = in_area.filter(capital_usd__isnull=False).count()
        assert f"exact figures of {count} project" in page, area
        if area_ranged:
            assert f"{len(area_ranged)} more give a range, not included" in page, area
