"""A curator at work in a real browser: log in, edit a project, publish it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from cases.models import Project
from common.models import PublicationStatus
from golab.indigo import import_snapshot
from tests.conftest import ensure_roles, subset_snapshot
from tests.e2e.conftest import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple 9"


@pytest.fixture
def draft(tmp_path) -> Project:
    assert import_snapshot(subset_snapshot(tmp_path / "s", {"INDIGO-POJ-0153"}), run_by="e2e").ok
    Project.objects.filter(indigo_id="INDIGO-POJ-0153").update(status=PublicationStatus.DRAFT)
    user = User.objects.create_user("curt", "curt@example.org", PASSWORD, is_staff=True)
    ensure_roles()  # an earlier transactional test's flush may have emptied the groups
    user.groups.add(Group.objects.get(name="Curator"))
    return Project.objects.get(indigo_id="INDIGO-POJ-0153")


def serious_violations(axe, page) -> list[dict]:
    results = axe.run(page).response["violations"]
    return [v for v in results if v["impact"] in ("serious", "critical")]


def test_curator_logs_in_edits_and_publishes(live_server, page, axe, draft):
    console_errors: list[str] = []
    page.on(
        "console", lambda message: message.type == "error" and console_errors.append(message.text)
    )
    admin_login(page, live_server.url, "curt", PASSWORD)
    assert "/admin/login/" not in page.url and "/second-factor/" not in page.url

    page.goto(f"{live_server.url}/admin/cases/project/{draft.pk}/change/")
    assert page.locator("#workflow-heading").inner_text() == "Publication: Draft"
    assert serious_violations(axe, page) == []

    page.locator("#id_name").fill("HMP Peterborough (edited in the browser)")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert Project.objects.get(pk=draft.pk).name == "HMP Peterborough (edited in the browser)"

    page.get_by_label("Comment (optional)").fill("Checked against the sources")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert "is now published" in page.locator(".messagelist").inner_text()
    assert Project.objects.get(pk=draft.pk).status == PublicationStatus.PUBLISHED
    assert page.locator("#workflow-heading").inner_text() == "Publication: Published"

    page.goto(live_server.url + draft.get_absolute_url())
    assert page.locator("h1").inner_text() == "HMP Peterborough (edited in the browser)"
    assert not [e for e in console_errors if "Content Security Policy" in e]
