"""Before and after, in the same sitting: the server time of /cases/, a case page, the home
page and a policy-area page at 1× (the bundled 2025-05 snapshot) in an older commit and in
this checkout, for issue 15's target 7 (/cases/ and the case page at least 5× faster).

    .venv/bin/python bench/before_after.py                 # against bb0d6bb
    .venv/bin/python bench/before_after.py --before HEAD~20 --rounds 30

The older commit is checked out in a temporary git worktree (removed at the end) and run
with this virtualenv (``bench/pages.py --code``: the worktree's packages, not this
checkout's). Three processes import the snapshot into throwaway SQLite databases and then
time one request at a time through Django's test client, as ``bench/pages.py`` does: the
before commit, this checkout with its cache of pages and counts off (``GOLAB_CACHE=0``: the
work a request really does), and this checkout with the cache on (what a reader sees after
the first request). Rounds alternate between the three, so a busy moment of the machine
falls on all of them alike. Printed: the medians, the speed-ups, and the 5× target.
"""

# ruff: noqa: S603, S607 - runs git and our own script with fixed arguments
from __future__ import annotations

import argparse
import os
import statistics
import subprocess  # nosec B404 - git and our own script, with fixed arguments
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "/cases/": "/cases/",
    "case page": "/cases/INDIGO-POJ-0153/",
    "/": "/",
    "policy-area page": "/policy-areas/homelessness/",
}
TARGET = 5.0
TARGETED = ("/cases/", "case page")  # target 7 names these two


class Timer:
    """``bench/pages.py --serve`` in a process of its own: one page timed per call."""

    def __init__(self, label: str, code: Path, cache: bool) -> None:
        self.label = label
        env = {**os.environ, "GOLAB_GENERATE_SECRET_KEY": "1", "GOLAB_CACHE": "1" if cache else "0"}
        env.pop("DATABASE_URL", None)  # a throwaway SQLite database each
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = subprocess.Popen(  # nosec B603
            [sys.executable, str(ROOT / "bench" / "pages.py"), "--serve", "--code", str(code)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=code,
        )  # fmt: skip
        self.times: dict[str, list[float]] = {name: [] for name in PAGES}

    def ready(self) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != "ready":
            sys.exit(f"{self.label}: the page timer did not start ({line or 'no output'})")

    def time(self, path: str) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        try:
            return float(answer)
        except ValueError:
            sys.exit(f"{self.label}: {path}: {answer or 'no answer'}")

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def git(*args: str) -> str:
    return subprocess.run(  # nosec B603, B607
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def speedups(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: before[name] / after[name] for name in before if after.get(name)}


def table(medians: dict[str, dict[str, float]], labels: list[str]) -> list[str]:
    """Rows of medians (ms) per page and timer, then the speed-up of each later timer."""
    first = labels[0]
    head = f"{'page':<18}" + "".join(f" {label:>18}" for label in labels)
    head += "".join(f" {'× ' + label.split(' ', 1)[-1]:>11}" for label in labels[1:])
    lines = [head, "-" * len(head)]
    for name in PAGES:
        line = f"{name:<18}" + "".join(f" {medians[label][name]:18.1f}" for label in labels)
        for label in labels[1:]:
            line += f" {medians[first][name] / medians[label][name]:10.1f}×"
        lines.append(line)
    return lines


def verdicts(medians: dict[str, dict[str, float]], before: str, after: str) -> list[str]:
    ratio = speedups(medians[before], medians[after])
    lines = []
    for name in TARGETED:
        met = ratio[name] >= TARGET
        lines.append(
            f"target 7, {after}: {name} {ratio[name]:.1f}× faster than {before} "
            f"({medians[before][name]:.1f} → {medians[after][name]:.1f} ms): "
            f"{TARGET:g}x target {'met' if met else 'missed'}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="bb0d6bb", help="the commit measured as before")
    parser.add_argument(
        "--after",
        default="HEAD",
        help="the commit measured as after, or '.' for this checkout as it is (uncommitted "
        "changes included)",
    )
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    before = git("rev-parse", "--short", args.before)
    after = "working-tree" if args.after == "." else git("rev-parse", "--short", args.after)
    folder = Path(tempfile.mkdtemp(prefix="golab-before-after-"))
    trees = {before: folder / "before"}
    if args.after != ".":
        trees[after] = folder / "after"
    for commit, tree in trees.items():
        git("worktree", "add", "--detach", str(tree), commit)
        (tree / "var" / "staticfiles").mkdir(parents=True)  # WhiteNoise looks for it
    after_code = trees.get(after, ROOT)
    timers: list[Timer] = []
    try:
        timers = [
            Timer(f"before {before}", trees[before], cache=False),
            Timer(f"{after} cold", after_code, cache=False),
            Timer(f"{after} cached", after_code, cache=True),
        ]
        print(f"importing 2025-05 three times (before: {before}; after: {after})", flush=True)
        for timer in timers:
            timer.ready()
        for timer in timers:  # warm: the first request of each page pays for imports
            for path in PAGES.values():
                timer.time(path)
        for round_ in range(args.rounds):
            order = timers if round_ % 2 == 0 else timers[::-1]
            for name, path in PAGES.items():
                for timer in order:
                    timer.times[name].append(timer.time(path))
    finally:
        for timer in timers:
            timer.close()
        for tree in trees.values():
            git("worktree", "remove", "--force", str(tree))
        folder.rmdir()
    labels = [timer.label for timer in timers]
    medians = {
        timer.label: {name: statistics.median(times) for name, times in timer.times.items()}
        for timer in timers
    }
    print(
        f"SQLite, 1× (bundled 2025-05), Django's test client, median ms of {args.rounds} "
        "alternating rounds; shared machine"
    )
    print("\n".join(table(medians, labels)))
    for label in labels[1:]:
        print("\n".join(verdicts(medians, labels[0], label)))


if __name__ == "__main__":
    main()
