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
and of the trivial view's.
"""

# ruff: noqa: S603, S607 - starts our own servers and wrk with fixed arguments
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess  # nosec B404 - starts our own servers and wrk, with fixed arguments
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
CONNECTIONS = (1, 8)
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("SCALE_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"p50": %f, "p99": %f, "requests": %d, "seconds": %f, ' ..
    '"failures": %d}\\n', latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass
class Group:
    """Pages measured together: their seeded URLs, and where they are served."""

    name: str
    paths: list[str]
    server: str = "app"  # or "datasette"


@dataclass
class Load:
    p50: float  # ms
    p99: float  # ms
    rate: float  # requests per second
    requests: int
    failures: int


@dataclass
class Row:
    group: Group
    loads: dict[int, Load] = field(default_factory=dict)
    queries: float | None = None
    rss_mb: float | None = None


# -- the data set ------------------------------------------------------------------------------


def dataset_path(projects: int, documents: int, seed: int) -> Path:
    return ROOT / "var" / "bench" / f"scale-{projects}p-{documents}d-seed{seed}.sqlite3"


def manage(args: Sequence[str], env: dict[str, str]) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)  # nosec B603


def ensure_dataset(env: dict[str, str], projects: int, documents: int, seed: int) -> str:
    """The database URL of the data set, built first when needed."""
    url = env.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        env = {**env, "DATABASE_URL": url}
        manage(["migrate", "--verbosity", "0"], env)
        found = subprocess.run(  # nosec B603
            [PYTHON, "-c", "import django; django.setup(); from cases.models import Project; "
             "print(Project.objects.count())"],
            env={**env, "DJANGO_SETTINGS_MODULE": "golab.settings"}, cwd=ROOT, check=True,
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        if found == "0":
            manage(["generate_synthetic", f"--projects={projects}",
                    f"--documents={documents}", f"--seed={seed}"], env)  # fmt: skip
        elif found != str(projects):
            sys.exit(f"{url} holds {found} projects, not {projects}: give an empty database")
        return url
    path = dataset_path(projects, documents, seed)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.unlink(missing_ok=True)
        print(f"building {path.name} (cached for later runs)", flush=True)
        env = {**env, "DATABASE_URL": f"sqlite:///{part}"}
        manage(["migrate", "--verbosity", "0"], env)
        manage(["generate_synthetic", f"--projects={projects}", f"--documents={documents}",
                f"--seed={seed}"], env)  # fmt: skip
        part.rename(path)
    return f"sqlite:///{path}"


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
        Group("trivial view /bench/trivial/", ["/bench/trivial/"]),
        Group("/cases/ seeded filters", cases),
        Group("/cases/ (Datasette's filters)", app_faceted),
        Group("/evidence/?q= seeded", searches[:50]),
        Group("case pages", [f"/cases/{i}/" for i in rng.sample(ids, min(50, len(ids)))]),
        Group("/insights/", ["/insights/"]),
        Group("/api/v1/cases/", ["/api/v1/cases/"]),
        Group("/cases/export.csv (every row)", ["/cases/export.csv"]),
    ]
    if datasette_db:
        groups.append(Group("Datasette facet page", datasette, server="datasette"))
    return groups


def count_queries(
    groups: list[Group], sample: int = 5, progress: Callable[[str], None] = lambda _m: None
) -> dict[str, float]:
    """Mean SQL queries per page of each app group, over its first ``sample`` URLs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    with contextlib.suppress(RuntimeError):  # already set up (under pytest)
        setup_test_environment()  # the test client's host, "testserver", is allowed
    client = Client()
    counts = {}
    for group in groups:
        if group.server != "app":
            continue
        seen = []
        started = time.perf_counter()
        for path in group.paths[:sample]:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
                if response.streaming:  # the queries run as the body is read
                    b"".join(response.streaming_content)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            seen.append(len(captured.captured_queries))
        counts[group.name] = statistics.mean(seen)
        took = (time.perf_counter() - started) / len(seen)
        progress(f"queries of {group.name}: {counts[group.name]:.1f} ({took:.2f} s a page)")
    return counts


# -- load --------------------------------------------------------------------------------------


def get(base: str, path: str, timeout: float) -> int:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def python_load(base: str, paths: Sequence[str], connections: int, duration: float,
                timeout: float = 120.0) -> Load:  # fmt: skip
    """The fallback load generator: ``connections`` threads, each requesting the paths in
    turn (from its own offset) until ``duration`` has passed (at least one request each)."""
    times: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def worker(offset: int) -> None:
        i = offset
        while True:
            started = time.perf_counter()
            try:
                ok = get(base, paths[i % len(paths)], timeout) == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                times.append(elapsed)
                failures[0] += not ok
            i += 1
            if time.perf_counter() >= stop:
                return

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n * 7,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(times)
    return Load(
        p50=statistics.median(ordered) * 1000,
        p99=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        rate=len(ordered) / wall,
        requests=len(ordered),
        failures=failures[0],
    )


def wrk_load(base: str, paths: Sequence[str], connections: int, duration: float,
             timeout: float = 120.0) -> Load:  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        script, listing = Path(folder) / "paths.lua", Path(folder) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(  # nosec B603, B607
            ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
             f"--timeout={int(timeout)}s", "-s", str(script), base],
            env={**os.environ, "SCALE_PATHS": str(listing)}, capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    if result["requests"] == 0:  # a page slower than the whole run: measure it once
        return python_load(base, paths, connections, 0, timeout)
    return Load(
        p50=result["p50"],
        p99=result["p99"],
        rate=result["requests"] / result["seconds"],
        requests=result["requests"],
        failures=result["failures"],
    )


def measure(
    groups: list[Group],
    bases: dict[str, str],
    *,
    duration: float,
    connections: Sequence[int] = CONNECTIONS,
    use_wrk: bool = False,
    rss: Callable[[], float | None] = lambda: None,
    progress: Callable[[str], None] = lambda _m: None,
) -> list[Row]:
    """Warm each group up (every URL once), then load it at each connection count."""
    load = wrk_load if use_wrk else python_load
    rows = []
    for group in groups:
        base = bases[group.server]
        progress(f"warming up {group.name} ({len(group.paths)} URLs)")
        slow = 0
        for path in group.paths:
            try:
                get(base, path, 300)
            except OSError:  # slower than 5 minutes: counted as failed, not fatal
                slow += 1
        row = Row(group)
        for count in connections:
            row.loads[count] = load(base, group.paths, count, duration)
            progress(f"  {count} connection(s): {row.loads[count].rate:.1f} req/s")
        row.loads[connections[0]].failures += slow
        if group.server == "app":
            row.rss_mb = rss()
        rows.append(row)
    return rows


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(base: str, path: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server on {base} exited with {process.returncode}")
        try:
            if get(base, path, 5) < 500:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"server on {base} did not answer {path} in {seconds} s")


def workers_peak_rss(master: int) -> float | None:
    """The largest peak resident set (VmHWM) of the gunicorn master's workers, in MB."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master) and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return max(peaks, default=None)


# -- the table ---------------------------------------------------------------------------------


def table(rows: list[Row], connections: Sequence[int] = CONNECTIONS) -> str:
    def rate_of(name_start: str) -> float | None:
        for row in rows:
            if row.group.name.startswith(name_start):
                return row.loads[connections[-1]].rate
        return None

    datasette, trivial = rate_of("Datasette"), rate_of("trivial view")
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
        f"{connections[-1]} connections (x Datasette: > 1 is faster than Datasette)."
    )
    return "\n".join(lines)


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
    args = parser.parse_args()

    env = {
        **os.environ,
        "GOLAB_GENERATE_SECRET_KEY": os.environ.get("GOLAB_GENERATE_SECRET_KEY", "1"),
    }
    url = ensure_dataset(env, args.projects, args.documents, args.seed)
    sqlite_file = None if url.startswith("postgres") else Path(url.removeprefix("sqlite:///"))
    app_env = {
        **env,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "scale_settings",
        "PYTHONPATH": f"{BENCH}:{ROOT}",
        "API_RATE_LIMIT": "100000000/minute",  # measure the API, not its throttle
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(app_env)
    sys.path[:0] = [str(BENCH), str(ROOT)]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    use_wrk = not args.python_client and shutil.which("wrk") is not None
    datasette = shutil.which("datasette") or (
        str(Path(PYTHON).with_name("datasette"))
        if Path(PYTHON).with_name("datasette").exists()
        else None
    )
    if sqlite_file is None and datasette:
        print("note: Datasette serves SQLite files only; its row is left out on PostgreSQL")
    datasette_db = sqlite_file.stem if sqlite_file and datasette else None
    groups = page_groups(args.seed, datasette_db)
    for group in groups:
        group.paths = group.paths[: args.urls]
    print("counting queries in-process (Django's test client)", flush=True)
    queries = count_queries(
        groups, args.sample, progress=lambda message: print(message, flush=True)
    )

    port, processes = free_port(), []
    bases = {"app": f"http://127.0.0.1:{port}"}
    try:
        gunicorn = subprocess.Popen(  # nosec B603
            [str(Path(PYTHON).with_name("gunicorn")), "golab.wsgi:application",
             f"--bind=127.0.0.1:{port}", f"--workers={args.workers}", "--timeout=300",
             "--log-level=warning"],
            env=app_env, cwd=ROOT,
        )  # fmt: skip
        processes.append(gunicorn)
        wait_for(bases["app"], "/bench/trivial/", gunicorn)
        if datasette_db and sqlite_file:
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
            f"gunicorn {args.workers} workers; "
            f"{'wrk' if use_wrk else 'Python client'}, "
            f"{args.duration:g} s per group and connection count",
            flush=True,
        )
        rows = measure(
            groups,
            bases,
            duration=args.duration,
            use_wrk=use_wrk,
            rss=lambda: workers_peak_rss(gunicorn.pid),
            progress=lambda message: print(message, flush=True),
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:  # a worker still busy with a slow page
                process.kill()
                process.wait(30)
    for row in rows:
        row.queries = queries.get(row.group.name)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
