"""A soft-deleted project is private like a draft: hole 4 of the security review."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Stage
from tests.factories import DocumentProjectFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_soft_deleted_project_is_not_named_on_its_evaluation_nor_counted_in_the_facet(client):
    link = DocumentProjectFactory(
        project__name="Deleted bond canarydeleted", project__stage=Stage.COMPLETE
    )
    DocumentProjectFactory(document=link.document, project=ProjectFactory(name="Kept bond"))
    project = link.project
    before = client.get(f"/evidence/{link.document.pk}/").content.decode()
    assert "canarydeleted" in before  # published: shown

    project.deleted_at = timezone.now()
    project.save(update_fields=["deleted_at"])

    page = client.get(f"/evidence/{link.document.pk}/").content.decode()
    assert "Kept bond" in page
    assert "canarydeleted" not in page and project.indigo_id not in page
    listing = client.get("/evidence/", {"project_stage": Stage.COMPLETE})
    assert listing.status_code == 200
    assert listing.context["page"].paginator.count == 0
    stage_facet = next(f for f in listing.context["facets"] if f.name == "project_stage")
    counts = {v.value: v.count for v in stage_facet.values}
    assert counts.get(Stage.COMPLETE, 0) == 0
    assert counts[Stage.IMPLEMENTATION] == 1
