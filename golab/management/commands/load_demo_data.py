from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cases.models import ImportRun, Project


class Command(BaseCommand):
    help = (
        "Load the bundled INDIGO snapshot (data/indigo/2025-05) into an empty database; "
        "do nothing when the database already holds data (used by `make run`)."
    )

    def handle(self, *args, **options):
        if Project.objects.exists() or ImportRun.objects.exists():
            self.stdout.write("Database already holds data; nothing loaded.")
            return
        snapshot = settings.BASE_DIR / "data" / "indigo" / "2025-05"
        self.stdout.write(f"Loading the bundled INDIGO snapshot {snapshot.name} ...")
        call_command("import_indigo", str(snapshot), verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {Project.objects.published().count()} published projects.")
        )
