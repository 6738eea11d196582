"""tests.conftest.ensure_roles gives back the roles exactly as the migrations made them
(transactional tests rely on it after an earlier test's flush)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.conftest import ROLES, ensure_roles


def _roles() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.filter(name__in=ROLES).prefetch_related(
            "permissions__content_type"
        )
    }


@pytest.mark.django_db
def test_roles_made_again_equal_the_migrated_ones():
    migrated = _roles()
    Group.objects.all().delete()

    ensure_roles()

    assert set(migrated) == set(ROLES) and all(migrated.values())
    assert _roles() == migrated
