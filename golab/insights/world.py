"""The country shapes of the insights map: static/insights/world-110m.json, made once by
scripts/build_world_map.py from Natural Earth (public domain; see the licence file beside
it). Read once per process: the file never changes while the site runs."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

FILE = "insights/world-110m.json"
VIEW_BOX = (600.0, 263.4)  # the file's own view_box (checked by a test)


@cache
def _data() -> dict:
    found = finders.find(FILE)
    if not found:  # pragma: no cover - the file is part of the repository
        raise FileNotFoundError(FILE)
    return json.loads(Path(str(found)).read_text(encoding="utf-8"))


def shapes() -> dict[str, dict[str, str]]:
    """ISO 3166-1 alpha-2 code → {"name", "d"} (an SVG path in the VIEW_BOX)."""
    return _data()["countries"]


def view_box() -> tuple[float, float]:
    width, height = _data()["view_box"]
    return float(width), float(height)
