from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from golab.synthetic import generate


class Command(BaseCommand):
    help = (
        "Write synthetic, published projects and evidence documents shaped like the INDIGO "
        "data (for benchmarks at scale); the same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=1000)
        parser.add_argument("--documents", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, projects: int, documents: int, seed: int, **options) -> None:
        started = time.perf_counter()
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity:
                self.stdout.write(f"{time.perf_counter() - started:7.1f} s  {message}")
                self.stdout.flush()

        totals = generate(projects=projects, documents=documents, seed=seed, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {totals.projects:,} projects, {totals.organisations:,} organisations, "
                f"{totals.documents:,} documents and {totals.rows:,} other rows "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
