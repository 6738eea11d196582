"""Issue 12, item 8: an organisation that pays outcomes without a commitment row is an
outcome payer everywhere: the case page, its own page, the facet and the filter."""

from __future__ import annotations

import pytest

from cases.models import OutcomePayment, OutcomePaymentCommitment
from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_payer_named_only_in_outcome_payments_is_an_outcome_payer(client):
    project = ProjectFactory(name="Payments only bond")
    payer = OrganisationFactory(name="Council that only pays")
    OutcomePayment.objects.create(
        project=project, position=0, payer=payer, payer_ref=payer.indigo_id
    )
    case = client.get(project.get_absolute_url()).content.decode()
    assert "Council that only pays" in case and "named in outcome payments" in case
    page = client.get(payer.get_absolute_url()).content.decode()
    assert "Payments only bond" in page
    listing = client.get("/cases/", {"outcome_payer": payer.indigo_id})
    assert [p.indigo_id for p in listing.context["rows"]] == [project.indigo_id]
    facet = next(f for f in listing.context["facets"] if f.name == "outcome_payer")
    assert {v.value: v.count for v in facet.values}[payer.indigo_id] == 1
    # Named in both tables, the project still counts once.
    OutcomePaymentCommitment.objects.create(project=project, position=0, organisation=payer)
    listing = client.get("/cases/")
    facet = next(f for f in listing.context["facets"] if f.name == "outcome_payer")
    assert {v.value: v.count for v in facet.values}[payer.indigo_id] == 1


def test_a_payer_missing_from_the_snapshot_is_named_on_the_case_page(client, indigo_2025):
    # INDIGO-ORG-1155 pays outcomes in INDIGO-POJ-0192 without a commitment row, and is not
    # in organisations.csv: named by its id, "not in the dataset".
    page = client.get("/cases/INDIGO-POJ-0192/").content.decode()
    assert "INDIGO-ORG-1155" in page
