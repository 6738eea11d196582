"""What only a browser shows of the insights pages (the dashboard, the evidence gap map,
the price benchmarks and the comparison): the SVG charts and map render with no console
error, fit their containers at 1280 and 375 pixels (screenshots kept under test-results/),
and axe-core finds no violation.

Real data: one project of each country of the 2025-05 snapshot (and Peterborough), imported
once for the module and served by ``read_only_live_server`` (tests/e2e/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from golab.indigo import import_snapshot
from tests.conftest import SNAPSHOT_2025, read_csv, subset_snapshot
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "insights"


def one_project_per_country() -> set[str]:
    _header, rows = read_csv(SNAPSHOT_2025 / "projects_delivery_locations.csv")
    chosen: dict[str, str] = {}
    for row in rows:
        country = row["Location - Country - (Value)"].strip()
        if country:
            chosen.setdefault(country, row["Project ID"].strip())
    return {*chosen.values(), "INDIGO-POJ-0153"}


@pytest.fixture(scope="module")
def site(read_only_live_server, tmp_path_factory) -> str:
    folder = subset_snapshot(tmp_path_factory.mktemp("subset"), one_project_per_country())
    assert import_snapshot(folder, run_by="e2e").ok
    return read_only_live_server.url


def open_watching_console(browser, url: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(url)
    assert response is not None and response.status == 200
    return context, page, errors


@pytest.mark.parametrize(
    "path",
    [
        "/insights/",
        "/insights/?policy_area=homelessness",
        "/insights/evidence/",
        "/insights/prices/",
        "/insights/evidence/?country=GB",
        "/compare/?cases=INDIGO-POJ-0153," + ",".join(sorted(one_project_per_country())[:3]),
        "/compare/?cases=INDIGO-POJ-0153",  # one case: the problem, and a form to add some
        "/compare/?add=INDIGO-POJ-0153",  # "Add to comparison" on a case page
    ],
)
def test_insights_has_no_axe_violations(page, axe, site, path):
    response = page.goto(site + path)
    assert response.status == (400 if path == "/compare/?cases=INDIGO-POJ-0153" else 200)
    assert_accessible(axe, page)


@pytest.mark.parametrize("width", [1280, 375])
def test_charts_and_map_render_and_fit_their_containers(browser, site, width):
    context, page, errors = open_watching_console(browser, site + "/insights/", width)
    charts = page.locator(".chart__figure svg")
    assert charts.count() >= 7  # launches, capital, map, three spreads, payers, results
    for i in range(charts.count()):
        chart = charts.nth(i)
        box = chart.bounding_box()
        container = chart.locator("xpath=..").bounding_box()
        assert box and container and box["width"] > 100 and box["height"] > 30
        assert box["x"] >= container["x"] - 0.5
        assert box["x"] + box["width"] <= container["x"] + container["width"] + 0.5
    # The map drew a shape for each country, the countries with projects shaded.
    assert page.locator("#chart-countries-title").count() == 1
    assert page.locator(".chart__figure svg path").count() > 150
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"insights-{width}.png"), full_page=True)
    assert errors == []
    context.close()


def test_insights_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/insights/?policy_area=homelessness")
    assert page.locator(".chart__figure svg").count() >= 1
    assert "Policy area: Homelessness" in page.locator(".active-filters").inner_text()
    context.close()
