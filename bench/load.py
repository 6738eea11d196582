"""Load test: the app under gunicorn on the bundled 2025-05 snapshot, 32 connections at once
over a seeded, realistic mix of public URLs; with ``--during-import``, while the background
worker runs admin imports.

    .venv/bin/python bench/load.py                              # SQLite, var/bench/
    DATABASE_URL=postgres://.../golab_load .venv/bin/python bench/load.py   # PostgreSQL
    .venv/bin/python bench/load.py --during-import              # with an import job running

The snapshot is imported once into the benchmark database (SQLite:
``var/bench/load-2025-05.sqlite3``; PostgreSQL: the database ``DATABASE_URL`` names, filled
when empty, reused when it holds projects). The app runs with production settings (DEBUG
off, static files collected, cache on unless ``GOLAB_CACHE=0``) under gunicorn, 4 sync
workers and gunicorn's default 30 s timeout; every distinct URL of the mix is requested once
(a URL that does not answer 2xx/3xx then stops the run: the mix must be valid for its error
count to mean anything), then wrk (or a threaded Python client) loads it for 30 s. Printed:
p50, p99, req/s, errors (answers outside 2xx/3xx, and socket errors and timeouts), and
whether the p99 target (under 500 ms at 32 connections, issue 16) is met.

``--during-import`` starts ``manage.py db_worker`` and keeps one admin import job queued for
the whole load, as the admin's import page does (``golab.jobs.enqueue_import``): a dry run
of the 2024-04 snapshot, the update from today's data back to last year's, which reads,
checks and applies every file in one transaction and then rolls it back, so the data under
load stays the same and the database can be reused.
"""

# ruff: noqa: S603 - starts our own worker with fixed arguments
from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess  # nosec B404 - starts our own worker, with fixed arguments
import sys
import threading
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from serving import (
    PYTHON,
    ROOT,
    Load,
    answered,
    app_environment,
    get,
    have_wrk,
    is_postgres,
    manage,
    migrate,
    project_count,
    python_load,
    start_django,
    start_gunicorn,
    stop,
    wrk_load,
)

SNAPSHOTS = ROOT / "data" / "indigo"
P99_TARGET_MS = 500
# The mix: kind of page -> its share of the requests (a reader's visit: lists and searches,
# then the records they lead to; machines reading the API; now and then a download).
MIX = {
    "home": 8,
    "cases": 8,
    "cases filtered": 10,
    "cases search": 8,
    "case": 18,
    "organisation": 8,
    "policy areas": 6,
    "evidence": 2,
    "evidence search": 8,
    "document": 8,
    "insights": 4,
    "api": 10,
    "download": 2,
}
SEARCHES = [
    "employment", "homeless", "homelessness", "mental health", "children", "education",
    "recidivism", "youth", "diabetes", "foster care", "unemployment", "refugees", "evaluation",
    "payment by results", "social outcomes", "health", "prison", "rough sleeping", "women",
    "agriculture",
]  # fmt: skip


def database_url(env: dict[str, str]) -> str:
    """The benchmark database with the bundled 2025-05 snapshot in it, imported first when
    needed (migrations are applied every time: the code may have moved on)."""
    url = env.get("DATABASE_URL", "")
    if is_postgres(url):
        migrate(env)
        if project_count(env) == 0:
            print(f"importing 2025-05 into {url.rsplit('/', 1)[-1]} (kept for later runs)")
            manage(["import_indigo", str(SNAPSHOTS / "2025-05"), "--no-downloads"], env)
        return url
    path = ROOT / "var" / "bench" / "load-2025-05.sqlite3"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        print(f"importing 2025-05 into {path.relative_to(ROOT)} (kept for later runs)")
        part_env = {**env, "DATABASE_URL": f"sqlite:///{part}"}
        migrate(part_env)
        manage(["import_indigo", str(SNAPSHOTS / "2025-05"), "--no-downloads"], part_env)
        part.rename(path)
    url = f"sqlite:///{path}"
    migrate({**env, "DATABASE_URL": url})
    return url


def url_mix(seed: int, size: int = 600) -> list[str]:
    """``size`` paths drawn (seeded) from the public pages in the shares of ``MIX``; needs
    Django set up on the data. Records are drawn from what is published."""
    return [path for _kind, path in draw_mix(seed, size)]


def draw_mix(seed: int, size: int = 600) -> list[tuple[str, str]]:
    """The mix as (kind of page, path) pairs."""
    from cases.models import Organisation, PolicySector, Project, Stage
    from evidence.models import EvidenceDocument

    rng = random.Random(seed)
    projects = list(Project.objects.published().order_by("pk").values_list("indigo_id", flat=True))
    organisations = list(
        Organisation.objects.published().order_by("pk").values_list("indigo_id", flat=True)
    )
    documents = list(
        EvidenceDocument.objects.in_library().order_by("pk").values_list("pk", flat=True)
    )
    from cases.models import DeliveryLocation

    countries = sorted(
        set(
            DeliveryLocation.objects.filter(project__indigo_id__in=projects)
            .exclude(country="")
            .values_list("country", flat=True)
        )
    ) or ["GB", "US"]

    def cases_filtered() -> str:
        params: dict[str, str] = {}
        while not params:
            if rng.random() < 0.6:
                params["policy_area"] = rng.choice(PolicySector.values)
            if rng.random() < 0.4:
                params["country"] = rng.choice(countries)
            if rng.random() < 0.3:
                params["stage"] = rng.choice(Stage.values)
            if rng.random() < 0.2:
                params["launch_year_min"] = str(rng.randint(2012, 2022))
        if rng.random() < 0.2:
            params["sort"] = rng.choice(["capital", "-launch", "name"])
        if rng.random() < 0.2:
            params["page"] = "2"
        return "/cases/?" + urlencode(params)

    kinds: dict[str, Callable[[], str]] = {
        "home": lambda: "/",
        "cases": lambda: "/cases/",
        "cases filtered": cases_filtered,
        "cases search": lambda: "/cases/?" + urlencode({"q": rng.choice(SEARCHES)}),
        "case": lambda: f"/cases/{rng.choice(projects)}/",
        "organisation": lambda: f"/organisations/{rng.choice(organisations)}/",
        "policy areas": lambda: rng.choice(
            ["/policy-areas/"] + [f"/policy-areas/{area}/" for area in PolicySector.values] * 2
        ),
        "evidence": lambda: "/evidence/",
        "evidence search": lambda: "/evidence/?" + urlencode({"q": rng.choice(SEARCHES)}),
        "document": lambda: f"/evidence/{rng.choice(documents)}/",
        "insights": lambda: "/insights/",
        "api": lambda: rng.choice(
            [
                "/api/v1/cases/",
                "/api/v1/organisations/",
                "/api/v1/evidence/",
                "/api/v1/cases/?policy_area=health",
                "/api/v1/cases/?page=2",
            ]
        ),  # fmt: skip
        "download": lambda: (
            "/cases/export.csv?" + urlencode({"policy_area": rng.choice(PolicySector.values)})
        ),
    }
    names = list(MIX)
    drawn = rng.choices(names, weights=[MIX[name] for name in names], k=size)
    return [(name, kinds[name]()) for name in drawn]


@dataclass
class ImportRun:
    """Admin import jobs kept running in a real worker process while the load runs."""

    env: dict[str, str]
    snapshot: Path
    finished: int = 0
    outcomes: list[str] | None = None
    worker: subprocess.Popen | None = None
    _stop: threading.Event | None = None
    _thread: threading.Thread | None = None
    _busy_since: float | None = None

    def start(self) -> None:
        self.outcomes = []
        self._stop = threading.Event()
        self.worker = subprocess.Popen(  # nosec B603
            [PYTHON, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2",
             "--no-startup-delay"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(self.snapshot.glob("*.csv")):
                archive.write(path, path.name)
        self._zip = buffer.getvalue()
        self._thread = threading.Thread(target=self._keep_one_queued, daemon=True)
        self._thread.start()
        self._wait_until_running()

    def _enqueue(self):
        from golab import jobs

        token = jobs.store_upload([self._zip])
        return jobs.enqueue_import(
            token=token,
            filename=f"{self.snapshot.name}.zip",
            run_by="bench/load.py",
            dry_run=True,
            partial=False,
        )

    def _keep_one_queued(self) -> None:
        from django.db import OperationalError, close_old_connections

        from golab import jobs
        from golab.models import ImportJob

        assert self._stop is not None and self.outcomes is not None
        job = self._enqueue()
        while True:
            time.sleep(0.5)
            try:
                job.refresh_from_db()
            except OperationalError:  # SQLite: the import's transaction holds the file
                continue
            if job.status == ImportJob.Status.RUNNING and self._busy_since is None:
                self._busy_since = time.monotonic()
            if job.status in (ImportJob.Status.FINISHED, ImportJob.Status.FAILED):
                self.finished += 1
                took = time.monotonic() - (self._busy_since or time.monotonic())
                stored = jobs.StoredResult.load(job.result or {})
                outcome = job.failure or f"{stored.error_count} errors"
                self.outcomes.append(f"{job.get_status_display()} in {took:.0f} s, {outcome[:80]}")
                self._busy_since = None
                if self._stop.is_set():
                    close_old_connections()
                    return
                job = self._enqueue()

    def _wait_until_running(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while self._busy_since is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if self._busy_since is None:
            sys.exit("the worker did not start the import job within a minute")

    def finish(self) -> None:
        """Let the running job end (its data must not be left half-written), then stop."""
        assert self._stop is not None and self._thread is not None and self.worker is not None
        self._stop.set()
        self._thread.join(600)
        stop([self.worker])


def warm_up(base: str, kinds: dict[str, str]) -> tuple[list[tuple[str, int]], str]:
    """Request each path once; return those that did not answer 2xx/3xx, and the median time
    of a first request by kind of page (``kinds``: path -> kind), slowest first."""
    bad, times = [], defaultdict(list)
    for path, kind in kinds.items():
        started = time.perf_counter()
        status = get(base, path, 60)
        times[kind].append((time.perf_counter() - started) * 1000)
        if not answered(status):
            bad.append((path, status))
    medians = sorted(((statistics.median(t), kind) for kind, t in times.items()), reverse=True)
    return bad, ", ".join(f"{kind} {ms:.0f}" for ms, kind in medians)


def report(load: Load, connections: int, seconds: float, label: str) -> list[str]:
    met = load.p99 < P99_TARGET_MS and load.failures == 0
    return [
        f"{label}: {connections} connections, {seconds:g} s, {load.requests} requests",
        f"  p50 {load.p50:.0f} ms, p99 {load.p99:.0f} ms, {load.rate:.1f} req/s",
        f"  errors: {load.failures} ({load.status_errors} answers outside 2xx/3xx, "
        f"{load.socket_errors} socket errors or timeouts)",
        f"  p99 target (< {P99_TARGET_MS} ms, no errors): {'met' if met else 'missed'}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30, help="seconds of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--during-import",
        action="store_true",
        help="keep an admin import job (a dry run of 2024-04) running in db_worker meanwhile",
    )
    args = parser.parse_args()

    url = database_url(app_environment(os.environ.get("DATABASE_URL", "")))
    media = ROOT / "var" / "bench" / "load-media"  # the uploads of --during-import's jobs
    env = app_environment(url, MEDIA_ROOT=str(media))
    start_django(env)
    from django.db import connection

    mix = draw_mix(args.seed)
    paths = [path for _kind, path in mix]
    use_wrk = not args.python_client and have_wrk()
    backend = "PostgreSQL" if is_postgres(url) else "SQLite"
    cache = "off (GOLAB_CACHE=0)" if env.get("GOLAB_CACHE") == "0" else "on"
    print(
        f"{backend}: bundled 2025-05 snapshot; gunicorn {args.workers} workers, production "
        f"settings, cache {cache}; {len(paths)} seeded paths ({len(set(paths))} distinct, seed "
        f"{args.seed}); {'wrk' if use_wrk else 'Python client'}",
        flush=True,
    )
    connection.close()
    gunicorn, base = start_gunicorn(env, workers=args.workers, timeout=30)
    importing: ImportRun | None = None
    try:
        started = time.perf_counter()
        bad, first = warm_up(base, {path: kind for kind, path in mix})
        print(f"warm-up: every distinct URL once in {time.perf_counter() - started:.1f} s")
        print(f"  first request of each URL, median ms by kind (slowest first): {first}")
        if bad:
            sys.exit(f"these URLs of the mix did not answer 2xx/3xx: {bad[:10]}")
        if args.during_import:
            importing = ImportRun(env, SNAPSHOTS / "2024-04")
            importing.start()
            print("an import job (dry run of 2024-04) is running in manage.py db_worker")
        load = (wrk_load if use_wrk else python_load)(
            base, paths, args.connections, args.duration, timeout=30
        )
        if importing:
            importing.finish()
    finally:
        stop([gunicorn] + ([importing.worker] if importing and importing.worker else []))
        shutil.rmtree(media / "imports", ignore_errors=True)  # the jobs' uploads
    label = "under load with an import running" if args.during_import else "under load"
    print("\n".join(report(load, args.connections, args.duration, label)))
    if importing:
        jobs_run = "; ".join(importing.outcomes or [])
        print(f"  import jobs run meanwhile: {importing.finished}: {jobs_run}")


if __name__ == "__main__":
    main()
