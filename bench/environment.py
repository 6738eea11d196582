"""What every benchmark script does first: put the project on the path and start Django on
``DATABASE_URL``, or on a throwaway SQLite database when none is given."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(code: Path | None = None) -> tempfile.TemporaryDirectory:
    """Set Django up; keep the returned folder alive as long as the database is used.

    ``code``: run the app from that checkout instead of this one (``bench/before_after.py``
    measures an older commit in a git worktree with the same virtualenv): the editable
    install's finder, which maps the packages to this checkout, is taken out of the way."""
    if code is not None:
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
        for name in [
            m for m in sys.modules if m.split(".")[0] in {"golab", "cases", "evidence", "common"}
        ]:
            del sys.modules[name]
    sys.path.insert(0, str(code or ROOT))
    folder = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder.name}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "golab.settings")
    os.environ.setdefault("GOLAB_GENERATE_SECRET_KEY", "1")
    import django

    django.setup()
    return folder
