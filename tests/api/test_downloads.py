"""Downloads of the case list's and the library's results: CSV (UTF-8 with BOM), XLSX and
JSON, with the pages' parameters, neutralised against spreadsheet formulas, attributed."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from common.downloads import neutralise
from common.models import PublicationStatus
from tests.factories import (
    DeliveryLocationFactory,
    DocumentAuthorFactory,
    EvidenceDocumentFactory,
    OutcomeMetricFactory,
    OutcomePricingFactory,
    ProjectFactory,
    ResultFactory,
)

ATTRIBUTION = "Source: INDIGO Impact Bond Dataset, Government Outcomes Lab, University of Oxford"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def read_csv(response) -> list[dict[str, str]]:
    data = body(response)
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_cells(response, sheet: int = 1) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(body(response))) as workbook:
        xml = workbook.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return re.findall(r"<t[^>]*>([^<]*)</t>|<v>([^<]*)</v>", xml)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd", "'+cmd"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        ("Plain text", "Plain text"),
        ("", ""),
        (-7, -7),
        (None, None),
    ],
)
def test_neutralise(value, shown):
    assert neutralise(value) == shown


@pytest.fixture
def world(db):
    sneaky = ProjectFactory(indigo_id="INDIGO-POJ-0001", name='=HYPERLINK("http://evil","x")')
    plain = ProjectFactory(indigo_id="INDIGO-POJ-0002", name="Plain bond é", policy_sector="health")
    DeliveryLocationFactory(project=plain, country="GB")
    ProjectFactory(indigo_id="INDIGO-POJ-0003", name="Draft", status=PublicationStatus.DRAFT)
    metric = OutcomeMetricFactory(project=plain, local_id="m1", definition="-Jobs kept")
    OutcomePricingFactory(
        project=plain, outcome_metric_ref="m1", currency="GBP", price_per_unit=900
    )
    ResultFactory(project=plain, outcome_metric_ref="m1", number_engaged=40)
    return {"sneaky": sneaky, "plain": plain, "metric": metric}


def test_cases_csv(client, world):
    response = client.get("/cases/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="cases.csv"' in response["Content-Disposition"]
    assert response["X-Data-Attribution"] == ATTRIBUTION
    rows = read_csv(response)
    assert [r["id"] for r in rows] == ["INDIGO-POJ-0001", "INDIGO-POJ-0002"]
    assert rows[0]["name"] == '\'=HYPERLINK("http://evil","x")'
    assert rows[1]["name"] == "Plain bond é" and rows[1]["countries"] == "GB"
    assert rows[1]["page"] == "http://testserver/cases/INDIGO-POJ-0002/"


def test_cases_download_takes_the_pages_parameters(client, world):
    rows = read_csv(client.get("/cases/export.csv?policy_area=health&page=3&per_page=10"))
    assert [r["id"] for r in rows] == ["INDIGO-POJ-0002"]
    # A value the page would ignore is ignored here too (the page's results, as shown).
    rows = read_csv(client.get("/cases/export.csv?stage=bogus&sort=nonsense"))
    assert len(rows) == 2


def test_cases_xlsx(client, world):
    response = client.get("/cases/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["X-Data-Licence"]
    cells = [text or number for text, number in xlsx_cells(response)]
    assert cells[0] == "id"
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert '=HYPERLINK("http://evil","x")' not in cells
    about = [text for text, _ in xlsx_cells(client.get("/cases/export.xlsx"), sheet=2)]
    assert ATTRIBUTION in about


def test_cases_json(client, world):
    data = json.loads(body(client.get("/cases/export.json")))
    assert data["attribution"] == ATTRIBUTION and data["count"] == 2
    assert [r["id"] for r in data["results"]] == ["INDIGO-POJ-0001", "INDIGO-POJ-0002"]
    # JSON is data, written exactly.
    assert data["results"][0]["name"] == '=HYPERLINK("http://evil","x")'
    assert data["results"][1]["countries"] == ["GB"]


def test_outcome_metrics_download_with_prices_and_results(client, world):
    rows = read_csv(client.get("/cases/outcome-metrics.csv?policy_area=health"))
    assert len(rows) == 1
    [row] = rows
    assert row["case"] == "INDIGO-POJ-0002" and row["definition"] == "'-Jobs kept"
    assert row["prices"] == "GBP 900.0000"
    assert "engaged 40" in row["results"]
    assert read_csv(client.get("/cases/outcome-metrics.csv?policy_area=education")) == []


def test_evidence_downloads(client, db):
    document = EvidenceDocumentFactory(title="@risk evaluation")
    DocumentAuthorFactory(document=document, name="Fox, C.")
    EvidenceDocumentFactory(title="Draft", status=PublicationStatus.DRAFT)
    rows = read_csv(client.get("/evidence/export.csv"))
    assert [(r["title"], r["authors"]) for r in rows] == [("'@risk evaluation", "Fox, C.")]
    data = json.loads(body(client.get("/evidence/export.json")))
    assert [r["id"] for r in data["results"]] == [document.pk]
    assert client.get("/evidence/export.xlsx").status_code == 200
    # The reference-manager exports are where they were.
    assert client.get("/evidence/export.bib").status_code == 200


def test_unknown_format_is_404(client, db):
    # (Django adds a slash, and there is no case of that id.)
    assert client.get("/cases/export.xml", follow=True).status_code == 404
    assert client.get("/cases/outcome-metrics.pdf", follow=True).status_code == 404


def test_pages_link_to_their_downloads_and_the_api(client, world):
    html = client.get("/cases/?policy_area=health&page=1").content.decode()
    assert 'href="/cases/export.csv?policy_area=health"' in html
    assert 'href="/cases/outcome-metrics.xlsx?policy_area=health"' in html
    assert 'href="/api/v1/cases/?policy_area=health"' in html
    html = client.get("/evidence/?type=evaluation-report").content.decode()
    assert 'href="/evidence/export.json?type=evaluation-report"' in html
    assert 'href="/api/v1/evidence/?type=evaluation-report"' in html


def test_all_cases_of_the_snapshot_parse_back_to_their_ids(client, indigo_2025):
    from cases.models import Project

    rows = read_csv(client.get("/cases/export.csv"))
    ids = sorted(Project.objects.published().values_list("indigo_id", flat=True))
    assert len(rows) == len(ids) == 319
    assert sorted(r["id"] for r in rows) == ids
    assert all(r["name"] for r in rows)
