"""Benchmark: server time of the public pages on the bundled 2025-05 snapshot.

    .venv/bin/python bench/pages.py                     # a throwaway SQLite database
    DATABASE_URL=postgres://.../empty_db .venv/bin/python bench/pages.py

Imports 2025-05 into an empty database, then requests each page through Django's test client
(no network) a number of times and prints the median and the slowest, in milliseconds.
The architecture's targets (at 100,000 projects) are ~120 ms for /cases/ on SQLite and
~60 ms on PostgreSQL, ~5 ms for a case page; this measures today's data size.
"""

from __future__ import annotations

import statistics
import sys
import time

from environment import ROOT, start  # noqa: E402 - the script's own folder

tmp = start()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from cases.models import Organisation, OutcomeFund, Project  # noqa: E402
from evidence.models import EvidenceDocument  # noqa: E402
from golab.indigo import import_snapshot  # noqa: E402

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


def main() -> None:
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    call_command("migrate", verbosity=0)
    if Project.objects.exists():
        sys.exit("bench/pages.py needs an empty database")
    assert import_snapshot(ROOT / "data" / "indigo" / "2025-05", run_by="bench").ok
    setup_test_environment()
    client = Client()
    print(f"database: {connection.vendor}; {Project.objects.count()} projects; {ROUNDS} rounds")
    print(f"{'page':<52} {'median ms':>10} {'max ms':>8}")
    try:
        for path in PAGES:
            assert client.get(path).status_code == 200  # warm
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            print(f"{path:<52} {statistics.median(times):10.1f} {max(times):8.1f}")
    finally:
        Project.objects.all().delete()
        Organisation.objects.all().delete()
        OutcomeFund.objects.all().delete()
        EvidenceDocument.objects.all().delete()


if __name__ == "__main__":
    main()
