"""The record of changes (django-simple-history): why, and by whom, a save is made."""

from __future__ import annotations

from typing import Any

from django.db import models


def note_change(record: models.Model, *, reason: str, user: Any = None) -> None:
    """Say why (and who) the next save of ``record`` changes it; the history keeps both.
    django-simple-history reads them from these two attributes of the instance."""
    record._change_reason = reason  # type: ignore[attr-defined]
    if user is not None:
        record._history_user = user  # type: ignore[attr-defined]
