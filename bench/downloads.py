"""Benchmark: peak memory and time of downloading 100,000 cases (the /cases/ download).

    .venv/bin/python bench/downloads.py                  # a throwaway SQLite database
    DATABASE_URL=postgres://.../empty_db .venv/bin/python bench/downloads.py
    .venv/bin/python bench/downloads.py --cases 20000    # fewer
    .venv/bin/python bench/downloads.py --trace          # and trace Python's allocations

Fills an empty database with synthetic published cases (each with a delivery location), then
downloads /cases/export.csv (and .xlsx and .json) through Django's test client, each in a
fresh process after a warm-up request, reading the response to its end without keeping it.
For each it prints the rows, the time, how much the download raised the process's peak
resident memory, and that peak (interpreter, Django and all); with --trace also the peak of
Python's allocations during the download (tracemalloc, which slows it down).
Target: the download's memory does not grow with the number of rows (under 100 MB).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc

from environment import start  # noqa: E402 - the script's own folder

FORMATS = ("csv", "xlsx", "json")


def populate(count: int) -> None:
    from django.core.management import call_command

    from cases.models import DeliveryLocation, PolicySector, Project, Stage
    from common.models import PublicationStatus

    call_command("migrate", verbosity=0)
    if Project.objects.exists():
        sys.exit("bench/downloads.py needs an empty database")
    sectors, stages = PolicySector.values, Stage.values
    batch = 5000
    for first in range(0, count, batch):
        projects = Project.objects.bulk_create(
            Project(
                indigo_id=f"INDIGO-POJ-{n:06d}",
                name=f"Synthetic outcomes contract {n}" + (" =HYPERLINK(1)" if n % 97 == 0 else ""),
                status=PublicationStatus.PUBLISHED,
                policy_sector=sectors[n % len(sectors)],
                stage=stages[n % len(stages)],
                service_start=f"{2010 + n % 15}-0{1 + n % 9}",
                launch_year=2010 + n % 15,
                capital_currency="GBP",
                capital_amount=1_000_000 + n,
                capital_usd=1_250_000 + n,
                capital_raised_usd=1_250_000 + n,
                service_users_targeted=100 + n % 5000,
                intervention="Intensive support to sustain tenancies and employment. " * 3,
                target_population="Adults at risk of homelessness",
            )
            for n in range(first, min(first + batch, count))
        )
        DeliveryLocation.objects.bulk_create(
            DeliveryLocation(project=p, position=0, country="GB", name="Leeds") for p in projects
        )


def peak_rss() -> float:
    """This process's peak resident memory in MiB: VmHWM, which starts afresh at exec (the
    rusage figure would carry the parent's peak over into a subprocess)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(fmt: str, trace: bool) -> None:
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    # Warm up (URL configuration, templates, imports) on a download that finds nothing, so
    # that what is measured is the download itself.
    warm = client.get(f"/cases/export.{fmt}?country=AQ")
    b"".join(warm.streaming_content)
    before = peak_rss()
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    response = client.get(f"/cases/export.{fmt}")
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    after = peak_rss()
    rows = f"{lines - 1:,} rows" if fmt == "csv" else f"{size / 1e6:,.1f} MB"
    grown = after - before
    line = (
        f"{fmt:<5} {rows:>14} {seconds:7.1f} s   peak memory +{grown:5.1f} MiB for the download "
        f"({after:5.1f} MiB for the whole process)"
    )
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        line += f"; Python allocations peak {peak / 2**20:5.1f} MiB (tracemalloc)"
    print(line, flush=True)
    print(f"      target: the download under 100 MB: {'met' if grown < 100 else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--measure", choices=FORMATS)
    parser.add_argument("--trace", action="store_true", help="also trace allocations (slower)")
    args = parser.parse_args()
    if args.measure:
        start()
        measure(args.measure, args.trace)
        return
    folder = start()  # keep alive: the throwaway database lives in it
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    began = time.perf_counter()
    populate(args.cases)
    print(
        f"database: {connection.vendor}; {args.cases:,} synthetic cases made in "
        f"{time.perf_counter() - began:.0f} s"
    )
    env = {**os.environ, "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    try:
        for fmt in FORMATS:
            subprocess.run(  # noqa: S603 - this very script, measuring one format
                [sys.executable, __file__, "--measure", fmt, *(["--trace"] if args.trace else [])],
                env=env,
                check=True,
            )
    finally:
        # Leave the database empty, as it was given (the next benchmark needs it so).
        call_command("flush", interactive=False, verbosity=0)
    del folder


if __name__ == "__main__":
    main()
