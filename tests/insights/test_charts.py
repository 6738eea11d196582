"""The chart module: accessible, escaped, scalable SVG; round axis ticks; the map's file."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405  (parses our own output)

from common import charts
from golab.insights import world

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314  # nosec B314  (our own output)


def test_a_chart_is_an_image_labelled_by_its_title_and_description():
    svg = parse(
        charts.stacked_bars(
            "c1", "Launches", "What it shows", ["2019", "2020"], [("Health", [1, 2])]
        )
    )
    assert svg.get("role") == "img" and svg.get("viewBox", "").startswith("0 0 600 ")
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Launches"
    assert svg.find(f"{SVG}desc").text == "What it shows"
    assert "style" not in ET.tostring(svg, encoding="unicode")  # the CSP allows no style=
    tooltips = [t.text for t in svg.iter(f"{SVG}title")][1:]
    assert tooltips == ["2019, Health: 1", "2020, Health: 2"]


def test_text_in_a_chart_is_escaped():
    markup = charts.horizontal_bars("c2", "<b>Payers</b>", "a & b", [("<script>x</script>", 3)])
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert parse(markup).find(f"{SVG}title").text == "<b>Payers</b>"


def test_ticks_are_round_and_reach_the_top():
    assert charts.nice_ticks(9) == [0, 2, 4, 6, 8, 10]
    assert charts.nice_ticks(97_000_000)[-1] >= 97_000_000
    assert charts.short_number(5_600_000, "USD") == "USD 5.6M"
    assert charts.short_number(1_000) == "1k" and charts.short_number(12) == "12"


def test_box_plot_marks_the_median_on_a_log_axis():
    spread = charts.Spread(5, 10, 20, 30, 40, 1000)
    svg = parse(charts.box_plot("c3", "Users", "d", spread, log=True))
    tooltips = [t.text for t in svg.iter(f"{SVG}title")]
    assert "Median: 30" in tooltips and "Middle half: 20 to 40" in tooltips


def test_the_map_shades_countries_with_values_and_leaves_the_rest_pale():
    shapes = world.shapes()
    assert {"GB", "KE", "US", "XK"} <= set(shapes) and "AQ" not in shapes
    assert world.view_box() == world.VIEW_BOX
    svg = parse(
        charts.choropleth(
            "m",
            "Map",
            "d",
            shapes,
            {"GB": 10, "KE": 1},
            view_box=world.VIEW_BOX,
            label=lambda name, n: f"{name}: {n}",
        )
    )
    fills = {p.get("fill") for p in svg.iter(f"{SVG}path")}
    assert charts.NO_DATA in fills and charts.SEQUENTIAL[-1] in fills
    tooltips = {t.text for t in svg.iter(f"{SVG}title")}
    assert {"United Kingdom: 10", "Kenya: 1"} <= tooltips
