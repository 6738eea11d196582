"""The projects' party flags (cases.parties): the case list's "Not recorded" counts read them,
so they must follow every change of a role row, a location or an organisation's status, and
agree with what the list's ``none`` filter finds."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from cases.models import Organisation, Project, ProjectParty
from cases.parties import conditions, deferred, refresh_party_flags
from common.models import PublicationStatus
from tests.factories import (
    DeliveryLocationFactory,
    InvestmentFactory,
    OrganisationFactory,
    OutcomePaymentCommitmentFactory,
    OutcomePaymentFactory,
    ProjectFactory,
    ServiceProvisionFactory,
)

pytestmark = pytest.mark.django_db

FLAGS = ("has_country", "has_outcome_payer", "has_investor", "has_service_provider")


def flags(project: Project) -> dict[str, bool]:
    project.refresh_from_db(fields=FLAGS)
    return {flag: getattr(project, flag) for flag in FLAGS}


def none_count_and_results(client, facet: str) -> tuple[int, int]:
    """The facet's "Not recorded" count, and how many cases its filter finds."""
    page = client.get("/cases/")
    shown = {v.value: v.count for f in page.context["facets"] if f.name == facet for v in f.values}
    found = client.get("/cases/", {facet: "none"}).context["page"].paginator.count
    return shown.get("none", 0), found


def test_a_new_project_names_no_one():
    assert flags(ProjectFactory()) == dict.fromkeys(FLAGS, False)


def test_each_role_row_and_location_sets_its_flag_and_its_delete_clears_it():
    project = ProjectFactory()
    rows = [
        DeliveryLocationFactory(project=project, country="GB"),
        OutcomePaymentCommitmentFactory(project=project),
        InvestmentFactory(project=project),
        ServiceProvisionFactory(project=project),
    ]
    assert flags(project) == dict.fromkeys(FLAGS, True)
    for row, flag in zip(rows, FLAGS, strict=True):
        row.delete()
        assert flags(project)[flag] is False, flag


def test_an_outcome_payment_names_an_outcome_payer_too():
    project = ProjectFactory()
    payment = OutcomePaymentFactory(project=project, payer=OrganisationFactory())
    assert flags(project)["has_outcome_payer"] is True
    payment.payer = None
    payment.save()
    assert flags(project)["has_outcome_payer"] is False


def test_a_location_without_a_country_is_no_country():
    project = ProjectFactory()
    location = DeliveryLocationFactory(project=project, country="")
    assert flags(project)["has_country"] is False
    location.country = "FR"
    location.save()
    assert flags(project)["has_country"] is True


def test_only_a_published_party_counts_and_its_withdrawal_clears_the_flag():
    project = ProjectFactory()
    draft = OrganisationFactory(status=PublicationStatus.DRAFT)
    InvestmentFactory(project=project, organisation=draft)
    assert flags(project)["has_investor"] is False
    draft.status = PublicationStatus.PUBLISHED
    draft.save()
    assert flags(project)["has_investor"] is True
    draft.status = PublicationStatus.WITHDRAWN
    draft.save(update_fields=["status"])
    assert flags(project)["has_investor"] is False


def test_the_not_recorded_count_agrees_with_the_filter_after_each_change(client):
    named, unnamed = ProjectFactory(), ProjectFactory()
    party = OrganisationFactory()
    row = ServiceProvisionFactory(project=named, organisation=party)
    assert none_count_and_results(client, "service_provider") == (1, 1)
    party.status = PublicationStatus.WITHDRAWN
    party.save()
    assert none_count_and_results(client, "service_provider") == (2, 2)
    party.status = PublicationStatus.PUBLISHED
    party.save()
    ServiceProvisionFactory(project=unnamed, organisation=party)
    assert none_count_and_results(client, "service_provider") == (0, 0)
    row.delete()
    assert none_count_and_results(client, "service_provider") == (1, 1)
    DeliveryLocationFactory(project=named, country="GB")
    assert none_count_and_results(client, "country") == (1, 1)


def test_deferred_changes_wait_for_the_refresh():
    project = ProjectFactory()
    with deferred():
        InvestmentFactory(project=project)
        assert flags(project)["has_investor"] is False
    assert refresh_party_flags() == 1
    assert flags(project)["has_investor"] is True
    assert refresh_party_flags() == 0  # nothing left to change


def test_the_refresh_sets_exactly_what_the_conditions_say():
    projects = [ProjectFactory() for _ in range(4)]
    InvestmentFactory(project=projects[0])
    OutcomePaymentCommitmentFactory(project=projects[1])
    DeliveryLocationFactory(project=projects[2])
    Project.objects.update(**dict.fromkeys(FLAGS, True))  # all wrong but three
    assert refresh_party_flags() == 4 * 4 - 3
    for flag, condition in conditions().items():
        expected = set(Project.objects.filter(condition).values_list("pk", flat=True))
        actual = set(Project.objects.filter(**{flag: True}).values_list("pk", flat=True))
        assert actual == expected, flag


def test_the_migration_fills_the_flags_of_existing_projects():
    located, paid = ProjectFactory(), ProjectFactory()
    DeliveryLocationFactory(project=located)
    OutcomePaymentFactory(project=paid, payer=OrganisationFactory())
    Project.objects.update(**dict.fromkeys(FLAGS, False))  # as before the migration
    migration = importlib.import_module("cases.migrations.0012_party_flags")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.fill_party_flags(apps, editor)
    assert flags(located) == {**dict.fromkeys(FLAGS, False), "has_country": True}
    assert flags(paid) == {**dict.fromkeys(FLAGS, False), "has_outcome_payer": True}


def parties() -> set[tuple[str, str, str]]:
    return set(
        ProjectParty.objects.values_list("role", "project__indigo_id", "organisation__indigo_id")
    )


def org_count_and_results(client, facet: str, org: Organisation) -> tuple[int, int]:
    """The organisation's count in the facet, and how many cases its filter finds."""
    page = client.get("/cases/")
    shown = {v.value: v.count for f in page.context["facets"] if f.name == facet for v in f.values}
    found = client.get("/cases/", {facet: org.indigo_id}).context["page"].paginator.count
    return shown.get(org.indigo_id, 0), found


def test_the_party_rows_follow_role_rows_and_the_organisation_status():
    project = ProjectFactory()
    payer = OrganisationFactory()
    commitment = OutcomePaymentCommitmentFactory(project=project, organisation=payer)
    OutcomePaymentFactory(project=project, payer=payer)  # the same payer twice: one row
    InvestmentFactory(project=project, organisation=payer)
    expected = {
        ("outcome_payer", project.indigo_id, payer.indigo_id),
        ("investor", project.indigo_id, payer.indigo_id),
    }
    assert parties() == expected
    commitment.delete()
    assert parties() == expected  # still named by the outcome payment
    payer.status = PublicationStatus.WITHDRAWN
    payer.save()
    assert parties() == set()
    payer.status = PublicationStatus.PUBLISHED
    payer.save()
    assert parties() == expected


def test_a_draft_party_is_never_a_party_row_nor_in_a_facet(client):
    draft = OrganisationFactory(status=PublicationStatus.DRAFT, name="Secret draft fund")
    InvestmentFactory(organisation=draft)
    refresh_party_flags()
    assert parties() == set()
    assert b"Secret draft fund" not in client.get("/cases/").content


def test_an_organisation_count_agrees_with_its_filter_after_each_change(client):
    investor = OrganisationFactory()
    first, second = ProjectFactory(), ProjectFactory()
    row = InvestmentFactory(project=first, organisation=investor)
    InvestmentFactory(project=first, organisation=investor, position=99)  # twice in a case
    assert org_count_and_results(client, "investor", investor) == (1, 1)
    InvestmentFactory(project=second, organisation=investor)
    assert org_count_and_results(client, "investor", investor) == (2, 2)
    row.delete()
    assert org_count_and_results(client, "investor", investor) == (2, 2)
    second.investments.all().delete()
    assert org_count_and_results(client, "investor", investor) == (1, 1)


def test_the_refresh_takes_project_ids_as_any_iterable():
    """The ids were read twice; a generator was spent by the party rows, so no flag changed."""
    project = ProjectFactory()
    with deferred():
        InvestmentFactory(project=project)
    assert refresh_party_flags(project_ids=(pk for pk in [project.pk])) == 1
    assert flags(project)["has_investor"] is True
