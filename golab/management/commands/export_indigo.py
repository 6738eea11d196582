from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from golab.indigo import export_snapshot


class Command(BaseCommand):
    help = "Write the published data as INDIGO CSV files (same names and columns) into PATH."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="folder to write (created if missing)")

    def handle(self, *args, path: Path, **options):
        written = export_snapshot(path)
        for name, count in written.items():
            self.stdout.write(f"{name}: {count} rows")
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} files to {path}."))
