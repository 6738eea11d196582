"""Benchmark at scale: the app under gunicorn beside Datasette, on synthetic data.

    .venv/bin/python bench/scale.py                         # 100,000 projects, 200,000 documents
    .venv/bin/python bench/scale.py --projects 10000 --documents 20000 --duration 5
    DATABASE_URL=postgres://.../golab_bench .venv/bin/python bench/scale.py   # PostgreSQL

The data set (``manage.py generate_synthetic``) is cached: on SQLite as
``var/bench/scale-<N>p-<M>d-seed<S>.sqlite3`` (built once, reused); on PostgreSQL in the
database ``DATABASE_URL`` names (filled when empty, reused when it holds N projects).
The app runs under gunicorn on loopback with production settings (DEBUG off, static files
collected, ``bench/scale_settings.py``: the app's settings plus a trivial view at
``/bench/trivial/``), Datasette (the ``bench`` extra) serves the SQLite file's project table
with ``--setting suggest_facets off``. Each group of pages is warmed up, then loaded for
``--duration`` seconds at 1 and at 8 connections with wrk (Debian's ``wrk``) cycling over
the group's seeded URLs, or with a small threaded Python client when wrk is missing.
Queries per page are counted in-process (Django's test client, ``CaptureQueriesContext``).
One table is printed: p50, p99, req/s per connection count, queries per page, the gunicorn
workers' peak RSS after the group, and the req/s at 8 connections as a ratio of Datasette's
and of the trivial view's; under it, issue 15's targets 1-5, each with its figure and met or
MISSED. Three gunicorn servers run side by side: one with the cache of pages and counts off
(``GOLAB_CACHE=0``) for the cold targets 1-3, one with it on for target 4 (unfiltered
/cases/, home, policy-area pages), and a cold one of its own for the CSV export, so that its
workers' peak RSS is the export's.
"""

# ruff: noqa: S603, S607 - starts our own servers with fixed arguments
from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess  # nosec B404 - starts our own servers, with fixed arguments
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import urlencode

from serving import (
    PYTHON,
    ROOT,
    Load,
    app_environment,
    free_port,
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
    wait_for,
    workers_peak_rss,
    workers_rss,
    wrk_load,
)

CONNECTIONS = (1, 8)


@dataclass
class Group:
    """Pages measured together: their seeded URLs, and where they are served: "cold" (the app
    with its cache of pages and counts off, GOLAB_CACHE=0), "app" (the cache on), "export"
    (a cold app of its own, so its workers' peak RSS is the export's) or "datasette"."""

    name: str
    paths: list[str]
    server: str = "app"
    key: str = ""  # what the targets look the row up by


@dataclass
class Row:
    group: Group
    loads: dict[int, Load] = field(default_factory=dict)
    queries: float | None = None
    rss_mb: float | None = None


# -- the data set ------------------------------------------------------------------------------


def dataset_path(projects: int, documents: int, seed: int) -> Path:
    return ROOT / "var" / "bench" / f"scale-{projects}p-{documents}d-seed{seed}.sqlite3"


def ensure_dataset(env: dict[str, str], projects: int, documents: int, seed: int) -> str:
    """The database URL of the data set, built first when needed."""
    url = env.get("DATABASE_URL", "")
    if is_postgres(url):
        migrate(env)
        found = project_count(env)
        if found == 0:
            manage(["generate_synthetic", f"--projects={projects}",
                    f"--documents={documents}", f"--seed={seed}"], env)  # fmt: skip
        elif found != projects:
            sys.exit(f"{url} holds {found} projects, not {projects}: give an empty database")
        return url
    path = dataset_path(projects, documents, seed)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        print(f"building {path.name} (cached for later runs)", flush=True)
        env = {**env, "DATABASE_URL": f"sqlite:///{part}"}
        migrate(env)
        manage(["generate_synthetic", f"--projects={projects}", f"--documents={documents}",
                f"--seed={seed}"], env)  # fmt: skip
        part.rename(path)
    url = f"sqlite:///{path}"
    migrate({**env, "DATABASE_URL": url})  # the code may have moved on since it was built
    return url


# -- the pages ---------------------------------------------------------------------------------


def page_groups(seed: int, datasette_db: str | None) -> list[Group]:
    """The seeded URLs of every group (needs Django set up on the data set)."""
    from cases.models import PolicySector, Project, Stage
    from golab.synthetic import COUNTRIES, vocabulary

    rng = random.Random(seed)
    words = vocabulary()[0][20:1500]  # past the commonest words, which match nearly all
    ids = list(Project.objects.published().order_by("pk").values_list("indigo_id", flat=True))
    countries = list(COUNTRIES)[:20]

    def query() -> str:
        return " ".join(rng.sample(words, rng.choice([1, 1, 2])))

    cases: list[str] = []
    while len(cases) < 50:
        params: dict[str, str] = {}
        for name, values in (
            ("policy_area", PolicySector.values),
            ("country", countries),
            ("stage", Stage.values),
        ):
            if rng.random() < 0.5:
                params[name] = rng.choice(values)
        if rng.random() < 0.4:
            low = rng.randint(2012, 2020)
            params["launch_year_min"] = str(low)
            params["launch_year_max"] = str(low + rng.randint(0, 5))
        if rng.random() < 0.3:
            params["capital_min"] = str(rng.choice([100_000, 1_000_000, 5_000_000]))
        if rng.random() < 0.3:
            params["q"] = query()
        path = f"/cases/?{urlencode(params)}" if params else "/cases/"
        if path not in cases:
            cases.append(path)
    searches = list(dict.fromkeys(f"/evidence/?{urlencode({'q': query()})}" for _ in range(80)))
    # Filters both can express on the project table: policy area, stage, launch years.
    app_faceted, datasette = [], []
    for _ in range(50):
        area, stage = rng.choice(PolicySector.values), rng.choice(Stage.values)
        year = rng.randint(2012, 2020)
        app_faceted.append(
            "/cases/?" + urlencode({"policy_area": area, "stage": stage, "launch_year_min": year})
        )
        facets = "&".join(f"_facet={f}" for f in ("policy_sector", "stage", "launch_year"))
        datasette.append(
            f"/{datasette_db}/cases_project?status=published&policy_sector={area}"
            f"&stage={stage}&launch_year__gte={year}&{facets}"
        )
    groups = [
        Group("trivial view /bench/trivial/", ["/bench/trivial/"], "app", "trivial"),
        Group("/cases/ seeded filters", cases, "cold", "cases"),
        Group("/cases/ (Datasette's filters)", app_faceted, "cold", "cases-datasette"),
        Group("/evidence/?q= seeded", searches[:50], "cold", "evidence"),
        Group(
            "case pages",
            [f"/cases/{i}/" for i in rng.sample(ids, min(50, len(ids)))],
            "cold",
            "case",
        ),  # fmt: skip
        Group("/cases/ unfiltered (cached)", ["/cases/"], "app", "cases-unfiltered"),
        Group("home / (cached)", ["/"], "app", "home"),
        Group(
            "policy-area pages (cached)",
            [f"/policy-areas/{a}/" for a in PolicySector.values],
            "app",
            "policy-area",
        ),  # fmt: skip
        Group("/insights/ (cached)", ["/insights/"], "app", "insights"),
        Group("/api/v1/cases/", ["/api/v1/cases/"], "cold", "api"),
        Group("/cases/export.csv (every row)", ["/cases/export.csv"], "export", "export"),
    ]
    if datasette_db:
        groups.append(Group("Datasette facet page", datasette, "datasette", "datasette"))
    return groups


def count_queries(
    groups: list[Group], sample: int = 5, progress: Callable[[str], None] = lambda _m: None
) -> dict[str, float]:
    """Mean SQL queries per page of each app group, over its first ``sample`` URLs."""
    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    with contextlib.suppress(RuntimeError):  # already set up (under pytest)
        setup_test_environment()  # the test client's host, "testserver", is allowed
    client = Client()
    counts = {}
    for group in groups:
        if group.server == "datasette":
            continue
        seen = []
        started = time.perf_counter()
        for path in group.paths[:sample]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
                if response.streaming:  # the queries run as the body is read
                    b"".join(cast(StreamingHttpResponse, response).streaming_content)  # type: ignore[arg-type]
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            seen.append(len(captured.captured_queries))
        counts[group.name] = statistics.mean(seen)
        took = (time.perf_counter() - started) / len(seen)
        progress(f"queries of {group.name}: {counts[group.name]:.1f} ({took:.2f} s a page)")
    return counts


# -- load --------------------------------------------------------------------------------------


# The longest a group is loaded for, at each connection count, to reach every one of its URLs.
MAX_LOAD_SECONDS = 60.0


def load_seconds(duration: float, warm_up: float) -> float:
    """How long a group is loaded for: ``duration``, or as long as its warm-up took (each URL
    once, one at a time) and a tenth more, up to ``MAX_LOAD_SECONDS``: so that at one
    connection every seeded URL is asked for. Loaded for 5 s, the slowest group (50 searches
    at about 2 a second) was measured on its first 9 URLs."""
    return max(duration, min(MAX_LOAD_SECONDS, warm_up * 1.1))


def measure(
    groups: list[Group],
    bases: dict[str, str],
    *,
    duration: float,
    connections: Sequence[int] = CONNECTIONS,
    use_wrk: bool = False,
    rss: Callable[[str], float | None] = lambda _server: None,
    progress: Callable[[str], None] = lambda _m: None,
) -> list[Row]:
    """Warm each group up (every URL once), then load it at each connection count."""
    load = wrk_load if use_wrk else python_load
    rows = []
    for group in groups:
        base = bases[group.server]
        progress(f"warming up {group.name} ({len(group.paths)} URLs)")
        slow = 0
        started = time.perf_counter()
        for path in group.paths:
            try:
                get(base, path, 300)
            except OSError:  # slower than 5 minutes: counted as failed, not fatal
                slow += 1
        seconds = load_seconds(duration, time.perf_counter() - started)
        row = Row(group)
        for count in connections:
            row.loads[count] = load(base, group.paths, count, seconds)
            progress(
                f"  {count} connection(s): {row.loads[count].rate:.1f} req/s over {seconds:.0f} s"
            )
        row.loads[connections[0]].failures += slow
        if group.server != "datasette":
            row.rss_mb = rss(group.server)
        rows.append(row)
    return rows


# -- the table ---------------------------------------------------------------------------------


def row_of(rows: list[Row], key: str) -> Row | None:
    return next((row for row in rows if row.group.key == key), None)


def table(rows: list[Row], connections: Sequence[int] = CONNECTIONS) -> str:
    def rate_of(key: str) -> float | None:
        row = row_of(rows, key)
        return row.loads[connections[-1]].rate if row else None

    datasette, trivial = rate_of("datasette"), rate_of("trivial")
    head = f"{'page':<32}"
    for count in connections:
        head += f" {f'p50@{count}':>8} {f'p99@{count}':>8} {f'req/s@{count}':>9}"
    head += f" {'queries':>7} {'RSS MB':>7} {'×Datasette':>10} {'×trivial':>8} {'failed':>6}"
    lines = [head, "-" * len(head)]
    for row in rows:
        line = f"{row.group.name[:32]:<32}"
        for count in connections:
            load = row.loads[count]
            line += f" {load.p50:8.1f} {load.p99:8.1f} {load.rate:9.1f}"
        rate = row.loads[connections[-1]].rate
        line += f" {'' if row.queries is None else f'{row.queries:.1f}':>7}"
        line += f" {'' if row.rss_mb is None else f'{row.rss_mb:.0f}':>7}"
        line += f" {f'{rate / datasette:.2f}' if datasette else '':>10}"
        line += f" {f'{rate / trivial:.3f}' if trivial else '':>8}"
        line += f" {sum(load.failures for load in row.loads.values()):6d}"
        lines.append(line)
    lines.append(
        f"p50/p99 in ms at 1 and {connections[-1]} connections; ratios compare req/s at "
        f"{connections[-1]} connections (x Datasette: > 1 is faster than Datasette). "
        "Rows marked cached run with the cache of pages and counts on; the others cold "
        "(GOLAB_CACHE=0). Queries are counted cold. RSS: the serving workers' peak so far "
        "(the export's: a server of its own)."
    )
    return "\n".join(lines)


def targets(
    rows: list[Row],
    *,
    postgres: bool,
    final_rss_mb: float | None,
    connections: Sequence[int] = CONNECTIONS,
) -> list[str]:
    """Issue 15's targets 1-5, each with its figure and met / MISSED / not measured."""
    one, many = connections[0], connections[-1]
    lines = []

    def verdict(label: str, figure: float | None, ok: Callable[[float], bool], text: str) -> None:
        if figure is None:
            lines.append(f"{label}: not measured in this run")
        else:
            lines.append(f"{label}: {text.format(figure)}: {'met' if ok(figure) else 'MISSED'}")

    def p50(key: str) -> float | None:
        row = row_of(rows, key)
        return row.loads[one].p50 if row else None

    def rate(key: str) -> float | None:
        row = row_of(rows, key)
        return row.loads[many].rate if row else None

    def ratio(key: str, to: str) -> float | None:
        mine, theirs = rate(key), rate(to)
        return mine / theirs if mine is not None and theirs else None

    limit = 60 if postgres else 120
    verdict(f"Target 1: /cases/ seeded mix, cold, p50 at {one} connection ≤ {limit} ms",
            p50("cases"), lambda v: v <= limit, "{:.1f} ms")  # fmt: skip
    verdict(f"Target 1: /cases/ at {many} connections ≥ 10× Datasette's req/s (same filters)",
            ratio("cases-datasette", "datasette"), lambda v: v >= 10, "{:.2f}×")  # fmt: skip
    verdict(f"Target 2: /evidence/?q= seeded, cold, p50 at {one} connection ≤ 60 ms",
            p50("evidence"), lambda v: v <= 60, "{:.1f} ms")  # fmt: skip
    verdict(f"Target 3: case page, cold, p50 at {one} connection ≤ 5 ms",
            p50("case"), lambda v: v <= 5, "{:.1f} ms")  # fmt: skip
    verdict(f"Target 3: case page at {many} connections ≥ 20% of the trivial view's req/s",
            ratio("case", "trivial"), lambda v: v >= 0.2, "{:.1%}")  # fmt: skip
    for key, name in (("cases-unfiltered", "unfiltered /cases/"), ("home", "home"),
                      ("policy-area", "policy-area pages")):  # fmt: skip
        verdict(f"Target 4: {name}, cached, at {many} connections ≥ 50% of the trivial's req/s",
                ratio(key, "trivial"), lambda v: v >= 0.5, "{:.1%}")  # fmt: skip
    export = row_of(rows, "export")
    exported = export.rss_mb if export else None
    verdict("Target 5: CSV export of every row, the worker's peak RSS < 150 MB",
            exported, lambda v: v < 150, "{:.0f} MB")  # fmt: skip
    verdict("Target 5: gunicorn worker RSS after the whole run < 200 MB",
            final_rss_mb, lambda v: v < 200, "{:.0f} MB")  # fmt: skip
    lines.append("Target 5: query counts per page not growing with the data: pinned in the tests")
    return lines


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per group")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--urls", type=int, default=50, help="seeded URLs per group (fewer: a quicker, rougher run)"
    )
    parser.add_argument("--sample", type=int, default=5, help="pages per group to count queries")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated row keys to measure (trivial and datasette rows are always kept): "
        "cases, cases-datasette, evidence, case, cases-unfiltered, home, policy-area, "
        "insights, api, export",
    )
    args = parser.parse_args()

    env = {
        **os.environ,
        "GOLAB_GENERATE_SECRET_KEY": os.environ.get("GOLAB_GENERATE_SECRET_KEY", "1"),
    }
    url = ensure_dataset(env, args.projects, args.documents, args.seed)
    sqlite_file = None if is_postgres(url) else Path(url.removeprefix("sqlite:///"))
    app_env = app_environment(url, DJANGO_SETTINGS_MODULE="scale_settings")
    cold_env = {**app_env, "GOLAB_CACHE": "0"}
    start_django(cold_env)  # queries are counted cold
    use_wrk = not args.python_client and have_wrk()
    datasette = shutil.which("datasette") or (
        str(Path(PYTHON).with_name("datasette"))
        if Path(PYTHON).with_name("datasette").exists()
        else None
    )
    if sqlite_file is None and datasette:
        print("note: Datasette serves SQLite files only; its row is left out on PostgreSQL")
    datasette_db = sqlite_file.stem if sqlite_file and datasette else None
    groups = page_groups(args.seed, datasette_db)
    if args.only:
        wanted = {key.strip() for key in args.only.split(",")} | {"trivial", "datasette"}
        groups = [group for group in groups if group.key in wanted]
    for group in groups:
        group.paths = group.paths[: args.urls]
    print("counting queries in-process (Django's test client)", flush=True)
    queries = count_queries(
        groups, args.sample, progress=lambda message: print(message, flush=True)
    )

    processes: list[subprocess.Popen] = []
    bases: dict[str, str] = {}
    masters: dict[str, int] = {}
    final_rss: float | None = None
    try:
        for server, server_env in (("app", app_env), ("cold", cold_env), ("export", cold_env)):
            process, bases[server] = start_gunicorn(
                server_env, workers=args.workers, probe="/bench/trivial/"
            )
            processes.append(process)
            masters[server] = process.pid
        if datasette and datasette_db and sqlite_file:
            dport = free_port()
            bases["datasette"] = f"http://127.0.0.1:{dport}"
            processes.append(
                subprocess.Popen(  # nosec B603
                    [
                        datasette,
                        "serve",
                        "--immutable",
                        str(sqlite_file),
                        "--host=127.0.0.1",
                        f"--port={dport}",
                        "--setting",
                        "suggest_facets",
                        "off",
                        "--setting",
                        "sql_time_limit_ms",
                        "60000",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
            wait_for(bases["datasette"], "/-/versions.json", processes[-1])
        backend = "PostgreSQL" if sqlite_file is None else "SQLite"
        print(
            f"{backend}: {args.projects:,} projects, {args.documents:,} documents, seed "
            f"{args.seed}, {args.urls} URLs a group; "
            f"queries counted over {args.sample} pages; "
            f"gunicorn {args.workers} workers (one server cold, GOLAB_CACHE=0; one with the "
            f"cache; one cold for the export); "
            f"{'wrk' if use_wrk else 'Python client'}, "
            f"{args.duration:g} s per group and connection count",
            flush=True,
        )
        rows = measure(
            groups,
            bases,
            duration=args.duration,
            use_wrk=use_wrk,
            rss=lambda server: workers_peak_rss(masters[server]),
            progress=lambda message: print(message, flush=True),
        )
        sizes = [workers_rss(masters[server]) for server in ("app", "cold")]
        final_rss = max((size for size in sizes if size is not None), default=None)
    finally:
        stop(processes)
    for row in rows:
        row.queries = queries.get(row.group.name)
    print()
    print(table(rows))
    print()
    for line in targets(rows, postgres=sqlite_file is None, final_rss_mb=final_rss):
        print(line)


if __name__ == "__main__":
    main()
