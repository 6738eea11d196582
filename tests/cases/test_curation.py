"""Curators in the admin: roles, the publication workflow, history and restore, imports,
sanitised rich text and login throttling. All through the test client, as a browser would.
On factory-made records, except the data-quality report and the project form of a real
project with all its rows (the 2025-05 snapshot)."""

from __future__ import annotations

import logging

import pytest

from cases.models import Organisation, PolicySector, Project, Stage
from common.models import PublicationStatus, StatusChange
from tests.conftest import PASSWORD
from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def payer() -> Organisation:
    """The outcome payer that new projects in these tests name."""
    return OrganisationFactory(indigo_id="INDIGO-ORG-0008", name="Ministry of Justice")


def form_data(response) -> dict[str, str]:
    """The POST data a browser would send back for an admin change form as rendered."""
    data: dict[str, object] = {}

    def add(form):
        for _name, bound in form._bound_items() if hasattr(form, "_bound_items") else []:
            value = bound.value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
                continue
            data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for _name, bound in formset.management_form._bound_items():
            data[bound.html_name] = bound.value()
        for form in formset.forms:
            add(form)
    return {k: ("" if v is None else v) for k, v in data.items()}


def _new_project_data(client, **overrides) -> dict[str, str]:
    data = form_data(client.get("/admin/cases/project/add/"))
    data.update(
        {
            "name": "Curated Zephyr Bond",
            "stage": Stage.IMPLEMENTATION,
            "policy_sector": PolicySector.HOMELESSNESS,
            "service_start": "2024-05",
            "summary": "<p>A bond made in the admin.</p>",
            "capital_currency": "GBP",
            "capital_amount": "1000000",
            "outcome_payment_commitments-TOTAL_FORMS": "1",
            "outcome_payment_commitments-0-organisation": str(
                Organisation.objects.get(indigo_id="INDIGO-ORG-0008").pk
            ),
            "outcome_payment_commitments-0-role_category": "Government/Public Sector/Public Bank",
            "delivery_locations-TOTAL_FORMS": "1",
            "delivery_locations-0-name": "Leeds",
            "delivery_locations-0-country": "GB",
            "outcome_metrics-TOTAL_FORMS": "1",
            "outcome_metrics-0-local_id": "outcomemetric1",
            "outcome_metrics-0-definition": "Sustained tenancy for 6 months",
            "outcome_metrics-0-service_users_targeted": "200",
        }
    )
    data.update(overrides)
    return data


def _transition(client, project: Project, status: str, comment: str = ""):
    return client.post(
        f"/admin/cases/project/{project.pk}/transition/", {"to_status": status, "comment": comment}
    )


def test_editor_drafts_and_submits_curator_publishes(client, payer, editor, curator):
    ProjectFactory(indigo_id="INDIGO-POJ-0345")  # the highest id so far
    client.force_login(editor)
    response = client.post("/admin/cases/project/add/", _new_project_data(client))
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="Curated Zephyr Bond")
    assert project.status == PublicationStatus.DRAFT
    assert project.indigo_id == "INDIGO-POJ-0346"  # the next free id in INDIGO's scheme
    assert project.outcome_payment_commitments.get().organisation_ref == "INDIGO-ORG-0008"
    assert project.outcome_metrics.count() == 1 and project.launch_year == 2024
    assert client.get("/cases/", {"q": "Zephyr"}).context["page"].paginator.count == 0

    assert _transition(client, project, PublicationStatus.IN_REVIEW, "ready").status_code == 302
    project.refresh_from_db()
    assert project.status == PublicationStatus.IN_REVIEW

    assert _transition(client, project, PublicationStatus.PUBLISHED).status_code == 403
    project.refresh_from_db()
    assert project.status == PublicationStatus.IN_REVIEW
    # nor can an editor edit it once it left draft
    response = client.post(f"/admin/cases/project/{project.pk}/change/", {"name": "Hijacked"})
    assert response.status_code == 403

    client.force_login(curator)
    assert _transition(client, project, PublicationStatus.PUBLISHED, "checked").status_code == 302
    project.refresh_from_db()
    assert project.status == PublicationStatus.PUBLISHED
    steps = list(StatusChange.objects.filter(object_id=project.pk).order_by("at", "pk"))
    assert [(s.from_status, s.to_status, s.user.username, s.comment) for s in steps] == [
        ("draft", "in_review", "edith", "ready"),
        ("in_review", "published", "curt", "checked"),
    ]
    response = client.get("/cases/", {"q": "Zephyr"})
    assert [p.indigo_id for p in response.context["rows"]] == ["INDIGO-POJ-0346"]


def test_publishing_without_a_policy_sector_is_refused_naming_it(client, payer, curator):
    client.force_login(curator)
    client.post("/admin/cases/project/add/", _new_project_data(client, policy_sector=""))
    project = Project.objects.get(name="Curated Zephyr Bond")
    response = _transition(client, project, PublicationStatus.PUBLISHED)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Cannot publish: missing policy sector." in page
    project.refresh_from_db()
    assert project.status == PublicationStatus.DRAFT


def test_restoring_a_version_brings_back_the_old_value_and_the_log_shows_both(
    client, payer, curator
):
    client.force_login(curator)
    client.post("/admin/cases/project/add/", _new_project_data(client))
    project = Project.objects.get(name="Curated Zephyr Bond")
    _transition(client, project, PublicationStatus.PUBLISHED)
    url = f"/admin/cases/project/{project.pk}/change/"

    data = form_data(client.get(url))
    data["capital_amount"] = "2500000"
    assert client.post(url, data).status_code == 302
    assert "GBP 2,500,000" in client.get(project.get_absolute_url()).content.decode()

    history = client.get(f"/admin/cases/project/{project.pk}/history/")
    assert history.status_code == 200
    previous = project.history.filter(capital_amount=1_000_000).order_by("-history_date").first()
    version_url = f"/admin/cases/project/{project.pk}/history/{previous.history_id}/"
    restore = client.post(version_url, form_data(client.get(version_url)))
    assert restore.status_code == 302
    project.refresh_from_db()
    assert project.capital_amount == 1_000_000
    assert project.status == PublicationStatus.PUBLISHED  # restoring never touches the status

    page = client.get(project.get_absolute_url()).content.decode()
    assert "GBP 1,000,000" in page and "GBP 2,500,000" not in page
    log = page[page.index('id="changes-heading"') :]
    assert log.count("changed from") == 2
    assert "from “1,000,000” to “2,500,000”" in log and "from “2,500,000” to “1,000,000”" in log
    assert "curt" not in log  # no editors' names


def test_soft_delete_and_restore(client, curator):
    client.force_login(curator)
    project = ProjectFactory()
    response = client.post(f"/admin/cases/project/{project.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.deleted_at is not None and Project.objects.filter(pk=project.pk).exists()
    assert client.get(project.get_absolute_url()).status_code == 404
    chosen = {"action": "restore_deleted", "_selected_action": [project.pk]}
    response = client.post("/admin/cases/project/?deleted=yes", chosen)
    # A restore says what it will do and needs an explicit yes.
    assert response.status_code == 200
    assert "Yes, restore 1 project" in response.content.decode()
    project.refresh_from_db()
    assert project.deleted_at is not None
    response = client.post("/admin/cases/project/?deleted=yes", {**chosen, "confirm": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.deleted_at is None
    assert client.get(project.get_absolute_url()).status_code == 200


def test_editors_cannot_delete_or_import(client, editor):
    client.force_login(editor)
    project = ProjectFactory()
    assert (
        client.post(f"/admin/cases/project/{project.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/cases/importrun/import/").status_code == 403
    assert client.get("/admin/cases/project/data-quality/").status_code == 403


MALICIOUS = (
    '<p>Intro<script>alert("x")</script><img src=x onerror="alert(1)">'
    '<a href="javascript:alert(2)">click</a> <a href="https://example.org">ok</a></p>'
)


def test_rich_text_is_inert_on_the_public_page_and_in_the_admin(client, payer, curator):
    client.force_login(curator)
    client.post("/admin/cases/project/add/", _new_project_data(client, summary=MALICIOUS))
    project = Project.objects.get(name="Curated Zephyr Bond")
    assert "<script" not in project.summary and "onerror" not in project.summary
    assert "javascript:" not in project.summary and 'href="https://example.org"' in project.summary
    _transition(client, project, PublicationStatus.PUBLISHED)
    # even text written straight into the database is cleaned when shown
    Project.objects.filter(pk=project.pk).update(summary=MALICIOUS)
    page = client.get(project.get_absolute_url()).content.decode()
    body = page[page.index("<main") :]
    assert "<script>alert" not in body and "onerror=" not in body and "javascript:" not in body
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in body
    admin_page = client.get(f"/admin/cases/project/{project.pk}/change/").content.decode()
    assert "<script>alert" not in admin_page and "&lt;script&gt;alert" in admin_page


def test_six_failed_logins_lock_the_account_and_the_lockout_is_logged(client, curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    for _ in range(6):
        response = client.post("/admin/login/", {"username": "curt", "password": "wrong password!"})
    assert response.status_code == 429
    response = client.post("/admin/login/", {"username": "curt", "password": PASSWORD})
    assert response.status_code == 429  # locked out, even with the right password
    assert "_auth_user_id" not in client.session
    messages = [r.getMessage() for r in caplog.records if r.name == "golab.security"]
    assert sum("login failed for curt" in m for m in messages) >= 5
    assert any("lockout of curt" in m for m in messages)


def test_a_good_login_is_logged(client, curator, caplog):
    caplog.set_level(logging.INFO, logger="golab.security")
    response = client.post("/admin/login/?next=/admin/", {"username": "curt", "password": PASSWORD})
    assert response.status_code == 302
    assert any(r.getMessage() == "login curt" for r in caplog.records)


def test_data_quality_report_and_csv(client, indigo_2025, curator):
    client.force_login(curator)
    response = client.get("/admin/cases/project/data-quality/", {"sort": "p2"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 319
    assert [r.p2 for r, _cells in rows] == sorted(r.p2 for r, _cells in rows)
    assert any(r.missing_references for r, _cells in rows)  # INDIGO-ORG-1151 and friends
    # Duplicate metric ids (INDIGO-POJ-0123 uses outcomemetric1-6 twice, 0304 outcomemetric4)
    # and results or prices that name a metric they cannot be attached to.
    problems = response.context["metric_problems"]
    duplicates = {(p.indigo_id, p.detail.split()[0]) for p in problems if "duplicate" in p.problem}
    assert {("INDIGO-POJ-0123", f"outcomemetric{n}") for n in range(1, 7)} <= duplicates
    assert ("INDIGO-POJ-0304", "outcomemetric4") in duplicates
    assert "INDIGO-POJ-0123" in response.content.decode()
    csv = client.get("/admin/cases/project/data-quality/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("INDIGO id,Name,Priority 1 %") and len(lines) == 320
    assert not any(line.split(",")[1].startswith(("=", "+", "@")) for line in lines[1:])


def test_a_curator_links_evidence_from_the_project_page(client, indigo_2025, curator):
    from evidence.models import DocumentProject, DocumentType, EvidenceDocument

    document = EvidenceDocument.objects.create(
        title="Independent evaluation of the Leeds bond",
        document_type=DocumentType.EVALUATION_REPORT,
        status=PublicationStatus.PUBLISHED,
    )
    project = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    client.force_login(curator)
    url = f"/admin/cases/project/{project.pk}/change/"
    data = form_data(client.get(url))
    total = int(data["evidence_links-TOTAL_FORMS"])
    data.update(
        {
            "evidence_links-TOTAL_FORMS": str(total + 1),
            f"evidence_links-{total}-document": str(document.pk),
            f"evidence_links-{total}-relation": "evaluation-of",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert DocumentProject.objects.filter(
        project=project, document=document, from_indigo=False
    ).exists()
    page = client.get(project.get_absolute_url()).content.decode()
    evidence = page[page.index('id="evidence-heading"') :]
    assert evidence.index("Evaluations") < evidence.index(
        "Independent evaluation of the Leeds bond"
    )
