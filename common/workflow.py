"""The publication workflow of every publishable record (projects, organisations, funds,
evidence documents):
draft → in review → published → withdrawn, and back to draft. A model may say what it lacks
before it can be published with a ``missing_for_publication()`` method.

Who may do what is checked here, on the server, whatever the page offered:
- an Editor (``change`` permission) creates and edits drafts and submits them for review;
- a Curator (``publish_<model>`` permission) also publishes, withdraws and returns to draft.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from common.history import note_change
from common.models import PublicationStatus, Publishable, StatusChange

security_log = logging.getLogger("golab.security")

S = PublicationStatus
# (from, to): needs the publish permission?
TRANSITIONS: dict[tuple[str, str], bool] = {
    (S.DRAFT, S.IN_REVIEW): False,
    (S.IN_REVIEW, S.DRAFT): False,
    (S.IN_REVIEW, S.PUBLISHED): True,
    (S.DRAFT, S.PUBLISHED): True,
    (S.PUBLISHED, S.WITHDRAWN): True,
    (S.PUBLISHED, S.DRAFT): True,
    (S.WITHDRAWN, S.DRAFT): True,
    (S.WITHDRAWN, S.PUBLISHED): True,
}
ACTION_LABELS = {
    S.IN_REVIEW: "Submit for review",
    S.PUBLISHED: "Publish",
    S.WITHDRAWN: "Withdraw",
    S.DRAFT: "Back to draft",
}


def publish_permission(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def change_permission(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.change_{model._meta.model_name}"


def allowed_targets(record: Publishable, user) -> list[str]:
    """The statuses this user may move the record to now."""
    targets = []
    for (source, target), needs_publish in TRANSITIONS.items():
        if source != record.status:
            continue
        if not user.has_perm(change_permission(type(record))):
            continue
        if needs_publish and not user.has_perm(publish_permission(type(record))):
            continue
        targets.append(target)
    return targets


@dataclass
class Transition:
    record: Publishable
    from_status: str
    to_status: str


def transition(record: Publishable, to_status: str, *, user, comment: str = "") -> Transition:
    """Move ``record`` to ``to_status``, recording who, when and why.

    Raises PermissionDenied when the user may not make this move, ValidationError when the
    move does not exist or the record is not ready (naming what is missing)."""
    from_status = record.status
    key = (from_status, to_status)
    if key not in TRANSITIONS:
        raise ValidationError(
            f"A {record._meta.verbose_name} cannot go from {from_status} to {to_status}."
        )
    if not user.has_perm(change_permission(type(record))):
        raise PermissionDenied
    if TRANSITIONS[key] and not user.has_perm(publish_permission(type(record))):
        raise PermissionDenied("Only a curator can do this.")
    missing_for_publication = getattr(record, "missing_for_publication", None)
    if to_status == S.PUBLISHED and missing_for_publication is not None:
        missing = missing_for_publication()
        if missing:
            raise ValidationError("Cannot publish: missing " + "; ".join(missing) + ".")
    with transaction.atomic():
        record.status = to_status
        reason = f"Status: {from_status} → {to_status}" + (f" ({comment})" if comment else "")
        note_change(record, reason=reason, user=user)
        record.save(update_fields=["status", "updated_at"])
        StatusChange.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            from_status=from_status,
            to_status=to_status,
            user=user,
            comment=comment,
        )
    if to_status in (S.PUBLISHED, S.WITHDRAWN) or from_status in (S.PUBLISHED,):
        security_log.info(
            "%s %s %s: %s -> %s by %s",
            "publish"
            if to_status == S.PUBLISHED
            else "withdraw"
            if to_status == S.WITHDRAWN
            else "unpublish",
            record._meta.label,
            record.pk,
            from_status,
            to_status,
            user.get_username(),
        )
    return Transition(record, from_status, to_status)
