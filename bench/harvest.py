"""Benchmark: what harvesters and reusers hit, on the bundled 2025-05 snapshot.

    .venv/bin/python bench/harvest.py                     # a throwaway SQLite database
    DATABASE_URL=postgres://.../empty_db .venv/bin/python bench/harvest.py

Imports 2025-05 into an empty database, then prints: a whole OAI-PMH ListRecords and
ListIdentifiers harvest (pages of 100, following resumption tokens), the feeds, the sitemap
sections (median and slowest server time in milliseconds), and the time and sizes of
build_downloads.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from urllib.parse import urlencode

from environment import ROOT, start  # noqa: E402 - the script's own folder

tmp = start()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from lxml import etree  # noqa: E402

from cases.models import Organisation, OutcomeFund, Project  # noqa: E402
from evidence.models import EvidenceDocument  # noqa: E402
from golab.indigo import import_snapshot  # noqa: E402

OAI = {"oai": "http://www.openarchives.org/OAI/2.0/"}
PAGES = [
    "/feeds/cases/",
    "/feeds/cases/?policy_area=homelessness&country=GB",
    "/feeds/evidence/",
    "/feeds/evidence/?q=evaluation",
    "/sitemap.xml",
    "/sitemap-cases.xml",
    "/sitemap-organisations.xml",
    "/sitemap-evidence.xml",
    "/robots.txt",
    "/oai?verb=Identify",
    "/oai?verb=ListSets",
]
ROUNDS = 10


def harvest(client: Client, verb: str) -> tuple[int, int, list[float]]:
    """Records and pages of a whole harvest, and each page's time in ms."""
    query = {"verb": verb, "metadataPrefix": "oai_dc"}
    records = pages = 0
    times = []
    while True:
        started = time.perf_counter()
        response = client.get("/oai?" + urlencode(query))
        times.append((time.perf_counter() - started) * 1000)
        root = etree.fromstring(response.content)
        container = root.find(f"oai:{verb}", OAI)
        tag = "oai:record" if verb == "ListRecords" else "oai:header"
        records += len(container.findall(tag, OAI))
        pages += 1
        token = container.find("oai:resumptionToken", OAI)
        if token is None or not token.text:
            return records, pages, times
        query = {"verb": verb, "resumptionToken": token.text}


def main() -> None:
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    settings.MEDIA_ROOT = tempfile.mkdtemp()
    call_command("migrate", verbosity=0)
    if Project.objects.exists():
        sys.exit("bench/harvest.py needs an empty database")
    assert import_snapshot(ROOT / "data" / "indigo" / "2025-05", run_by="bench").ok
    setup_test_environment()
    client = Client()
    print(f"database: {connection.vendor}; {Project.objects.count()} projects, "
          f"{EvidenceDocument.objects.count()} documents")  # fmt: skip
    try:
        for verb in ("ListIdentifiers", "ListRecords"):
            started = time.perf_counter()
            records, pages, times = harvest(client, verb)
            total = time.perf_counter() - started
            print(
                f"OAI {verb}: {records} records in {pages} pages, {total:.2f} s; "
                f"page median {statistics.median(times):.1f} ms, slowest {max(times):.1f} ms"
            )
        print(f"{'page':<52} {'median ms':>10} {'max ms':>8}")
        for path in PAGES:
            assert client.get(path).status_code == 200  # warm
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            print(f"{path:<52} {statistics.median(times):10.1f} {max(times):8.1f}")
        from golab.downloads import build_downloads

        started = time.perf_counter()
        manifest = build_downloads()
        sizes = ", ".join(f"{f['name']} {f['size'] / 1e6:.2f} MB" for f in manifest["files"])
        print(f"build_downloads: {time.perf_counter() - started:.2f} s ({sizes})")
    finally:
        Project.objects.all().delete()
        Organisation.objects.all().delete()
        OutcomeFund.objects.all().delete()
        EvidenceDocument.objects.all().delete()


if __name__ == "__main__":
    main()
