"""Accounts and roles: who may change which account, and a security-log line for every
change to an account, its groups or its permissions, whoever makes it and however (admin,
shell, management command).

The roles are two groups (see ``golab/migrations/0001_roles.py``): Editors write drafts;
Curators also publish, import, and manage which accounts are Editors. Nothing else about an
account is a Curator's to change: only a superuser makes accounts, sets staff, superuser or
permission flags, sets another user's password, or changes a Curator or a superuser.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission, User
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

security_log = logging.getLogger("golab.security")

EDITOR = "Editor"
CURATOR = "Curator"
# Changes to these fields are logged; the password only as "changed", never its hash.
TRACKED = ["username", "email", "is_active", "is_staff", "is_superuser", "password"]


def may_manage_roles(actor: Any) -> bool:
    """May ``actor`` grant and revoke the Editor role at all?"""
    return bool(actor.is_active and (actor.is_superuser or actor.has_perm("auth.change_user")))


def may_change_account(actor: Any, target: User) -> bool:
    """May ``actor`` change ``target``'s account? A superuser may change any. A Curator may
    change only the Editor membership of a plain account: not its own, not a superuser's or
    a Curator's, not one holding permissions or groups other than Editor."""
    if actor.is_superuser:
        return True
    if not may_manage_roles(actor) or target.pk == actor.pk or target.is_superuser:
        return False
    groups = set(target.groups.values_list("name", flat=True))
    return groups <= {EDITOR} and not target.user_permissions.exists()


def set_editor(target: User, editor: bool) -> None:
    """Grant or revoke the Editor role (only that group is touched)."""
    group = Group.objects.get(name=EDITOR)
    if editor:
        target.groups.add(group)
    else:
        target.groups.remove(group)


# ---------------------------------------------------------------------------------------------
# The log


def actor_name() -> str:
    """Who is making the change: the signed-in user of the current request (as recorded by
    django-simple-history's request middleware), or the process outside any request."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return "system (no signed-in user)"
    return user.get_username()


def _label(user: AbstractBaseUser) -> str:
    return f"{user.get_username()} (#{user.pk})"


def _remember(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # A save that writes none of the tracked fields (a login's last_login) needs no look.
    if raw or instance.pk is None or (update_fields and not set(update_fields) & set(TRACKED)):
        instance._golab_before = None
        return
    before = sender.objects.filter(pk=instance.pk).values(*TRACKED).first()
    instance._golab_before = before


def _log_save(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if created:
        security_log.info(
            "account created %s (staff=%s, superuser=%s, active=%s) by %s",
            _label(instance),
            instance.is_staff,
            instance.is_superuser,
            instance.is_active,
            actor_name(),
        )
        return
    before = getattr(instance, "_golab_before", None)
    if not before:
        return
    changes = []
    for name in TRACKED:
        old, new = before[name], getattr(instance, name)
        if old == new:
            continue
        changes.append("password changed" if name == "password" else f"{name}: {old!r} → {new!r}")
    if changes:
        security_log.info(
            "account changed %s: %s by %s", _label(instance), "; ".join(changes), actor_name()
        )


def _log_delete(sender, instance, **kwargs) -> None:
    security_log.info("account deleted %s by %s", _label(instance), actor_name())


def _names(model, pks) -> str:
    if model is Permission:
        rows = model.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return ", ".join(sorted(f"{app}.{code}" for app, code in rows))
    if model is get_user_model():
        return ", ".join(sorted(_label(u) for u in model.objects.filter(pk__in=pks)))
    return ", ".join(sorted(str(obj) for obj in model.objects.filter(pk__in=pks)))


def _membership_logger(what: str):
    """Log additions to and removals from a many-to-many of accounts or groups (groups of a
    user, permissions of a user, permissions of a group), from either side."""

    def log(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
        if action == "pre_clear":
            # Cleared rows are gone by post_clear: name them now.
            fks = [f for f in sender._meta.fields if f.is_relation]
            own = next(f for f in fks if isinstance(instance, f.related_model))
            other = next(f for f in fks if f is not own)
            rows = sender.objects.filter(**{own.name: instance})
            instance._golab_cleared = set(rows.values_list(other.attname, flat=True))
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            pk_set = getattr(instance, "_golab_cleared", None)
        if not pk_set:
            return
        verb = "added" if action == "post_add" else "removed"
        owner = _label(instance) if isinstance(instance, AbstractBaseUser) else str(instance)
        security_log.info(
            "%s of %s: %s %s by %s", what, owner, verb, _names(model, pk_set), actor_name()
        )

    return log


def connect() -> None:
    User = get_user_model()
    pre_save.connect(_remember, sender=User, dispatch_uid="golab-account-before")
    post_save.connect(_log_save, sender=User, dispatch_uid="golab-account-save")
    post_delete.connect(_log_delete, sender=User, dispatch_uid="golab-account-delete")
    links = [
        (User.groups.through, "groups"),
        (User.user_permissions.through, "permissions"),
        (Group.permissions.through, "permissions"),
    ]
    for through, what in links:
        m2m_changed.connect(
            _membership_logger(what), sender=through, weak=False, dispatch_uid=f"golab-{through}"
        )
