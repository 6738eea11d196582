from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

PASSWORD = "correct horse battery staple 9"


def make_user(username: str, group: str | None = None, **extra) -> User:
    user = User.objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def curator(db) -> User:
    return make_user("curt", "Curator")


@pytest.fixture
def editor(db) -> User:
    return make_user("edith", "Editor")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)
