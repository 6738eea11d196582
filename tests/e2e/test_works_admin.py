"""An editor merges two works and splits one in a real browser (issue 11)."""

from __future__ import annotations

import pytest

from evidence.models import CitationPin, EvidenceDocument, ProjectSource
from tests.conftest import make_user
from tests.e2e.conftest import admin_login
from tests.factories import EvidenceDocumentFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _work(project, title: str, first: int, times: int) -> EvidenceDocument:
    work = EvidenceDocumentFactory(title=title, key=f"test:{title}", import_baseline={"t": 1})
    ProjectSource.objects.bulk_create(
        ProjectSource(
            project=project,
            position=first + n,
            document=work,
            local_id=f"source{first + n + 1}",
            name=f"{title} (GO Lab, 2020) page {n + 1}",
        )
        for n in range(times)
    )
    return work


def serious_violations(axe, page) -> list[dict]:
    results = axe.run(page).response["violations"]
    return [v for v in results if v["impact"] in ("serious", "critical")]


def test_editor_merges_two_works_then_splits_one(live_server, page, axe):
    make_user("edith", "Editor")
    project = ProjectFactory()
    kept = _work(project, "Final evaluation report", 0, 2)
    twin = _work(project, "Final evaluation report (copy)", 2, 2)
    admin_login(page, live_server.url, "edith")

    page.goto(live_server.url + "/admin/evidence/evidencedocument/")
    for work in (kept, twin):
        page.locator(f"input[name=_selected_action][value='{work.pk}']").check()
    page.locator("select[name=action]").select_option("merge_works_action")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    assert "will become one work" in page.locator("#content-main").inner_text()
    assert serious_violations(axe, page) == []
    page.get_by_label(f"#{kept.pk} Final evaluation report —", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Merge works").click()
    assert "Yes, merge them" in page.locator(".errornote").inner_text()
    assert EvidenceDocument.objects.filter(pk=twin.pk).exists()
    page.get_by_label("Yes, merge them").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Merge works").click()
    assert "Later imports keep this decision" in page.locator(".messagelist").inner_text()
    assert not EvidenceDocument.objects.filter(pk=twin.pk).exists()
    assert ProjectSource.objects.filter(document=kept).count() == 4

    with page.expect_navigation():
        page.get_by_role("link", name="Split citations off into a new work").click()
    assert serious_violations(axe, page) == []
    page.get_by_label("(copy) (GO Lab, 2020) page 1", exact=False).check()
    page.get_by_label("(copy) (GO Lab, 2020) page 2", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Split into a new work").click()
    assert "Split 2 citation(s) off" in page.locator(".messagelist").inner_text()
    assert ProjectSource.objects.filter(document=kept).count() == 2
    new = EvidenceDocument.objects.exclude(pk=kept.pk).get()
    assert ProjectSource.objects.filter(document=new).count() == 2
    assert "copy" in new.title
    assert CitationPin.objects.filter(document=new).count() == 2
