"""The INDIGO import on the real bundled 2025-05 snapshot (imported once for the module)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from cases.indigo.tables import TABLES
from cases.models import (
    ImportRun,
    Organisation,
    OutcomeFund,
    OutcomePayment,
    OutcomePaymentCommitment,
    PolicySector,
    Project,
    ProjectOutcomeFund,
    Stage,
)
from common.models import PublicationStatus
from evidence.interchange import TABLES as EVIDENCE_TABLES
from evidence.models import EvidenceDocument, ProjectSource, Section, SectionCitation
from golab.indigo import import_snapshot
from tests.conftest import SNAPSHOT_2025, read_csv, remove_project, write_csv

pytestmark = pytest.mark.django_db


def test_2025_snapshot_gives_319_published_projects_and_1549_organisations(indigo_2025):
    assert Project.objects.published().count() == 319
    assert Project.objects.count() == 319
    assert Organisation.objects.published().count() == 1549
    assert OutcomeFund.objects.count() == 21


@pytest.mark.parametrize("table", [*TABLES, *EVIDENCE_TABLES], ids=lambda t: t.file)
def test_every_table_holds_as_many_records_as_its_file_has_rows(indigo_2025, table):
    _header, rows = read_csv(SNAPSHOT_2025 / table.file)
    assert table.model.objects.count() == len(rows)
    assert indigo_2025.counts[table.file].created == len(rows)


def test_evidence_documents_are_works_each_cited_by_a_row(indigo_2025):
    # One document per distinct work (tests/evidence/test_works.py has the details): fewer
    # documents than citing rows, and none without a row citing it.
    rows = sum(
        len(read_csv(SNAPSHOT_2025 / name)[1])
        for name in ("projects_sources.csv", "projects_documents.csv")
    )
    published = EvidenceDocument.objects.published()
    assert 0 < published.count() < rows / 2
    assert not EvidenceDocument.objects.filter(
        project_sources=None,
        project_documents=None,
        organisation_citations=None,
        fund_citations=None,
    ).exists()


def test_code_lists_and_values_are_typed(indigo_2025):
    peterborough = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    assert peterborough.status == PublicationStatus.PUBLISHED
    assert peterborough.policy_sector == PolicySector.CRIMINAL_JUSTICE
    assert peterborough.stage in Stage.values
    assert "Peterborough" in peterborough.name
    stages = Counter(Project.objects.values_list("stage", flat=True))
    assert stages == {"implementation": 196, "complete": 122, "contracted": 1}


def test_spelled_out_currencies_are_stored_as_iso_codes(indigo_2025):
    _header, rows = read_csv(SNAPSHOT_2025 / "projects.csv")
    column = "Overall project finance - Total investment commitment - Currency - (Value)"
    rubles = {r["ID"] for r in rows if r[column].strip().lower().startswith("russian")}
    assert rubles
    assert set(
        Project.objects.filter(indigo_id__in=rubles).values_list("capital_currency", flat=True)
    ) == {"RUB"}
    currencies = set(Project.objects.values_list("capital_currency", flat=True)) - {""}
    assert all(len(code) == 3 and code.isupper() for code in currencies)


def test_partial_dates_keep_their_precision(indigo_2025):
    _header, rows = read_csv(SNAPSHOT_2025 / "projects.csv")
    column = "Dates - Start date of service provision - (Value)"
    by_id = {r["ID"]: r[column].strip() for r in rows if r[column].strip()}
    stored = dict(
        Project.objects.filter(indigo_id__in=by_id).values_list("indigo_id", "service_start")
    )
    assert stored == by_id  # every start date in the file is already YYYY[-MM[-DD]]
    assert {len(value) for value in stored.values()} >= {7}


def test_stray_whitespace_in_ids_is_dropped_and_the_link_made(indigo_2025):
    links = ProjectOutcomeFund.objects.filter(fund_ref="INDIGO-FUND-0007")
    assert links.exists()
    assert all(link.fund.indigo_id == "INDIGO-FUND-0007" for link in links)


def test_references_to_missing_organisations_are_kept_and_warned(indigo_2025):
    payments = OutcomePayment.objects.filter(payer_ref__contains="INDIGO-ORG-1151")
    assert payments.exists()
    assert not Organisation.objects.filter(indigo_id="INDIGO-ORG-1151").exists()
    assert all(p.payer_id is None or p.payer.indigo_id != "INDIGO-ORG-1151" for p in payments)
    warnings = [str(w) for w in indigo_2025.warnings]
    assert any("INDIGO-ORG-1151 is not in organisations.csv" in w for w in warnings)
    assert any("INDIGO-FUND-0011 is not in funds.csv" in w for w in warnings), (
        "a reference to a missing fund is reported"
    )


def test_prose_in_a_number_column_is_kept_as_written(indigo_2025):
    formula = OutcomePaymentCommitment.objects.filter(max_payment_text="=D41-D36")
    assert formula.exists()
    assert formula.first().max_payment is None
    parsed = OutcomePaymentCommitment.objects.filter(max_payment_text="$10,000,000").first()
    assert parsed is not None and parsed.max_payment == 10_000_000


def test_sections_cite_their_sources(indigo_2025):
    peterborough = Project.objects.get(indigo_id="INDIGO-POJ-0153")
    _header, rows = read_csv(SNAPSHOT_2025 / "projects.csv")
    row = next(r for r in rows if r["ID"] == "INDIGO-POJ-0153")
    cited = {s.strip() for s in row["Dates - (Source ID's)"].split(",") if s.strip()}
    stored = set(
        SectionCitation.objects.filter(
            source__project=peterborough, section=Section.DATES
        ).values_list("source__local_id", flat=True)
    )
    assert cited and stored == cited
    assert ProjectSource.objects.filter(project=peterborough).count() == 17


def test_import_records_an_event_and_history(indigo_2025):
    run = ImportRun.objects.get()
    assert run.run_by == "tests"
    assert run.summary["projects.csv"]["created"] == 319
    assert "projects.csv" in run.files
    history = Project.history.filter(history_type="+")
    assert history.count() == 319
    assert history.first().history_change_reason == "INDIGO import of 2025-05"


def test_second_import_of_the_same_snapshot_changes_nothing(indigo_2025):
    out = io.StringIO()
    call_command("import_indigo", str(SNAPSHOT_2025), stdout=out)
    text = out.getvalue()
    assert "No changes" in text
    assert "read projects.csv: 319 rows" in text  # progress for long runs
    assert Project.history.count() == 319
    assert ImportRun.objects.count() == 2


def test_dry_run_reports_but_changes_nothing(indigo_2025, snapshot_copy):
    remove_project(snapshot_copy, "INDIGO-POJ-0153")
    result = import_snapshot(snapshot_copy, run_by="tests", dry_run=True)
    assert result.ok
    assert result.counts["projects.csv"].withdrawn == 1
    assert Project.objects.get(indigo_id="INDIGO-POJ-0153").status == PublicationStatus.PUBLISHED
    assert ImportRun.objects.count() == 1


def _fingerprint() -> dict[str, object]:
    """Counts of every data and history table (not the import log): what any write moves."""
    from django.apps import apps

    counts = {
        model._meta.label: model.objects.count()
        for app in ("cases", "evidence")
        for model in apps.get_app_config(app).get_models()
        if model is not ImportRun
    }
    counts["names"] = sorted(Project.objects.values_list("name", "stage", "service_start"))
    return counts


STAGE = "Stage of Development - (Value)"
START = "Dates - Start date of service provision - (Value)"
CAPITAL = "Overall project finance - Total investment commitment - Amount - Exact - (Value)"


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        (STAGE, "Sideways", "'Sideways' is not a known value (expected one of: Contracted,"),
        (START, "2016-13-45", "month 13 is not 1-12"),
        (CAPITAL, "lots", "'lots' is not a number"),
    ],
    ids=["unknown stage", "malformed date", "non-numeric amount"],
)
def test_one_bad_cell_changes_nothing_and_says_where(
    indigo_2025, snapshot_copy, column, value, reason
):
    header, rows = read_csv(snapshot_copy / "projects.csv")
    index = next(i for i, r in enumerate(rows) if r["ID"] == "INDIGO-POJ-0153")
    rows[index][column] = value
    write_csv(snapshot_copy / "projects.csv", header, rows)
    before = _fingerprint()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_indigo", str(snapshot_copy), stdout=io.StringIO(), stderr=err)
    (line,) = err.getvalue().splitlines()
    assert line.startswith(f"projects.csv:{index + 2}:{column}: {reason}")
    assert _fingerprint() == before


def test_a_component_row_of_an_unknown_project_is_an_error(indigo_2025, snapshot_copy):
    header, rows = read_csv(snapshot_copy / "projects_results.csv")
    rows[0]["Project ID"] = "INDIGO-POJ-9999"
    write_csv(snapshot_copy / "projects_results.csv", header, rows)
    result = import_snapshot(snapshot_copy, run_by="tests")
    assert [str(e) for e in result.errors] == [
        "projects_results.csv:2:Project ID: INDIGO-POJ-9999 is not in projects.csv"
    ]


def test_missing_column_and_unreadable_file_are_reported(tmp_path, indigo_2025, snapshot_copy):
    header, rows = read_csv(snapshot_copy / "funds.csv")
    header.remove("Fund - Name")
    write_csv(snapshot_copy / "funds.csv", header, [{k: r[k] for k in header} for r in rows])
    (snapshot_copy / "organisations.csv").write_bytes(b"\xff\xfe\x00broken")
    errors = [str(e) for e in import_snapshot(snapshot_copy, run_by="tests").errors]
    assert "organisations.csv:0:-: not UTF-8 text (byte 0)" in errors
    missing = import_snapshot(tmp_path / "nowhere", run_by="tests").errors
    assert "not a folder of INDIGO CSV files or a .zip" in str(missing[0])


def test_contact_details_in_the_file_are_never_stored(indigo_2025, snapshot_copy):
    header, rows = read_csv(snapshot_copy / "organisations.csv")
    secrets = {
        "Contact - Name - (Value)": "Jane Q. Contactperson",
        "Contact - Job title - (Value)": "Chief Secret Keeper",
        "Contact - Profile - (Value)": "https://profiles.example/jane-q",
        "Contact - Email - (Value)": "jane.q@example.org",
        "Contact - Twitter - (Value)": "@janeqcontact",
        "Contact - LinkedIn - (Value)": "https://linkedin.example/in/janeq",
    }
    for row in rows[:50]:
        row.update(secrets)
    write_csv(snapshot_copy / "organisations.csv", header, rows)
    result = import_snapshot(snapshot_copy, run_by="tests")
    assert result.ok
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    text = dump.getvalue()
    assert "Peterborough" in text  # the dump does hold the data
    for value in secrets.values():
        assert value not in text


def test_export_then_import_is_a_fixed_point(indigo_2025, tmp_path):
    out = io.StringIO()
    call_command("export_indigo", str(tmp_path / "export"), stdout=out)
    assert "projects.csv: 319 rows" in out.getvalue()
    header_in, rows_in = read_csv(SNAPSHOT_2025 / "projects.csv")
    header_out, rows_out = read_csv(tmp_path / "export" / "projects.csv")
    assert header_out == header_in
    assert sorted(r["ID"] for r in rows_out) == sorted(r["ID"] for r in rows_in)
    for table in [*TABLES, *EVIDENCE_TABLES]:
        header, rows = read_csv(tmp_path / "export" / table.file)
        assert header == read_csv(SNAPSHOT_2025 / table.file)[0]
        assert len(rows) == table.model.objects.count()
    before = _fingerprint()
    result = import_snapshot(tmp_path / "export", run_by="tests")
    assert result.ok and result.changes() == 0
    assert _fingerprint() == before


def test_export_leaves_contact_and_internal_columns_blank(indigo_2025, tmp_path):
    call_command("export_indigo", str(tmp_path), stdout=io.StringIO())
    _header, orgs = read_csv(tmp_path / "organisations.csv")
    assert not any(v for r in orgs for k, v in r.items() if k.startswith("Contact - "))
    _header, sources = read_csv(tmp_path / "projects_sources.csv")
    assert not any(r["Internal URL - (Value)"] for r in sources)


def test_a_zip_of_the_snapshot_imports_the_same(indigo_2025, tmp_path):
    archive = tmp_path / "snapshot.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in SNAPSHOT_2025.glob("*.csv"):
            zf.write(path, f"indigo-2025-05/{path.name}")
    result = import_snapshot(archive, run_by="tests")
    assert result.ok and result.changes() == 0
    assert result.counts["projects.csv"].unchanged == 319
