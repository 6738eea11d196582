"""What the load benchmarks share: the app under gunicorn with production settings on
loopback, and two load generators (wrk with a Lua script cycling over a list of paths, or a
small threaded Python client) that report the same figures.

Used by ``bench/scale.py`` (synthetic data at scale) and ``bench/load.py`` (the bundled
snapshot at 32 connections).
"""

# ruff: noqa: S603, S607 - starts our own servers and wrk with fixed arguments
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess  # nosec B404 - starts our own servers and wrk, with fixed arguments
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
# wrk counts a response outside 2xx/3xx as a status error; connect, read, write errors and
# timeouts are socket errors.
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("SCALE_PATHS")) do paths[#paths + 1] = line end
local i = 0
local counter = 0
setup = function(thread)
  thread:set("offset", counter * 7)
  counter = counter + 1
end
init = function(args)
  i = (offset or 0) % #paths
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"p50": %f, "p99": %f, "requests": %d, "seconds": %f, ' ..
    '"status": %d, "socket": %d}\\n', latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    p50: float  # ms
    p99: float  # ms
    rate: float  # requests per second
    requests: int
    failures: int  # status errors and socket errors
    status_errors: int = 0  # answers outside 2xx/3xx (the rest of the failures: socket errors)

    @property
    def socket_errors(self) -> int:
        return self.failures - self.status_errors


def get(base: str, path: str, timeout: float) -> int:
    """The status of one GET of ``path`` (the body read and dropped)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def answered(status: int) -> bool:
    """Whether a status counts as answered: 2xx or 3xx, as wrk counts it."""
    return 200 <= status < 400


def python_load(base: str, paths: Sequence[str], connections: int, duration: float,
                timeout: float = 120.0) -> Load:  # fmt: skip
    """The fallback load generator: ``connections`` threads, each requesting the paths in
    turn (from its own offset) until ``duration`` has passed (at least one request each)."""
    times: list[float] = []
    status_errors, socket_errors = [0], [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def worker(offset: int) -> None:
        i = offset
        while True:
            started = time.perf_counter()
            try:
                bad_status, bad_socket = not answered(get(base, paths[i % len(paths)], timeout)), 0
            except OSError:
                bad_status, bad_socket = False, 1
            elapsed = time.perf_counter() - started
            with lock:
                times.append(elapsed)
                status_errors[0] += bad_status
                socket_errors[0] += bad_socket
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
        failures=status_errors[0] + socket_errors[0],
        status_errors=status_errors[0],
    )


def wrk_load(base: str, paths: Sequence[str], connections: int, duration: float,
             timeout: float = 120.0) -> Load:  # fmt: skip
    """Load with wrk (2 threads at most: the machine has few cores), cycling over ``paths``."""
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
        failures=result["status"] + result["socket"],
        status_errors=result["status"],
    )


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


# -- the app's environment and its servers ------------------------------------------------------


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def manage(args: Sequence[str], env: dict[str, str]) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)  # nosec B603


def migrate(env: dict[str, str]) -> None:
    """Bring the database ``env`` names up to date as a deployment does: migrations, then the
    cache's table (when the cache is a database table)."""
    manage(["migrate", "--verbosity", "0"], env)
    manage(["createcachetable", "--verbosity", "0"], env)


def project_count(env: dict[str, str]) -> int:
    """How many projects the database ``env`` names holds (in a fresh process)."""
    found = subprocess.run(  # nosec B603
        [PYTHON, "-c", "import django; django.setup(); from cases.models import Project; "
         "print(Project.objects.count())"],
        env={**env, "DJANGO_SETTINGS_MODULE": "golab.settings"}, cwd=ROOT, check=True,
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return int(found)


def app_environment(url: str, **extra: str) -> dict[str, str]:
    """The environment of the app as served for a benchmark: production settings (DEBUG
    off), ``bench/`` importable (``scale_settings``), the API's throttle lifted."""
    return {
        **os.environ,
        "GOLAB_GENERATE_SECRET_KEY": os.environ.get("GOLAB_GENERATE_SECRET_KEY", "1"),
        "DATABASE_URL": url,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "golab.settings",
        "PYTHONPATH": f"{BENCH}:{ROOT}",
        "API_RATE_LIMIT": "100000000/minute",  # measure the API, not its throttle
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_django(env: dict[str, str], *, collectstatic: bool = True) -> None:
    """Set Django up in this process on ``env`` (the static files collected: production
    settings serve them from the manifest)."""
    os.environ.update(env)
    sys.path[:0] = [str(BENCH), str(ROOT)]
    import django

    django.setup()
    if collectstatic:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)


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


def start_gunicorn(env: dict[str, str], *, workers: int, timeout: int = 300,
                   probe: str = "/health/") -> tuple[subprocess.Popen, str]:  # fmt: skip
    """gunicorn serving the app on a free loopback port, once it answers ``probe``."""
    port = free_port()
    process = subprocess.Popen(  # nosec B603
        [str(Path(PYTHON).with_name("gunicorn")), "golab.wsgi:application",
         f"--bind=127.0.0.1:{port}", f"--workers={workers}", f"--timeout={timeout}",
         "--log-level=warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_for(base, probe, process)
    return process, base


def stop(processes: Iterable[subprocess.Popen]) -> None:
    """Terminate our own processes, killing one that does not stop in 30 s (a worker still
    busy with a slow page)."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def _worker_status(master: int) -> list[dict[str, str]]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master):
            found.append(fields)
    return found


def workers_peak_rss(master: int) -> float | None:
    """The largest peak resident set (VmHWM) of the gunicorn master's workers, in MB."""
    peaks = [int(f["VmHWM"].split()[0]) / 1024 for f in _worker_status(master) if "VmHWM" in f]
    return max(peaks, default=None)


def workers_rss(master: int) -> float | None:
    """The largest resident set (VmRSS) of the gunicorn master's workers now, in MB."""
    sizes = [int(f["VmRSS"].split()[0]) / 1024 for f in _worker_status(master) if "VmRSS" in f]
    return max(sizes, default=None)
