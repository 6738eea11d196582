"""Holes 3 and 7 of the security review: Editors could publish and withdraw organisations and
funds (a plain status field on their forms) and edit them while published; a non-numeric id
in the workflow URL gave a 500."""

from __future__ import annotations

import pytest

from cases.models import Organisation, OutcomeFund
from common.models import PublicationStatus, StatusChange
from tests.factories import OrganisationFactory, OutcomeFundFactory

pytestmark = pytest.mark.django_db
RECORDS = [
    ("organisation", Organisation, OrganisationFactory),
    ("outcomefund", OutcomeFund, OutcomeFundFactory),
]


@pytest.mark.parametrize(("name", "model", "factory"), RECORDS)
def test_an_editor_cannot_publish_withdraw_or_edit_a_published_record(
    client, editor, name, model, factory
):
    client.force_login(editor)
    published = factory(name="Published name")
    url = f"/admin/cases/{name}/{published.pk}/"
    # No status field on the add form; a posted status is ignored: new records are drafts.
    add = client.get(f"/admin/cases/{name}/add/")
    assert add.status_code == 200 and "status" not in add.context["adminform"].form.fields
    response = client.post(
        f"/admin/cases/{name}/add/", {"name": "Made by an editor", "status": "published"}
    )
    assert response.status_code == 302
    made = model.objects.get(name="Made by an editor")
    assert made.status == PublicationStatus.DRAFT
    # Editing a published record, and withdrawing it, are a curator's.
    response = client.post(f"{url}change/", {"name": "Renamed", "status": "withdrawn"})
    assert response.status_code == 403
    response = client.post(f"{url}transition/", {"to_status": "withdrawn"})
    assert response.status_code == 403
    response = client.post(f"/admin/cases/{name}/{made.pk}/transition/", {"to_status": "published"})
    assert response.status_code == 403
    published.refresh_from_db()
    made.refresh_from_db()
    assert (published.name, published.status) == ("Published name", PublicationStatus.PUBLISHED)
    assert made.status == PublicationStatus.DRAFT
    assert not StatusChange.objects.exists()


@pytest.mark.parametrize(("name", "model", "factory"), RECORDS)
def test_a_curator_publishes_and_withdraws_through_the_workflow_with_a_record(
    client, curator, name, model, factory
):
    client.force_login(curator)
    draft = factory(status=PublicationStatus.DRAFT)
    page = client.get(f"/admin/cases/{name}/{draft.pk}/change/")
    assert "published" in dict(page.context["workflow_actions"])
    for target in ("published", "withdrawn"):
        response = client.post(
            f"/admin/cases/{name}/{draft.pk}/transition/", {"to_status": target, "comment": "ok"}
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == target
    steps = StatusChange.objects.filter(object_id=draft.pk, content_type__model=name)
    assert [(s.to_status, s.user.username) for s in steps.order_by("pk")] == [
        ("published", "curt"),
        ("withdrawn", "curt"),
    ]


@pytest.mark.parametrize(
    "model",
    ["cases/project", "cases/organisation", "cases/outcomefund", "evidence/evidencedocument"],
)
@pytest.mark.parametrize("object_id", ["abc", "1.5", "%00", "99999999"])
def test_a_bad_id_in_the_workflow_url_is_404(client, curator, model, object_id):
    client.force_login(curator)
    response = client.post(f"/admin/{model}/{object_id}/transition/", {"to_status": "x"})
    assert response.status_code in (400, 404)


def test_a_projects_search_finds_its_party_only_once_the_party_is_published(client, curator):
    from cases.models import Investment
    from cases.services import refresh_derived_fields
    from tests.factories import ProjectFactory

    project = ProjectFactory(name="Tenancy bond")
    party = OrganisationFactory(name="Zanzibarian Social Investors", status="draft")
    Investment.objects.create(project=project, position=0, organisation=party)
    refresh_derived_fields(project_ids=[project.pk])

    def found() -> list[str]:
        response = client.get("/cases/", {"q": "zanzibarian"})
        return [row.indigo_id for row in response.context["rows"]]

    assert found() == []
    assert "Zanzibarian" not in client.get(project.get_absolute_url()).content.decode()
    client.force_login(curator)
    response = client.post(
        f"/admin/cases/organisation/{party.pk}/transition/", {"to_status": "published"}
    )
    assert response.status_code == 302
    client.logout()
    assert found() == [project.indigo_id]
    assert "Zanzibarian" in client.get(project.get_absolute_url()).content.decode()


def test_publishing_a_linked_evaluation_sets_has_evaluation_at_once(client, curator):
    """It went stale until the next import: the flag follows the evidence workflow now."""
    from tests.factories import DocumentProjectFactory

    link = DocumentProjectFactory(document__status="draft")
    project = link.project
    assert not project.has_evaluation
    client.force_login(curator)
    url = f"/admin/evidence/evidencedocument/{link.document.pk}/transition/"
    assert client.post(url, {"to_status": "published"}).status_code == 302
    project.refresh_from_db()
    assert project.has_evaluation
    assert client.get("/cases/", {"has_evaluation": "yes"}).context["page"].paginator.count == 1
    assert client.post(url, {"to_status": "withdrawn"}).status_code == 302
    project.refresh_from_db()
    assert not project.has_evaluation


def test_unlinking_an_evaluation_in_the_document_admin_clears_has_evaluation(client, curator):
    from evidence.models import DocumentProject
    from evidence.services import refresh_evaluation_flags
    from tests.cases.test_curation import form_data
    from tests.factories import DocumentProjectFactory

    link = DocumentProjectFactory()
    refresh_evaluation_flags()
    project = link.project
    project.refresh_from_db()
    assert project.has_evaluation
    client.force_login(curator)
    url = f"/admin/evidence/evidencedocument/{link.document.pk}/change/"
    data = form_data(client.get(url))
    data.pop("file", None)  # no file: a browser sends none
    prefix = next(k for k in data if k.endswith("-0-id") and str(data[k]) == str(link.pk))
    data[prefix.replace("-id", "-DELETE")] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not DocumentProject.objects.filter(pk=link.pk).exists()
    project.refresh_from_db()
    assert not project.has_evaluation
