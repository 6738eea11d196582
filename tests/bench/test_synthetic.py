"""generate_synthetic: INDIGO-shaped, published, derived columns as the import computes them,
searchable, and the same data for the same seed."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from cases.models import Organisation, Project
from cases.roles import ROLES
from cases.search import PROJECTS
from cases.services import refresh_derived_fields
from evidence.models import DocumentProject, EvidenceDocument, ProjectSource
from evidence.search import DOCUMENTS
from evidence.services import refresh_evaluation_flags
from golab.synthetic import generate
from tests.factories import EvidenceDocumentFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DERIVED = ("launch_year", "capital_raised_usd", "has_results", "search_text", "has_evaluation")


def snapshot() -> tuple[list, list]:
    projects = list(Project.objects.order_by("pk").values_list("name", "stage", "policy_sector"))
    titles = list(EvidenceDocument.objects.order_by("pk").values_list("title", "abstract"))
    return projects, titles


def test_projects_are_published_and_shaped_like_indigo(capsys):
    call_command("generate_synthetic", projects=60, documents=40, seed=5)
    assert "Wrote 60 projects" in capsys.readouterr().out
    assert Project.objects.published().count() == 60
    assert EvidenceDocument.objects.published().count() == 40
    for project in Project.objects.prefetch_related(
        "outcome_metrics", "outcome_pricings", *(role.related for role in ROLES)
    ):
        roles = sum(len(getattr(project, role.related).all()) for role in ROLES)
        assert 3 <= roles <= 10
        assert 2 <= len(project.outcome_metrics.all()) == len(project.outcome_pricings.all()) <= 8
    # Organisations are shared: some take part in many projects.
    shared = Counter(
        Project.objects.filter(investments__organisation__isnull=False).values_list(
            "investments__organisation", flat=True
        )
    )
    assert shared.most_common(1)[0][1] >= 3
    assert Organisation.objects.count() < 60
    # Every document is cited by a project, through its sources and a link.
    assert not EvidenceDocument.objects.filter(project_sources__isnull=True).exists()
    assert DocumentProject.objects.count() == ProjectSource.objects.count()


def test_derived_columns_are_what_the_import_would_compute():
    generate(projects=40, documents=30, seed=9)
    before = list(Project.objects.order_by("pk").values_list(*DERIVED))
    assert any(row[3] for row in before)  # search_text
    refresh_derived_fields()
    refresh_evaluation_flags()
    assert list(Project.objects.order_by("pk").values_list(*DERIVED)) == before


def test_full_text_indexes_are_filled():
    generate(projects=30, documents=30, seed=2)
    document = EvidenceDocument.objects.order_by("pk").first()
    word = document.text.split()[40].strip(".").lower()
    assert document in DOCUMENTS.search(EvidenceDocument.objects.all(), word)
    project = Project.objects.order_by("pk").first()
    assert project in PROJECTS.search(Project.objects.all(), project.name.split()[-1])


def test_same_seed_same_data():
    generate(projects=20, documents=10, seed=4)
    first = snapshot()
    Project.objects.all().delete()
    EvidenceDocument.objects.all().delete()
    Organisation.objects.all().delete()
    generate(projects=20, documents=10, seed=4)
    assert snapshot() == first
    Project.objects.all().delete()
    EvidenceDocument.objects.all().delete()
    generate(projects=20, documents=10, seed=5)
    assert snapshot() != first


def test_search_indexes_keep_up_with_later_rows():
    """The run builds the indexes once at the end (SQLite's triggers dropped, then made again):
    rows written after it are indexed as ever."""
    generate(projects=5, documents=5, seed=3)
    project = ProjectFactory(name="Zanzibarian lighthouse keepers")
    document = EvidenceDocumentFactory(title="Quixotic lighthouse review")
    assert project in PROJECTS.search(Project.objects.all(), "zanzibarian")
    assert document in DOCUMENTS.search(EvidenceDocument.objects.all(), "quixotic")
