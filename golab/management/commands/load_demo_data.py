from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the bundled INDIGO snapshot into an empty database (used by `make run`)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write("Nothing to load yet.")
