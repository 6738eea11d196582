"""bench/load.py keeps working: its seeded mix of URLs is the same for the same seed, covers
every kind of public page it names, and a URL of each kind answers; a brief load through the
shared Python client prints the figures and the p99 verdict. (The full run, gunicorn and wrk
for 30 s at 32 connections, is the benchmark's business, not the suite's.)"""

from __future__ import annotations

import importlib
import re
import sys

import pytest

from golab.settings import BASE_DIR
from golab.synthetic import generate

BENCH = BASE_DIR / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    yield importlib.import_module("load"), importlib.import_module("serving")
    sys.path.remove(str(BENCH))


def test_load_mix_answers_and_the_figures_are_printed(bench, live_server, settings):
    load, serving = bench
    settings.API_RATE_LIMIT = "100000000/minute"
    generate(projects=12, documents=12, seed=3)

    paths = load.url_mix(seed=1, size=120)
    assert paths == load.url_mix(seed=1, size=120)  # seeded
    assert paths != load.url_mix(seed=2, size=120)
    kinds = {
        "home": r"/$",
        "case list": r"/cases/$",
        "filtered": r"/cases/\?(?!q=)",
        "search": r"/cases/\?q=",
        "case": r"/cases/INDIGO-POJ-",
        "organisation": r"/organisations/INDIGO-ORG-",
        "policy area": r"/policy-areas/",
        "evidence search": r"/evidence/\?q=",
        "document": r"/evidence/\d+/$",
        "insights": r"/insights/$",
        "api": r"/api/v1/",
        "download": r"/cases/export\.csv\?",
    }
    first = {}
    for kind, pattern in kinds.items():
        first[kind] = next((path for path in paths if re.match(pattern, path)), None)
        assert first[kind], kind

    # Keep it cheap: one URL of each kind, then a fraction of a second of load, one
    # connection at a time (the live server shares SQLite's one in-memory connection).
    statuses = {path: serving.get(live_server.url, path, 30) for path in first.values()}
    assert all(serving.answered(status) for status in statuses.values()), statuses
    result = serving.python_load(live_server.url, paths[:10], 1, 0.2, timeout=30)
    assert result.requests >= 1
    assert result.failures == 0
    printed = "\n".join(load.report(result, 1, 0.2, "under load"))
    assert f"{result.requests} requests" in printed
    assert "errors: 0 (0 answers outside 2xx/3xx, 0 socket errors or timeouts)" in printed
    assert "p99 target (< 500 ms, no errors): " in printed


@pytest.mark.parametrize(
    ("p99", "failures", "verdict"),
    [(499.0, 0, "met"), (500.0, 0, "missed"), (20.0, 1, "missed")],
)
def test_p99_target_is_met_only_under_500_ms_and_without_errors(bench, p99, failures, verdict):
    load, serving = bench
    result = serving.Load(p50=10.0, p99=p99, rate=50.0, requests=100, failures=failures)
    assert load.report(result, 32, 30, "under load")[-1].endswith(f": {verdict}")


def test_before_after_prints_speed_ups_and_the_5x_verdict(bench):
    before_after = importlib.import_module("before_after")  # bench/ is on the path
    before = {"/cases/": 250.0, "case page": 150.0, "/": 40.0, "policy-area page": 90.0}
    after = {"/cases/": 50.0, "case page": 60.0, "/": 20.0, "policy-area page": 30.0}
    medians = {"before abc": before, "def cold": after}
    lines = before_after.table(medians, ["before abc", "def cold"])
    assert lines[0].split()[-2:] == ["×", "cold"]
    assert lines[2].split() == ["/cases/", "250.0", "50.0", "5.0×"]
    verdicts = before_after.verdicts(medians, "before abc", "def cold")
    assert verdicts[0].endswith(
        "/cases/ 5.0× faster than before abc (250.0 → 50.0 ms): 5x target met"
    )
    assert verdicts[1].endswith("(150.0 → 60.0 ms): 5x target missed")
