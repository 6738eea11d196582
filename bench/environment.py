"""What every benchmark script does first: put the project on the path and start Django on
``DATABASE_URL``, or on a throwaway SQLite database when none is given."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start() -> tempfile.TemporaryDirectory:
    """Set Django up; keep the returned folder alive as long as the database is used."""
    sys.path.insert(0, str(ROOT))
    folder = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "golab.settings")
    os.environ.setdefault("GOLAB_GENERATE_SECRET_KEY", "1")
    import django

    django.setup()
    return folder
