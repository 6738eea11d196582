"""Benchmark: server time of the public pages on the bundled 2025-05 snapshot.

    .venv/bin/python bench/pages.py                     # a throwaway SQLite database
    DATABASE_URL=postgres://.../empty_db .venv/bin/python bench/pages.py

Imports 2025-05 into an empty database, then requests each page through Django's test client
(no network) a number of times and prints the median and the slowest, in milliseconds.
The architecture's targets (at 100,000 projects) are ~120 ms for /cases/ on SQLite and
~60 ms on PostgreSQL, ~5 ms for a case page; this measures today's data size. With the
cache of pages and counts on (the default) a repeated page is a cache hit: ``GOLAB_CACHE=0``
measures the work a request does.

``--serve`` is how ``bench/before_after.py`` drives it: after the import it prints
``ready``, then reads one path a line from stdin and answers with the milliseconds that
request took (``--code DIR`` runs the app of another checkout, e.g. a git worktree of an
older commit, with this virtualenv).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from environment import ROOT, start  # the script's own folder

PAGES = [
    "/",
    "/cases/",
    "/cases/?policy_area=criminal-justice&country=GB",
    "/cases/?q=homeless",
    "/cases/?q=employment&sort=capital&per_page=100",
    "/cases/INDIGO-POJ-0153/",
    "/cases/INDIGO-POJ-0175/",
    "/policy-areas/homelessness/",
    "/pipeline/",
    "/pipeline/?policy_area=health&country=KE",
    "/pipeline/?q=sanitation",
    "/pipeline/INDIGO-PL-0026/",
]
ROUNDS = 15


def prepare():
    """Import 2025-05 into the (empty) database; return a test client for the pages."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases.models import Project
    from golab.indigo import import_snapshot

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # when the cache is a database table
    if Project.objects.exists():
        sys.exit("bench/pages.py needs an empty database")
    assert import_snapshot(ROOT / "data" / "indigo" / "2025-05", run_by="bench").ok
    setup_test_environment()
    return Client()


def time_page(client, path: str) -> float:
    """Milliseconds of one request of ``path`` (which must answer 200)."""
    started = time.perf_counter()
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return took


def wipe() -> None:
    from cases.models import Organisation, OutcomeFund, Project
    from evidence.models import EvidenceDocument

    Project.objects.all().delete()
    Organisation.objects.all().delete()
    OutcomeFund.objects.all().delete()
    EvidenceDocument.objects.all().delete()


def serve(client) -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        path = line.strip()
        if not path:
            break
        try:
            print(f"{time_page(client, path):.3f}", flush=True)
        except Exception as exc:  # noqa: BLE001 - reported to the driver, which stops
            print(f"error {exc}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", action="store_true", help="time the paths read from stdin")
    parser.add_argument("--code", type=Path, help="run the app of this checkout")
    args = parser.parse_args()
    tmp = start(args.code)  # noqa: F841 - the throwaway database lives as long as it does
    from django.db import connection

    from cases.models import Project

    client = prepare()
    try:
        if args.serve:
            serve(client)
            return
        from django.conf import settings

        cache = "on" if getattr(settings, "RESULT_CACHE", False) else "off"
        print(
            f"database: {connection.vendor}; {Project.objects.count()} projects; {ROUNDS} "
            f"rounds; cache of pages and counts {cache} (GOLAB_CACHE=0: off)"
        )
        print(f"{'page':<52} {'median ms':>10} {'max ms':>8}")
        for path in PAGES:
            time_page(client, path)  # warm
            times = [time_page(client, path) for _ in range(ROUNDS)]
            print(f"{path:<52} {statistics.median(times):10.1f} {max(times):8.1f}")
    finally:
        wipe()


if __name__ == "__main__":
    main()
