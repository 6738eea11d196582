"""Issue 11: evidence as works, not citation rows. Each INDIGO citing row (project sources
and documents, organisation sources, fund documents) is a citation of one work; a work
cited by many rows is one document; curators' merges and splits outlive imports."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import FundDocument, Project
from common.models import PublicationStatus
from evidence.interchange import CITATION_FILES
from evidence.models import (
    CitationPin,
    DocumentProject,
    DocumentType,
    EvaluationDesign,
    EvidenceDocument,
    ProjectSource,
)
from evidence.services import citation_ref, citation_rows, merge_works, split_work
from golab.indigo import export_snapshot, import_snapshot
from tests.conftest import SNAPSHOT_2025, read_csv, subset_snapshot
from tests.factories import (
    DocumentProjectFactory,
    EvidenceDocumentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

FCF = "Evaluation of the Fair Chance Fund Final Report (ICF, 2019)"
PETERBOROUGH = "INDIGO-POJ-0153"


def _work_of(project: str, fragment: str) -> EvidenceDocument:
    """The one work the project's source rows containing ``fragment`` cite."""
    ids = set(
        ProjectSource.objects.filter(
            project__indigo_id=project, name__contains=fragment
        ).values_list("document_id", flat=True)
    )
    assert len(ids) == 1, (project, fragment, ids)
    return EvidenceDocument.objects.get(pk=ids.pop())


# --- the real 2025-05 snapshot ---------------------------------------------------------------


def test_fair_chance_fund_final_report_is_one_work_linked_to_every_project_citing_it(
    indigo_2025,
):
    rows = read_csv(SNAPSHOT_2025 / "projects_sources.csv")[1]
    citing = [r for r in rows if FCF in r["Name - (Value)"]]
    projects = {r["Project ID"] for r in citing}
    assert len(citing) > 50 and len(projects) > 5  # the report cited page by page
    works = set(
        ProjectSource.objects.filter(name__contains=FCF).values_list("document_id", flat=True)
    )
    assert len(works) == 1
    report = EvidenceDocument.objects.get(pk=works.pop())
    assert report.status == PublicationStatus.PUBLISHED
    assert "ICF" in report.publisher and report.year == "2019"
    assert report.title.startswith("Evaluation of the Fair Chance Fund Final Report")
    linked = set(
        DocumentProject.objects.filter(document=report).values_list("project__indigo_id", flat=True)
    )
    assert linked == projects
    # The fund's copy of the report (INDIGO-FUND-0005, stored under a suffixed file name) is
    # the same work.
    (fund_copy,) = FundDocument.objects.filter(fund__indigo_id="INDIGO-FUND-0005").filter(
        title="Final report on Fair Chance Fund"
    )
    assert fund_copy.citation.document_id == report.pk
    # Each citation keeps its own locator and the string exactly as written.
    source = ProjectSource.objects.get(project__indigo_id="INDIGO-POJ-0131", local_id="source1")
    assert source.locator == "page 16"
    assert source.name == f"{FCF} page 16"


def test_peterborough_cites_five_distinct_research_works_one_quasi_experimental(indigo_2025):
    expected = {
        "Final Report on Cohort 1 Analysis": ("QinetiQ", "2014"),
        "cohort 2 and final cohort impact evaluation": ("National Institute", "2017"),
        "Lessons learned from the planning": ("RAND", "2011"),
        "Phase 2 report from the payment by results": ("Ministry of Justice", "2014"),
        "The Peterborough Pilot Social Impact Bond": ("Oxford", "2013"),
    }
    works = {fragment: _work_of(PETERBOROUGH, fragment) for fragment in expected}
    assert len({work.pk for work in works.values()}) == 5
    for fragment, (publisher, year) in expected.items():
        assert publisher in works[fragment].publisher, fragment
        assert works[fragment].year == year, fragment
    quasi = [
        work
        for fragment, work in works.items()
        if fragment in ("Final Report on Cohort 1 Analysis", "cohort 2 and final cohort")
        and work.evaluation_design == EvaluationDesign.QUASI_EXPERIMENTAL
    ]
    assert quasi
    for work in quasi:
        assert work.design_basis.startswith("inferred from:")
        assert not work.design_confirmed
    # The PSM methodology paper says its design in its own title.
    psm = _work_of(PETERBOROUGH, "Development of the PSM methodology")
    assert psm.evaluation_design == EvaluationDesign.QUASI_EXPERIMENTAL
    assert psm.design_basis.startswith("inferred from:")


def test_library_holds_works_typed_and_titled_cleanly(indigo_2025):
    library = EvidenceDocument.objects.in_library()
    total = library.count()
    assert 300 < total < 1000
    types = Counter(library.values_list("document_type", flat=True))
    assert types[DocumentType.OTHER] < 0.15 * total
    locator = re.compile(
        r"(?:\b(?:p|pp|pg|page|pages)\b\.?\s*[\divxlc]+(?:\s*[-–]\s*[\divxlc]+)?)\W*$", re.I
    )
    bad = [
        title
        for title in EvidenceDocument.objects.values_list("title", flat=True)
        if "http" in title.lower() or "[access" in title.lower() or locator.search(title)
    ]
    assert bad == []
    # Correspondence is real provenance: public (as sources), but not in the library's view.
    correspondence = EvidenceDocument.objects.published().filter(
        document_type=DocumentType.CORRESPONDENCE
    )
    assert correspondence.exists()
    assert not library.filter(pk__in=correspondence.values("pk")).exists()


def test_export_writes_the_citing_files_as_imported_and_a_second_import_changes_nothing(
    indigo_2025, tmp_path
):
    export_snapshot(tmp_path)
    for name in CITATION_FILES:
        with open(SNAPSHOT_2025 / name, encoding="utf-8", newline="") as handle:
            given = list(csv.reader(handle))
        with open(tmp_path / name, encoding="utf-8", newline="") as handle:
            written = list(csv.reader(handle))
        assert len(given) == len(written) and given[0] == written[0], name
        private = {i for i, header in enumerate(given[0]) if header.startswith("Internal URL")}
        different = [
            (row, column)
            for row, (before, after) in enumerate(zip(given, written, strict=True))
            for column, (cell, out) in enumerate(zip(before, after, strict=True))
            if column not in private and cell.strip() != out
        ]
        assert different == [], name
    documents = EvidenceDocument.objects.count()
    out = io.StringIO()
    call_command("import_indigo", str(SNAPSHOT_2025), "--explain-evidence", stdout=out)
    text = out.getvalue()
    assert "No changes" in text
    assert EvidenceDocument.objects.count() == documents
    assert re.search(r"evidence: \d+ citations -> \d+ works", text)
    assert "Evidence: " in text and "citations merged into another's work" in text


# --- curators' decisions outlive imports (a small real snapshot) ------------------------------


@pytest.fixture
def small(tmp_path):
    projects = {PETERBOROUGH, "INDIGO-POJ-0131", "INDIGO-POJ-0132", "INDIGO-POJ-0133"}
    folder = subset_snapshot(tmp_path / "small", projects)
    assert import_snapshot(folder, run_by="tests").ok
    return folder


def test_merge_split_and_confirmed_design_survive_a_reimport(small, curator):
    cohort1 = _work_of(PETERBOROUGH, "Final Report on Cohort 1 Analysis")
    psm = _work_of(PETERBOROUGH, "Development of the PSM methodology")
    psm_rows = len(citation_rows(psm))
    cited = len(citation_rows(cohort1)) + psm_rows
    assert merge_works(target=cohort1, others=[psm], user=curator) == psm_rows
    assert not EvidenceDocument.objects.filter(pk=psm.pk).exists()
    assert len(citation_rows(cohort1)) == cited

    fcf = _work_of("INDIGO-POJ-0131", FCF)
    moving = [
        row
        for row in citation_rows(fcf)
        if getattr(row, "project", None) and row.project.indigo_id == "INDIGO-POJ-0133"
    ]
    assert moving and len(moving) < len(citation_rows(fcf))
    split_off = split_work(document=fcf, refs=[citation_ref(r) for r in moving], user=curator)
    assert {r.pk for r in citation_rows(split_off)} == {r.pk for r in moving}
    assert DocumentProject.objects.filter(
        document=split_off, project__indigo_id="INDIGO-POJ-0133"
    ).exists()

    EvidenceDocument.objects.filter(pk=cohort1.pk).update(
        evaluation_design=EvaluationDesign.RCT, design_confirmed=True
    )
    pins = CitationPin.objects.count()
    assert pins >= cited + len(citation_rows(fcf)) + len(moving)

    result = import_snapshot(small, run_by="tests")
    assert result.ok and result.evidence_works is not None
    assert result.evidence_works.pinned >= cited
    assert not EvidenceDocument.objects.filter(pk=psm.pk).exists()
    assert len(citation_rows(EvidenceDocument.objects.get(pk=cohort1.pk))) == cited
    assert {r.pk for r in citation_rows(split_off)} == {r.pk for r in moving}
    assert not ProjectSource.objects.filter(
        document=fcf, project__indigo_id="INDIGO-POJ-0133"
    ).exists()
    cohort1.refresh_from_db()
    assert cohort1.evaluation_design == EvaluationDesign.RCT
    assert CitationPin.objects.count() == pins
    # And the import after that changes nothing at all.
    assert import_snapshot(small, run_by="tests").changes() == 0


def test_a_work_whose_key_changes_keeps_its_document_and_address(small):
    # A better parser or clustering gives a work a new key: the document most of its
    # citations point to takes it, so /evidence/<id>/ stays the same.
    work = _work_of(PETERBOROUGH, "Final Report on Cohort 1 Analysis")
    EvidenceDocument.objects.filter(pk=work.pk).update(key="an older clustering's key")
    documents = EvidenceDocument.objects.count()
    assert import_snapshot(small, run_by="tests").ok
    work.refresh_from_db()
    assert work.key != "an older clustering's key"
    assert EvidenceDocument.objects.count() == documents
    assert _work_of(PETERBOROUGH, "Final Report on Cohort 1 Analysis").pk == work.pk


def test_a_curators_title_is_kept_and_the_import_run_says_what_it_merged(small):
    from cases.models import ImportRun

    work = _work_of(PETERBOROUGH, "Final Report on Cohort 1 Analysis")
    EvidenceDocument.objects.filter(pk=work.pk).update(title="Cohort 1 final report")
    assert import_snapshot(small, run_by="tests").ok
    work.refresh_from_db()
    assert work.title == "Cohort 1 final report"
    summary = ImportRun.objects.latest("started_at").summary["evidence works"]
    assert summary["citations"] > summary["works"] > 0
    assert summary["citations merged"] == summary["citations"] - summary["works"]


# --- pages do not grow with citations ----------------------------------------------------------


def _work_cited(times: int) -> tuple[EvidenceDocument, Project]:
    project = ProjectFactory()
    work = EvidenceDocumentFactory(title="One report cited page by page")
    DocumentProjectFactory(document=work, project=project)
    ProjectSource.objects.bulk_create(
        ProjectSource(
            project=project,
            position=n,
            document=work,
            local_id=f"source{n + 1}",
            name=f"One report cited page by page (GO Lab, 2020) page {n + 1}",
            locator=f"page {n + 1}",
        )
        for n in range(times)
    )
    return work, project


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Queries per page, whatever the number of citations (as the pages stand; the public pages'
# own tests pin them in detail):
# /evidence/: the count, the page's documents, their authors, and every facet in one
#   statement;
# a document page: the document, its authors, policy areas, countries, project links, its
#   source rows and their section citations;
# a case page: the project, each of its component tables, its sources and their section
#   citations, its evidence links, and the change log.
# (The case page: its evidence block is one query; with no country, no related cases.)
PINNED = {"/evidence/": 4, "document": 7, "case": 14}


@pytest.mark.parametrize("page", ["/evidence/", "document", "case"])
def test_pages_take_as_many_queries_for_500_citations_as_for_10(client, page):
    counts = []
    for times in (10, 500):
        work, project = _work_cited(times)
        url = {"document": work.get_absolute_url(), "case": project.get_absolute_url()}.get(
            page, page
        )
        client.get(url)  # warm caches (sessions, content types)
        counts.append(_queries(client, url))
        EvidenceDocument.objects.filter(pk=work.pk).update(status=PublicationStatus.WITHDRAWN)
    assert counts == [PINNED[page], PINNED[page]]


# --- the admin: merge and split ----------------------------------------------------------------


def _cited_work(project: Project, title: str, times: int = 2) -> EvidenceDocument:
    work = EvidenceDocumentFactory(title=title, key=f"test:{title}", import_baseline={"t": 1})
    start = ProjectSource.objects.filter(project=project).count()
    ProjectSource.objects.bulk_create(
        ProjectSource(
            project=project,
            position=start + n,
            document=work,
            local_id=f"source{start + n + 1}",
            name=f"{title} page {n + 1}",
        )
        for n in range(times)
    )
    return work


def test_merge_asks_for_an_explicit_yes_then_merges(client, editor):
    project = ProjectFactory()
    first, second = _cited_work(project, "Report A"), _cited_work(project, "Report A, again")
    client.force_login(editor)
    url = "/admin/evidence/evidencedocument/"
    chosen = {"action": "merge_works_action", "_selected_action": [first.pk, second.pk]}
    page = client.post(url, chosen)
    assert page.status_code == 200
    assert "will become <strong>one work</strong>" in page.content.decode()
    # Without the yes, nothing happens.
    again = client.post(url, {**chosen, "post": "yes", "target": first.pk})
    assert "Tick “Yes, merge them”" in again.content.decode()
    assert EvidenceDocument.objects.filter(pk=second.pk).exists()
    done = client.post(url, {**chosen, "post": "yes", "target": first.pk, "confirm": "yes"})
    assert done.status_code == 302
    assert not EvidenceDocument.objects.filter(pk=second.pk).exists()
    assert ProjectSource.objects.filter(document=first).count() == 4
    assert first.history.filter(history_change_reason__contains="merged works").exists()
    assert CitationPin.objects.filter(document=first).count() == 4 + 1  # + the key alias


def test_split_moves_the_chosen_citations_into_a_new_work(client, curator):
    project = ProjectFactory()
    work = _cited_work(project, "Two reports in one", times=3)
    client.force_login(curator)
    change = client.get(f"/admin/evidence/evidencedocument/{work.pk}/change/")
    assert "Split citations off into a new work" in change.content.decode()
    assert "3 citation(s)" in change.content.decode()  # listed, as written
    assert "Two reports in one page 3" in change.content.decode()
    url = f"/admin/evidence/evidencedocument/{work.pk}/split/"
    assert client.get(url).status_code == 200
    assert "Choose some of the work" in client.post(url, {}).content.decode()
    rows = list(ProjectSource.objects.filter(document=work).order_by("position"))
    response = client.post(url, {"citation": [citation_ref(rows[2])]})
    assert response.status_code == 302
    rows[2].refresh_from_db()
    assert rows[2].document_id != work.pk
    assert ProjectSource.objects.filter(document=work).count() == 2
    assert CitationPin.objects.filter(document_id=rows[2].document_id).count() == 1


def test_merge_and_split_need_the_right_to_change_documents(client, db):
    from tests.conftest import make_user

    reader = make_user("rita")
    work = _cited_work(ProjectFactory(), "A report")
    client.force_login(reader)
    assert client.get(f"/admin/evidence/evidencedocument/{work.pk}/split/").status_code == 403
    assert client.get("/admin/evidence/evidencedocument/999999/split/").status_code in (403, 404)


def test_setting_a_design_in_the_admin_confirms_it(client, curator):
    work = EvidenceDocumentFactory(
        evaluation_design=EvaluationDesign.PRE_POST, design_basis="inferred from: title 'x'"
    )
    client.force_login(curator)
    url = f"/admin/evidence/evidencedocument/{work.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("file", "design_confirmed")
    }
    data["evaluation_design"] = EvaluationDesign.RCT
    for prefix in (
        "authors",
        "project_links",
        "policy_areas",
        "countries",
        "project_sources",
        "project_documents",
        "organisation_citations",
        "fund_citations",
    ):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    work.refresh_from_db()
    assert work.evaluation_design == EvaluationDesign.RCT
    assert work.design_confirmed and work.design_basis == ""


def test_documents_of_the_one_per_row_era_are_superseded_not_mass_withdrawn(small):
    old = [
        EvidenceDocumentFactory(key=f"source:INDIGO-POJ-0153:{n}", import_baseline={"t": 1})
        for n in range(40)
    ]
    result = import_snapshot(small, run_by="tests")
    assert result.ok and not result.mass_withdrawal
    assert result.counts["evidence documents superseded by works"].withdrawn == len(old)
    assert result.withdrawn_documents == []
    assert not EvidenceDocument.objects.filter(
        pk__in=[d.pk for d in old], status=PublicationStatus.PUBLISHED
    ).exists()
