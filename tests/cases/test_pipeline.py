"""The pipeline (projects in development, INDIGO's pipelines.csv): import, export, the public
list and detail pages, and the links to them. Facet counts are checked against the file
itself, read here with the csv module; views that need no real data use factories."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.indigo.reading import Snapshot
from cases.models import Pipeline, PipelineSector, PipelineStage, PolicySector
from common.models import PublicationStatus
from golab.indigo import import_snapshot, skipped_files
from tests.conftest import SNAPSHOT_2025
from tests.factories import DeliveryLocationFactory, PipelineFactory, ProjectFactory
from tests.golab.test_draft_canary import facet_counts

pytestmark = pytest.mark.django_db

PIPELINES = SNAPSHOT_2025 / "pipelines.csv"
RESULT_LINK = re.compile(r'<a href="/pipeline/(INDIGO-PL-\d+)/">')
STAGE = "Stage of Development - (Value)"
COUNTRY = "Delivery Locations - Country"
SECTOR_COLUMNS = {
    PipelineSector.EMPLOYMENT: "Employment and private sector development",
    PipelineSector.EDUCATION: "Education",
    PipelineSector.SOCIAL_PROTECTION: "Social protection",
    PipelineSector.CRIMINAL_JUSTICE: "Criminal justice",
    PipelineSector.HEALTH: "Health",
    PipelineSector.AGRICULTURE: "Agriculture",
    PipelineSector.ENVIRONMENT: "Environment and climate change",
    PipelineSector.WASH: "Water, Sanitation and Hygiene",
    PipelineSector.ENERGY: "Energy",
    PipelineSector.HUMANITARIAN: "Humanitarian",
    PipelineSector.EARLY_CHILDHOOD: "Early Childhood Education",
}


def _rows(path=PIPELINES) -> tuple[list[str], list[list[str]]]:
    """The file as the csv module reads it: a header with its repeated names, and rows."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def _write(path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def _expected_facets() -> dict[tuple[str, str], str]:
    header, rows = _rows()
    at = {name: header.index(name) for name in (STAGE, COUNTRY)}
    stages = {label: value for value, label in PipelineStage.choices}
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        stage = row[at[STAGE]].strip()
        counts["stage", stages[stage] if stage else "none"] += 1
        codes = {c.strip() for c in row[at[COUNTRY]].split(",") if c.strip()}
        for code in codes:
            counts["country", code] += 1
        if not codes:
            counts["country", "none"] += 1
        sectors = [
            value
            for value, name in SECTOR_COLUMNS.items()
            if row[header.index(f"Purpose and classifications - Policy sector - {name} - (Value)")]
            .strip()
            .casefold()
            == "yes"
        ]
        for value in sectors or ["none"]:
            counts["policy_area", value] += 1
    return {key: f"{n:,}" for key, n in counts.items()}


# --- the real 2025-05 snapshot --------------------------------------------------------------


def test_pipeline_lists_every_project_and_facets_count_as_the_file_does(client, indigo_2025):
    _header, rows = _rows()

    response = client.get("/pipeline/", {"per_page": 100})

    html = response.content.decode()
    assert response.status_code == 200
    assert len(rows) == 132
    assert f"{len(rows)} projects in development" in html
    shown = {
        key: n
        for key, n in facet_counts(html).items()
        if key[0] in {"stage", "country", "policy_area"}
    }
    expected = _expected_facets()
    assert shown == expected
    assert expected["stage", "early-stage"] == "59" and expected["country", "IN"] == "19"


def test_a_facet_value_lists_as_many_projects_as_its_count(client, indigo_2025):
    counts = _expected_facets()

    for key in [("country", "KE"), ("policy_area", "wash"), ("stage", "scoping")]:
        response = client.get("/pipeline/", {key[0]: key[1], "per_page": 100})
        assert len(set(RESULT_LINK.findall(response.content.decode()))) == int(counts[key]), key


def test_a_second_import_of_pipelines_changes_nothing(indigo_2025, tmp_path):
    shutil.copy(PIPELINES, tmp_path / "pipelines.csv")
    before = list(Pipeline.objects.values_list("pk", "updated_at", "import_baseline"))

    result = import_snapshot(tmp_path, run_by="tests", partial=True)

    assert result.ok and result.applied
    assert result.counts["pipelines.csv"].as_dict() == {
        "created": 0, "updated": 0, "unchanged": 132, "withdrawn": 0, "deleted": 0,
    }  # fmt: skip
    assert result.changes() == 0
    assert list(Pipeline.objects.values_list("pk", "updated_at", "import_baseline")) == before


def test_imported_values_are_typed_and_kept_as_written(indigo_2025):
    mozambique = Pipeline.objects.get(indigo_id="INDIGO-PL-0026")
    assert mozambique.stage == PipelineStage.EARLY
    assert mozambique.sector_employment is True and mozambique.sector_health is False
    assert mozambique.countries == "MZ"
    # "TBD" is no number: kept as written, the number left empty.
    assert mozambique.service_users_targeted is None
    assert mozambique.service_users_targeted_text == "TBD"
    header, rows = _rows()
    listed = sum(1 for row in rows if "," in row[header.index(COUNTRY)])
    assert listed > 10
    assert Pipeline.objects.filter(countries__contains=",").count() == listed
    kenya = Pipeline.objects.get(countries="KE,TZ,UG")
    assert kenya.countries_text == ""  # written back as "KE, TZ, UG"
    assert Pipeline.objects.filter(expected_launch_year=2023).count() > 0


def test_a_bad_cell_is_reported_with_file_row_and_column_and_changes_nothing(indigo_2025, tmp_path):
    header, rows = _rows()
    notes = [i for i, name in enumerate(header) if name == "(Notes)"]
    rows[4][header.index(STAGE)] = "Half way"
    rows[9][notes[2]] = "a \x00 byte"
    _write(tmp_path / "pipelines.csv", header, rows)
    before = list(Pipeline.objects.order_by("pk").values_list("indigo_id", "stage", "updated_at"))

    result = import_snapshot(tmp_path, run_by="tests", partial=True)

    assert not result.ok and not result.applied
    messages = [str(problem) for problem in result.errors]
    assert messages[0].startswith(f"pipelines.csv:6:{STAGE}: 'Half way' is not a known value")
    # A repeated header is named with its place and the section it belongs to.
    assert messages[1] == (
        "pipelines.csv:11:(Notes) (column 35: Key challenges to launch): "
        "cell contains a NUL character"
    )
    after = list(Pipeline.objects.order_by("pk").values_list("indigo_id", "stage", "updated_at"))
    assert after == before


def test_an_older_snapshot_without_the_newer_column_imports(db, tmp_path):
    header, rows = _rows()
    drop = header.index(
        "Purpose and classifications - Policy sector - Early Childhood Education - (Value)"
    )
    _write(
        tmp_path / "pipelines.csv",
        [h for i, h in enumerate(header) if i != drop],
        [[c for i, c in enumerate(row) if i != drop] for row in rows[:3]],
    )

    result = import_snapshot(tmp_path, run_by="tests", partial=True)

    assert result.ok, result.errors[:3]
    assert result.counts["pipelines.csv"].created == 3
    assert not Pipeline.objects.filter(sector_early_childhood__isnull=False).exists()


def test_outcome_funds_csv_is_reported_as_a_copy_of_funds_csv(tmp_path):
    shutil.copy(SNAPSHOT_2025 / "funds.csv", tmp_path / "funds.csv")
    shutil.copy(SNAPSHOT_2025 / "funds.csv", tmp_path / "outcome-funds.csv")
    (tmp_path / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    skipped = skipped_files(Snapshot(tmp_path))

    assert skipped == {
        "other.csv": "not an INDIGO table this site imports",
        "outcome-funds.csv": "a copy of funds.csv, whose funds are imported",
    }
    (tmp_path / "outcome-funds.csv").write_text("ID\nINDIGO-FUND-0001\n", encoding="utf-8")
    assert "differs" in skipped_files(Snapshot(tmp_path))["outcome-funds.csv"]


def test_the_command_says_outcome_funds_csv_is_a_copy(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    shutil.copy(SNAPSHOT_2025 / "funds.csv", tmp_path / "funds.csv")
    shutil.copy(SNAPSHOT_2025 / "funds.csv", tmp_path / "outcome-funds.csv")
    out = StringIO()

    call_command("import_indigo", tmp_path, "--partial", "--dry-run", stdout=out)

    assert "outcome-funds.csv: a copy of funds.csv, whose funds are imported" in out.getvalue()
    assert "not an INDIGO table" not in out.getvalue()


# --- factory-made records ---------------------------------------------------------------------


def test_only_published_pipeline_projects_show(client):
    shown = PipelineFactory(name="Shown water project")
    draft = PipelineFactory(name="Draft water project", status=PublicationStatus.DRAFT)
    withdrawn = PipelineFactory(name="Gone water project", status=PublicationStatus.WITHDRAWN)

    listing = client.get("/pipeline/", {"q": "water"}).content.decode()

    assert RESULT_LINK.findall(listing) == [shown.indigo_id]
    assert client.get(shown.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(withdrawn.get_absolute_url()).status_code == 404


def test_detail_page_shows_every_value_readably(client):
    pipeline = PipelineFactory(
        countries="KE,TZ",
        instrument_outcomes_fund=None,
        instrument_outcomes_fund_text="TBD",
        max_outcome_payment_currency="USD",
        max_outcome_payment=5000000,
        instrument_notes="Grant-based incentive payments",
    )

    html = client.get(pipeline.get_absolute_url()).content.decode()

    assert "Kenya, Tanzania" in html
    assert '<dt>Outcomes Fund</dt><dd class="prose">TBD</dd>' in html
    assert '<dt>Impact Bond</dt><dd class="prose">Yes</dd>' in html
    assert "5,000,000" in html
    assert "Grant-based incentive payments" in html
    assert "Early stage" in html and "Q2 - 2026 or later" in html


@pytest.mark.parametrize("n", [2, 25])
def test_list_query_count_does_not_grow_with_rows(client, django_assert_num_queries, n):
    PipelineFactory.create_batch(n)
    # 1 count of the results, 2 the page's rows, 3 the shared facet aggregate (stage,
    # policy area, instrument, state, launch year), 4 the countries of the rows.
    with django_assert_num_queries(4):
        response = client.get("/pipeline/")
    assert response.status_code == 200


def test_detail_query_count(client, django_assert_num_queries):
    pipeline = PipelineFactory()
    # 1 the pipeline project.
    with django_assert_num_queries(1):
        response = client.get(pipeline.get_absolute_url())
    assert response.status_code == 200


def test_policy_area_page_links_to_its_pipeline_with_the_count(client):
    PipelineFactory.create_batch(2)  # health and WASH
    PipelineFactory(sector_health=False, sector_wash=False, sector_education=True)

    html = client.get("/policy-areas/health/").content.decode()

    assert (
        '<a href="/pipeline/?policy_area=health&amp;policy_area=wash">2 projects in development</a>'
        in html
    )
    listing = client.get("/pipeline/?policy_area=health&policy_area=wash").content.decode()
    assert len(RESULT_LINK.findall(listing)) == 2
    assert "in development</a>" not in client.get("/policy-areas/homelessness/").content.decode()


def test_case_list_filtered_by_country_links_to_the_pipeline_there(client):
    project = ProjectFactory()
    DeliveryLocationFactory(project=project, country="KE")

    listing = client.get("/cases/", {"country": "KE"}).content.decode()
    several = client.get("/cases/", {"country": ["KE", "UG", "none"]}).content.decode()
    unfiltered = client.get("/cases/").content.decode()

    assert 'href="/pipeline/?country=KE"' in listing
    assert 'href="/pipeline/?country=KE&amp;country=UG"' in several
    assert "/pipeline/?" not in unfiltered


def test_nav_links_to_the_pipeline(client):
    assert f'href="{reverse("cases:pipeline-list")}"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "country=%00",
        "country=kenya&country=KE&country=",
        "policy_area=health%27--&instrument=nothing&state=x",
        "stage=none&policy_area=none&country=none&instrument=none",
        "launch_year_min=abc&launch_year_max=99999999999999999999",
        "launch_year_none=yes&launch_year_min=-1",
        "sort=bogus&page=99999&per_page=-5",
        "page=1e9&sort=relevance",
        "q=" + "x" * 500,
        "q=the+a&sort=relevance",
        "%00=1",
    ],
)
def test_odd_query_parameters_never_give_a_server_error(client, query):
    PipelineFactory()

    response = client.get(f"/pipeline/?{query}")

    assert response.status_code in (200, 400)


PARAMETERS = [
    "q", "stage", "state", "country", "policy_area", "instrument", "launch_year_min",
    "launch_year_max", "launch_year_none", "sort", "page", "per_page",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["KE", "none", "health", "early-stage", "impact_bond", "yes", "%", "'"]),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.dictionaries(st.sampled_from(PARAMETERS), st.lists(VALUES, max_size=3), max_size=5))
def test_no_parameter_value_gives_a_server_error(client, db, query):
    PipelineFactory()  # one per example: enough for every facet to count something

    assert client.get("/pipeline/", query).status_code < 500


@pytest.mark.parametrize("path", ["/pipeline/%00/", "/pipeline/INDIGO-PL-0000/", "/pipeline/x/"])
def test_odd_detail_paths_are_client_errors(client, path):
    assert client.get(path).status_code in (400, 404)


def test_a_curator_gets_the_pipeline_in_the_admin_and_an_editor_edits_drafts(
    client, curator, editor
):
    published = PipelineFactory()
    draft = PipelineFactory(status=PublicationStatus.DRAFT)
    assert curator.has_perm("cases.publish_pipeline")
    assert not editor.has_perm("cases.publish_pipeline")
    assert editor.has_perm("cases.change_pipeline") and editor.has_perm("cases.add_pipeline")

    client.force_login(editor)
    assert client.get(f"/admin/cases/pipeline/{draft.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/cases/pipeline/{published.pk}/transition/", {"to_status": "withdrawn"}
    )
    published.refresh_from_db()
    assert published.status == PublicationStatus.PUBLISHED

    client.force_login(curator)
    client.post(f"/admin/cases/pipeline/{published.pk}/transition/", {"to_status": "withdrawn"})
    published.refresh_from_db()
    assert published.status == PublicationStatus.WITHDRAWN
    assert response.status_code in (302, 403)
    assert published.history.count() == 2  # made, then withdrawn


def test_a_pipeline_project_made_in_the_admin_gets_the_next_id(client, curator):
    PipelineFactory(indigo_id="INDIGO-PL-0191")
    client.force_login(curator)

    response = client.post(
        "/admin/cases/pipeline/add/",
        {"name": "New water scheme", "expected_launch": "Q1 2027", "countries": "ke, TZ"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    made = Pipeline.objects.get(name="New water scheme")
    assert made.indigo_id == "INDIGO-PL-0192"
    assert made.status == PublicationStatus.DRAFT
    assert made.expected_launch_year == 2027
    assert made.countries == "KE,TZ"  # as the import stores them, so the filter finds them
    response = client.post(
        "/admin/cases/pipeline/add/", {"name": "Elsewhere", "countries": "Kenya"}
    )
    assert response.status_code == 200
    assert "is not a two-letter ISO 3166 country code" in response.content.decode()


def test_the_pipeline_sector_mapping_covers_every_area():
    from cases.policy_areas import PIPELINE_SECTORS

    assert set(PIPELINE_SECTORS) == set(PolicySector.values)
    mapped = {s for sectors in PIPELINE_SECTORS.values() for s in sectors}
    assert mapped <= set(PipelineSector.values)


def test_the_admin_import_says_outcome_funds_csv_is_a_copy(client, curator, settings, tmp_path):
    from tests.conftest import admin_import, zip_upload

    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "snapshot"
    folder.mkdir()
    shutil.copy(SNAPSHOT_2025 / "funds.csv", folder / "funds.csv")
    shutil.copy(SNAPSHOT_2025 / "funds.csv", folder / "outcome-funds.csv")
    client.force_login(curator)

    response = admin_import(client, {"snapshot": zip_upload(folder), "partial": "on"})

    html = response.content.decode()
    assert response.context["result"].ok
    assert "outcome-funds.csv:0:-: a copy of funds.csv, whose funds are imported" in html
    assert "not an INDIGO table" not in html
