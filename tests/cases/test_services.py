"""Writes the admin calls: the next INDIGO id, taken at save and race-free."""

from __future__ import annotations

import pytest

from cases.models import Organisation, Project
from cases.services import next_indigo_id, save_with_next_indigo_id
from tests.conftest import make_user
from tests.factories import OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_next_id_follows_the_highest_with_no_ceiling():
    ProjectFactory(indigo_id="INDIGO-POJ-0007")
    ProjectFactory(indigo_id="INDIGO-POJ-9999")
    assert next_indigo_id(Project) == "INDIGO-POJ-10000"
    assert next_indigo_id(Organisation) == "INDIGO-ORG-0001"


def test_an_id_taken_by_a_concurrent_save_is_not_reused(monkeypatch):
    from cases import services

    OrganisationFactory(indigo_id="INDIGO-ORG-0041")
    real = services.next_indigo_id
    answers = iter(["INDIGO-ORG-0041"])  # what a save that read the ids just before sees

    def stale_then_real(model):
        return next(answers, None) or real(model)

    monkeypatch.setattr(services, "next_indigo_id", stale_then_real)
    record = Organisation(name="Made here")
    save_with_next_indigo_id(record, record.save)
    assert Organisation.objects.get(name="Made here").indigo_id == "INDIGO-ORG-0042"
    assert Organisation.objects.filter(indigo_id="INDIGO-ORG-0041").count() == 1


def test_organisations_made_in_the_admin_get_the_next_ids(client):
    OrganisationFactory(indigo_id="INDIGO-ORG-0100")
    client.force_login(make_user("edith", "Editor"))
    for name in ("First new", "Second new"):
        posted = {"name": name, "indigo_id": "INDIGO-ORG-0001"}  # a typed id is ignored
        assert client.post("/admin/cases/organisation/add/", posted).status_code == 302
    made = dict(Organisation.objects.filter(name__endswith="new").values_list("name", "indigo_id"))
    assert made == {"First new": "INDIGO-ORG-0101", "Second new": "INDIGO-ORG-0102"}
