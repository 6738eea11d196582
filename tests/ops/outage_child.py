"""Run by tests/ops/test_outage.py in a process of its own, on its own DATABASE_URL: builds
the schema (from the models, as a test database without migrations is built), adds a
published case and document, then follows a plan of steps and prints one JSON line per
request: ``ask`` requests every page, ``run:<json argv>`` runs a command (stopping or
starting the server, moving the SQLite file)."""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 - test helper: runs the commands its own test gives it
import sys

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

# This is about the database: static files are served unhashed, not collected.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
setup_test_environment()


def build() -> list[str]:
    # Tables straight from the models (seconds faster than running every migration).
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("createcachetable", verbosity=0)  # as a deployment does (the API's rate limit)
    from tests.factories import EvidenceDocumentFactory, ProjectFactory

    project = ProjectFactory()
    document = EvidenceDocumentFactory()
    return [
        "/",
        "/cases/",
        project.get_absolute_url(),
        document.get_absolute_url(),
        "/evidence/",
        "/api/v1/cases/",
        "/health/",
    ]


def ask(client: Client, pages: list[str]) -> None:
    for page in pages:
        # What a server does around each request (the test client leaves it out): close
        # connections that failed or are too old, so the next request connects afresh.
        close_old_connections()
        response = client.get(page)
        close_old_connections()
        print(
            json.dumps(
                {
                    "page": page,
                    "status": response.status_code,
                    "retry_after": response.get("Retry-After"),
                    "type": response.get("Content-Type"),
                    "body": response.content.decode()[:2000],
                }
            ),
            flush=True,
        )


def main() -> None:
    pages = build()
    client = Client(raise_request_exception=False)
    # A curator's session too: the session and user are read by middleware, not only views.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("ops", password="x" * 16, is_staff=True)
    client.force_login(user)
    for step in sys.argv[1:]:
        if step == "ask":
            ask(client, pages)
        elif step.startswith("exists:"):
            print(json.dumps({"exists": os.path.exists(step.removeprefix("exists:"))}), flush=True)
        else:
            command = json.loads(step.removeprefix("run:"))
            subprocess.run(command, check=True, capture_output=True)  # nosec B603
            print(json.dumps({"ran": command[0]}), flush=True)


if __name__ == "__main__":
    main()
