"""Charts drawn on the server as accessible SVG: no JavaScript, nothing from other hosts.

Each function takes figures already computed (by database aggregates) and returns the SVG
markup of one chart: ``role="img"`` labelled by its ``<title>`` and ``<desc>``, a ``viewBox``
so that it scales to its container, colours as presentation attributes (the site's
Content-Security-Policy allows no ``style=``), and a native tooltip (``<title>``) on each
mark. The page shows the same figures in a table beside the chart: the chart is never the
only way to read them.

The markup is built with ElementTree, which escapes every text and attribute value (it
parses nothing here: bandit's B405 is marked nosec).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

# Eight colours, each at least 3:1 against white (WCAG 2.2, 1.4.11), told apart by hue and
# lightness; "not recorded" is grey.
PALETTE = (
    "#0b57a4",
    "#b35806",
    "#1b7837",
    "#762a83",
    "#c51b7d",
    "#01665e",
    "#8c510a",
    "#4d4d4d",
)
NOT_RECORDED_COLOUR = "#8a8a8a"
INK = "#1b1f24"
MUTED = "#4a5360"
GRID = "#d5dae0"
# A sequential scale for the map, light to dark blue; no data is a pale grey.
SEQUENTIAL = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b")
NO_DATA = "#eceff2"

WIDTH = 600
FONT = 13
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


# ---------------------------------------------------------------------------------------------
# Numbers


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def nice_ticks(high: float, ticks: int = 5) -> list[float]:
    """Ticks from 0 to at least ``high``, on round numbers."""
    step = nice_step(high or 1, ticks)
    count = max(1, math.ceil((high or 1) / step - 1e-9))
    return [step * i for i in range(count + 1)]


def short_number(value: Number, unit: str = "") -> str:
    """1234 → 1.2k, 5600000 → 5.6M, 2.1e9 → 2.1bn; a currency unit leads ("USD 5.6M")."""
    value = float(value)
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
            break
    else:
        text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{unit} {text}" if unit else text


# ---------------------------------------------------------------------------------------------
# SVG building


@dataclass
class _Svg:
    """An SVG document under construction."""

    ident: str
    title: str
    description: str
    height: float
    width: float = WIDTH
    root: ET.Element = field(init=False)

    def __post_init__(self) -> None:
        self.root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "viewBox": f"0 0 {self.width:g} {self.height:g}",
                "role": "img",
                "aria-labelledby": f"{self.ident}-title {self.ident}-desc",
                "class": "chart__svg",
                "font-family": FONT_FAMILY,
                "font-size": str(FONT),
                "fill": INK,
            },
        )
        ET.SubElement(self.root, "title", {"id": f"{self.ident}-title"}).text = self.title
        ET.SubElement(self.root, "desc", {"id": f"{self.ident}-desc"}).text = self.description

    def add(self, tag: str, parent: ET.Element | None = None, **attrs: Any) -> ET.Element:
        clean = {k.rstrip("_").replace("_", "-"): _attr(v) for k, v in attrs.items()}
        return ET.SubElement(self.root if parent is None else parent, tag, clean)

    def text(self, x: float, y: float, text: str, parent: ET.Element | None = None, **attrs: Any):
        element = self.add("text", parent, x=x, y=y, **attrs)
        element.text = text
        return element

    def mark(self, tag: str, tooltip: str, **attrs: Any) -> ET.Element:
        """A mark with its value as a native tooltip."""
        group = self.add("g")
        ET.SubElement(group, "title").text = tooltip
        return self.add(tag, group, **attrs)

    def markup(self) -> SafeString:
        text = ET.tostring(self.root, encoding="unicode", short_empty_elements=True)
        return mark_safe(text)  # noqa: S308 - ElementTree escaped every value  # nosec B308, B703


def _attr(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _legend(svg: _Svg, top: float, entries: Sequence[tuple[str, str]], columns: int = 2) -> None:
    """Colour swatches with their labels, in rows of ``columns`` from ``top``."""
    column_width = (svg.width - 20) / columns
    for i, (label, colour) in enumerate(entries):
        x = 10 + (i % columns) * column_width
        y = top + (i // columns) * 22
        svg.add("rect", x=x, y=y, width=14, height=14, fill=colour)
        svg.text(x + 20, y + 12, label)


def legend_height(entries: int, columns: int = 2) -> float:
    return math.ceil(entries / columns) * 22 + 8 if entries else 0


# ---------------------------------------------------------------------------------------------
# Charts


def stacked_bars(
    ident: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    colours: Sequence[str] = PALETTE,
    unit: str = "",
) -> SafeString:
    """Vertical bars, one per category (a year), each stacked by series (policy areas)."""
    legend = [(label, colours[i % len(colours)]) for i, (label, _v) in enumerate(series)]
    top, left, right, plot_height = 12, 52, 12, 240
    height = top + plot_height + 34 + legend_height(len(legend))
    svg = _Svg(ident, title, description, height)
    totals = [sum(float(s[1][i]) for s in series) for i in range(len(categories))]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_height / ticks[-1]
    plot_width = svg.width - left - right
    _y_axis(svg, ticks, left, top, plot_height, plot_width, unit)
    slot = plot_width / max(len(categories), 1)
    bar = max(slot * 0.72, 1)
    every = 1 if slot >= 34 else math.ceil(34 / slot)
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        y = float(top + plot_height)
        for (label, values), (_l, colour) in zip(series, legend, strict=True):
            value = float(values[i])
            if not value:
                continue
            h = value * scale
            y -= h
            svg.mark(
                "rect",
                f"{category}, {label}: {short_number(value, unit)}",
                x=x,
                y=y,
                width=bar,
                height=h,
                fill=colour,
                stroke="#ffffff",
                stroke_width=0.75,
            )
        if i % every == 0:
            svg.text(
                left + i * slot + slot / 2,
                top + plot_height + 18,
                category,
                text_anchor="middle",
            )
    _legend(svg, top + plot_height + 32, legend)
    return svg.markup()


def _y_axis(
    svg: _Svg,
    ticks: Sequence[float],
    left: float,
    top: float,
    plot_height: float,
    plot_width: float,
    unit: str,
    label: Callable[[float], str] | None = None,
) -> None:
    scale = plot_height / (ticks[-1] or 1)
    for tick in ticks:
        y = top + plot_height - tick * scale
        svg.add("line", x1=left, x2=left + plot_width, y1=y, y2=y, stroke=GRID)
        text = label(tick) if label else short_number(tick)
        svg.text(left - 6, y + 4, text, text_anchor="end", fill=MUTED)
    if unit:
        svg.text(4, top - 2 if top > 12 else top + 4, unit, fill=MUTED)


def cumulative_line(
    ident: str,
    title: str,
    description: str,
    categories: Sequence[str],
    values: Sequence[Number],
    *,
    unit: str = "",
    colour: str = PALETTE[0],
) -> SafeString:
    """A running total over the categories, as a line over a shaded area."""
    top, left, right, plot_height = 22, 60, 16, 220
    height = top + plot_height + 30
    svg = _Svg(ident, title, description, height)
    ticks = nice_ticks(max((float(v) for v in values), default=0))
    scale = plot_height / ticks[-1]
    plot_width = svg.width - left - right
    _y_axis(svg, ticks, left, top, plot_height, plot_width, unit)
    n = len(categories)
    step = plot_width / max(n - 1, 1)
    points = [
        (left + (i * step if n > 1 else plot_width / 2), top + plot_height - float(v) * scale)
        for i, v in enumerate(values)
    ]
    if points:
        base = top + plot_height
        area = [(points[0][0], base), *points, (points[-1][0], base)]
        svg.add("polygon", points=_points(area), fill=colour, fill_opacity=0.15)
        svg.add("polyline", points=_points(points), fill="none", stroke=colour, stroke_width=2.5)
    every = 1 if step >= 34 else math.ceil(34 / step)
    for i, ((x, y), category, value) in enumerate(zip(points, categories, values, strict=True)):
        svg.mark("circle", f"{category}: {short_number(value, unit)}", cx=x, cy=y, r=4, fill=colour)
        if i % every == 0 or i == n - 1 and n <= 2:
            svg.text(x, top + plot_height + 18, category, text_anchor="middle")
    return svg.markup()


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_attr(x)},{_attr(y)}" for x, y in points)


def horizontal_bars(
    ident: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, Number]],
    *,
    unit: str = "",
    colour: str = PALETTE[0],
) -> SafeString:
    """One bar per row, its label above it (long labels need the whole width)."""
    row_height = 40
    height = max(len(rows), 1) * row_height + 8
    svg = _Svg(ident, title, description, height)
    high = max((float(v) for _l, v in rows), default=0) or 1
    room = svg.width - 10 - 70
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_height
        svg.text(10, y + 13, label)
        w = max(float(value) / high * room, 1 if value else 0)
        svg.mark(
            "rect",
            f"{label}: {short_number(value, unit)}",
            x=10,
            y=y + 18,
            width=w,
            height=16,
            fill=colour,
        )
        svg.text(16 + w, y + 31, short_number(value, unit), fill=MUTED)
    return svg.markup()


@dataclass(frozen=True)
class Spread:
    """A distribution's five-number summary and how many values it summarises."""

    count: int
    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float


def box_plot(
    ident: str,
    title: str,
    description: str,
    spread: Spread,
    *,
    unit: str = "",
    log: bool = False,
    colour: str = PALETTE[0],
) -> SafeString:
    """One horizontal box (quartiles) with whiskers to the least and greatest values and
    the median marked; on a logarithmic axis when ``log`` (values spanning powers of ten)."""
    left, right, top = 16, 24, 44
    height = 120
    svg = _Svg(ident, title, description, height)
    svg.text(left, 16, title + (" – logarithmic scale" if log else ""), font_weight=600)
    plot_width = svg.width - left - right
    low, high = spread.minimum, spread.maximum
    if log:
        low_exp = math.floor(math.log10(max(low, 1)))
        high_exp = math.ceil(math.log10(max(high, 10)))
        if high_exp == low_exp:
            high_exp += 1
        ticks = [10.0**e for e in range(low_exp, high_exp + 1)]

        def position(v: float) -> float:
            v = max(v, 10.0**low_exp)
            return left + (math.log10(v) - low_exp) / (high_exp - low_exp) * plot_width

    else:
        ticks = nice_ticks(high)

        def position(v: float) -> float:
            return left + v / (ticks[-1] or 1) * plot_width

    for tick in ticks:
        x = position(tick)
        svg.add("line", x1=x, x2=x, y1=top - 8, y2=top + 40, stroke=GRID)
        svg.text(x, top + 56, short_number(tick), text_anchor="middle", fill=MUTED)
    middle = top + 16
    x_min, x_q1, x_med, x_q3, x_max = (
        position(v)
        for v in (low, spread.lower_quartile, spread.median, spread.upper_quartile, high)
    )
    svg.add("line", x1=x_min, x2=x_max, y1=middle, y2=middle, stroke=INK, stroke_width=1.5)
    for x in (x_min, x_max):
        svg.add("line", x1=x, x2=x, y1=middle - 8, y2=middle + 8, stroke=INK, stroke_width=1.5)
    svg.mark(
        "rect",
        f"Middle half: {short_number(spread.lower_quartile, unit)} to "
        f"{short_number(spread.upper_quartile, unit)}",
        x=x_q1,
        y=middle - 14,
        width=max(x_q3 - x_q1, 1),
        height=28,
        fill=colour,
        fill_opacity=0.25,
        stroke=colour,
        stroke_width=1.5,
    )
    svg.mark(
        "line",
        f"Median: {short_number(spread.median, unit)}",
        x1=x_med,
        x2=x_med,
        y1=middle - 14,
        y2=middle + 14,
        stroke=colour,
        stroke_width=4,
    )
    return svg.markup()


def share_bar(
    ident: str,
    title: str,
    description: str,
    parts: Sequence[tuple[str, Number]],
    *,
    colours: Sequence[str] = (PALETTE[2], NOT_RECORDED_COLOUR),
) -> SafeString:
    """One bar of 100 %, split into ``parts`` (with, without), each with its share."""
    height = 60 + legend_height(len(parts), columns=1)
    svg = _Svg(ident, title, description, height)
    total = sum(float(v) for _l, v in parts) or 1
    x = 10.0
    room = svg.width - 20
    entries = []
    for i, (label, value) in enumerate(parts):
        share = float(value) / total
        colour = colours[i % len(colours)]
        text = f"{label}: {value:,} ({share:.0%})"
        entries.append((text, colour))
        if share:
            svg.mark("rect", text, x=x, y=10, width=share * room, height=32, fill=colour)
        x += share * room
    _legend(svg, 52, entries, columns=1)
    return svg.markup()


def choropleth(
    ident: str,
    title: str,
    description: str,
    shapes: Mapping[str, Mapping[str, str]],
    values: Mapping[str, Number],
    *,
    view_box: tuple[float, float],
    label: Callable[[str, Number], str],
) -> SafeString:
    """Countries (``shapes``: ISO code → {"name", "d"}, paths already projected into a
    ``view_box`` of (width, height)) shaded by ``values`` in six classes of equal steps on a
    square-root scale; countries without a value are pale grey. A legend of the classes
    follows the map."""
    width, map_height = view_box
    top = max(values.values(), default=0)
    classes = _classes(float(top))
    legend = [(_class_label(classes, i), SEQUENTIAL[i]) for i in range(len(classes) - 1)]
    height = map_height + 12 + legend_height(len(legend) + 1, columns=4)
    svg = _Svg(ident, title, description, height, width=width)
    for code, shape in sorted(shapes.items()):
        value = values.get(code)
        if value:
            svg.mark(
                "path",
                label(shape["name"], value),
                d=shape["d"],
                fill=SEQUENTIAL[_class_of(classes, float(value))],
                stroke="#ffffff",
                stroke_width=0.5,
            )
        else:
            svg.add("path", d=shape["d"], fill=NO_DATA, stroke="#b8c0c8", stroke_width=0.4)
    entries = [("None", NO_DATA), *legend]
    _legend(svg, map_height + 12, entries, columns=4)
    return svg.markup()


def _classes(top: float) -> list[float]:
    """Class bounds from 0 to ``top``: up to six classes, whole numbers, on a square-root
    scale (a few countries hold most contracts)."""
    if top <= 0:
        return [0, 1]
    n = min(len(SEQUENTIAL), max(1, int(top)))
    bounds = [0.0] + [math.ceil(top * (i / n) ** 2) for i in range(1, n + 1)]
    return sorted(set(bounds))


def _class_of(bounds: Sequence[float], value: float) -> int:
    for i in range(1, len(bounds)):
        if value <= bounds[i]:
            return min(i - 1, len(SEQUENTIAL) - 1)
    return len(bounds) - 2


def _class_label(bounds: Sequence[float], i: int) -> str:
    low, high = int(bounds[i]) + 1, int(bounds[i + 1])
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"
