"""Hole 1 of the security review: a Curator could make itself superuser and set the
superuser's password. Curators may grant and revoke the Editor role of plain accounts and
nothing else; every account change is logged with who made it."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import Group, Permission, User

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _security_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "golab.security"]


def _everything(user: User) -> dict[str, str]:
    """A change-form post that sets every flag a full user form has."""
    return {
        "username": user.username,
        "email": "attacker@example.org",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [str(g.pk) for g in Group.objects.all()],
        "user_permissions": [str(p.pk) for p in Permission.objects.all()[:50]],
        "editor": "on",
        "date_joined_0": "2020-01-01",
        "date_joined_1": "00:00:00",
    }


def test_a_curator_cannot_make_itself_superuser(client, curator):
    client.force_login(curator)
    response = client.post(f"/admin/auth/user/{curator.pk}/change/", _everything(curator))
    assert response.status_code == 403
    curator.refresh_from_db()
    assert not curator.is_superuser
    assert set(curator.groups.values_list("name", flat=True)) == {"Curator"}
    assert not curator.user_permissions.exists()


def test_a_curator_cannot_set_another_accounts_password_nor_log_in_as_the_superuser(
    client, curator, superuser, editor
):
    client.force_login(curator)
    for target in (superuser, editor):
        url = f"/admin/auth/user/{target.pk}/password/"
        assert client.get(url).status_code == 403
        posted = {"password1": "new secret password 42", "password2": "new secret password 42"}
        assert client.post(url, posted).status_code == 403
        target.refresh_from_db()
        assert target.check_password(PASSWORD)
    client.logout()
    client.post("/admin/login/", {"username": "root", "password": "new secret password 42"})
    assert "_auth_user_id" not in client.session


def test_a_curator_cannot_change_superusers_or_curators_or_add_or_delete_accounts(
    client, curator, superuser
):
    other_curator = make_user("cora", "Curator")
    client.force_login(curator)
    for target in (superuser, other_curator):
        response = client.post(f"/admin/auth/user/{target.pk}/change/", _everything(target))
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.email == f"{target.username}@example.org"
    other_curator.refresh_from_db()
    assert set(other_curator.groups.values_list("name", flat=True)) == {"Curator"}
    assert client.get("/admin/auth/user/add/").status_code == 403
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "mallory", "password1": "x" * 20, "password2": "x" * 20},
    )
    assert response.status_code == 403 and not User.objects.filter(username="mallory").exists()
    response = client.post(f"/admin/auth/user/{other_curator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and User.objects.filter(pk=other_curator.pk).exists()
    assert not Group.objects.get(name="Curator").permissions.filter(codename="add_user").exists()


def test_a_curator_grants_and_revokes_the_editor_role_and_nothing_else_and_it_is_logged(
    client, curator, caplog
):
    caplog.set_level(logging.INFO, logger="golab.security")
    plain = make_user("pat")
    client.force_login(curator)
    form = client.get(f"/admin/auth/user/{plain.pk}/change/")
    assert form.status_code == 200
    assert set(form.context["adminform"].form.fields) == {"editor"}

    response = client.post(f"/admin/auth/user/{plain.pk}/change/", _everything(plain))
    assert response.status_code == 302
    plain.refresh_from_db()
    assert set(plain.groups.values_list("name", flat=True)) == {"Editor"}
    assert (plain.is_superuser, plain.email) == (False, "pat@example.org")
    assert not plain.user_permissions.exists()
    assert f"groups of pat (#{plain.pk}): added Editor by curt" in _security_log(caplog)

    response = client.post(f"/admin/auth/user/{plain.pk}/change/", {"username": "pat"})
    assert response.status_code == 302
    assert not plain.groups.exists()
    assert f"groups of pat (#{plain.pk}): removed Editor by curt" in _security_log(caplog)


def test_every_account_change_by_a_superuser_is_logged_with_who_made_it(client, superuser, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    client.force_login(superuser)
    password = "a long new password 7"
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newbie",
            "password1": password,
            "password2": password,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    log = _security_log(caplog)
    assert any(m.startswith(f"account created newbie (#{newbie.pk})") and m.endswith("by root")
               for m in log)  # fmt: skip

    response = client.post(
        f"/admin/auth/user/{newbie.pk}/password/",
        {"password1": "another long password 8", "password2": "another long password 8"},
    )
    assert response.status_code == 302
    assert f"account changed newbie (#{newbie.pk}): password changed by root" in _security_log(
        caplog
    )

    newbie.refresh_from_db()
    newbie.is_superuser = True  # outside any request: the process is named
    newbie.save()
    assert (
        f"account changed newbie (#{newbie.pk}): is_superuser: False → True "
        "by system (no signed-in user)" in _security_log(caplog)
    )
    newbie.user_permissions.add(Permission.objects.get(codename="publish_project"))
    assert any("permissions of newbie" in m and "cases.publish_project" in m
               for m in _security_log(caplog))  # fmt: skip
    newbie.delete()
    assert any(m.startswith("account deleted newbie") for m in _security_log(caplog))


def test_a_curator_can_neither_change_a_group_nor_read_the_login_records(client, curator):
    client.force_login(curator)
    editors = Group.objects.get(name="Editor")
    before = set(editors.permissions.values_list("pk", flat=True))
    response = client.post(
        f"/admin/auth/group/{editors.pk}/change/",
        {"name": "Editor", "permissions": [str(p.pk) for p in Permission.objects.all()]},
    )
    assert response.status_code == 403
    assert set(editors.permissions.values_list("pk", flat=True)) == before
    for url in (
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
    ):
        assert client.get(url).status_code in (403, 404), url


def test_a_login_costs_the_account_log_no_query(client, curator, django_assert_num_queries):
    from django.contrib.auth.models import update_last_login

    # What a login saves (last_login only): 1 UPDATE, no read of the account for the log.
    with django_assert_num_queries(1):
        update_last_login(None, curator)
