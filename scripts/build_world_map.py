"""Build static/insights/world-110m.json, the country shapes of the insights map, once.

Source: Natural Earth 1:110m admin-0 countries (public domain) as TopoJSON in the npm
package ``world-atlas`` (countries-110m.json, ISC licence for the packaging). Fetch it and
run this script:

    npm pack world-atlas && tar xzf world-atlas-*.tgz
    .venv/bin/python scripts/build_world_map.py package/countries-110m.json

Each country (keyed by ISO 3166-1 alpha-2, from its numeric code) becomes one SVG path,
projected with the Equal Earth projection (Šavrič, Patterson and Jenny, 2018: equal-area,
so large countries do not look more important than they are) into a box 600 units wide,
rounded to a tenth of a unit. Antarctica is left out (no outcomes contract there) and the
few shapes without a numeric code (Kosovo, Northern Cyprus, Somaliland) are named by
their own name. The site reads the file as it is; nothing here runs with the site.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from django_countries.data import ALT_CODES

WIDTH = 600.0
OUT = Path(__file__).resolve().parent.parent / "static" / "insights" / "world-110m.json"
LEFT_OUT = {"010"}  # Antarctica
# Shapes without a numeric code: Kosovo has the user-assigned XK that ISO leaves free.
BY_NAME = {"Kosovo": "XK"}
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta)
    x /= 3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1)
    y = theta * (A4 * t6 * t2 + A3 * t6 + A2 * t2 + A1)
    return x, -y


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Quantised, delta-encoded arcs as (longitude, latitude) lists."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def main(source: Path) -> None:
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    by_numeric = {f"{numeric:03d}": alpha2 for alpha2, (_a3, numeric) in ALT_CODES.items()}
    shapes: dict[str, list[list[list[tuple[float, float]]]]] = {}
    names: dict[str, str] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = geometry.get("id")
        if numeric in LEFT_OUT or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        name = geometry["properties"]["name"]
        code = by_numeric.get(numeric or "") or BY_NAME.get(name, name)
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes.setdefault(code, []).extend(
            [[[equal_earth(*p) for p in ring(arcs, r)] for r in polygon] for polygon in polygons]
        )
        names[code] = name
    xs = [x for polys in shapes.values() for poly in polys for r in poly for x, _y in r]
    ys = [y for polys in shapes.values() for poly in polys for r in poly for _x, y in r]
    scale = WIDTH / (max(xs) - min(xs))
    left, top = min(xs), min(ys)
    height = round((max(ys) - top) * scale, 1)

    def path(polygons: list[list[list[tuple[float, float]]]]) -> str:
        parts = []
        for polygon in polygons:
            for r in polygon:
                points: list[str] = []
                for x, y in r:
                    point = f"{(x - left) * scale:.1f},{(y - top) * scale:.1f}"
                    if not points or points[-1] != point:
                        points.append(point)
                if len(points) >= 3:
                    parts.append("M" + "L".join(points) + "Z")
        return "".join(parts)

    countries = {code: {"name": names[code], "d": path(p)} for code, p in sorted(shapes.items())}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "source": "Natural Earth 1:110m admin-0 countries, via world-atlas 2 (TopoJSON)",
                "projection": "Equal Earth",
                "view_box": [WIDTH, height],
                "countries": countries,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"{OUT}: {len(countries)} countries, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
