from __future__ import annotations

from django.core.management.base import BaseCommand

from golab.downloads import build_downloads, downloads_dir, is_stale


class Command(BaseCommand):
    help = (
        "Write the bulk downloads (INDIGO CSV .zip and SQLite file of all published data) to "
        "MEDIA_ROOT/downloads/, for the /downloads/ page."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="only if the data changed since the last build (for a frequent cron job)",
        )

    def handle(self, *args, if_stale: bool, **options):
        if if_stale and not is_stale():
            self.stdout.write("The downloads are up to date.")
            return
        manifest = build_downloads()
        for entry in manifest["files"]:
            self.stdout.write(f"{entry['name']}: {entry['size']:,} bytes")
        self.stdout.write(self.style.SUCCESS(f"Wrote the downloads to {downloads_dir()}."))
