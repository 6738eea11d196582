"""Grouping INDIGO citations into works, on real strings from the 2025-05 snapshot.

Each merge and each "do not merge" below is a decision about real rows (project and source id
in the comment), and the last tests run the parser and ``work_keys`` over every source and
document row of the bundled 2025-05 snapshot."""

# ruff: noqa: E501 - the real strings are long

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest

from evidence.citation_parser import ParsedCitation, parse_citation
from evidence.clustering import explain, work_keys
from tests.conftest import SNAPSHOT_2025


def _keys(*rows: str | dict[str, str], scopes: list[str] | None = None) -> list[str]:
    citations = [
        parse_citation(row) if isinstance(row, str) else parse_citation(**row) for row in rows
    ]
    return work_keys(citations, scopes=scopes)


MERGES = [
    pytest.param(
        [
            # POJ-0131 source2, POJ-0132 source8, POJ-0133 source14: one report, three pages
            "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 9",
            "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 22",
            "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 28 (accommodation), page 35 (education), page 41 (volunteering), page 45 (employment),",
            # projects_documents of POJ-0136: the same report as a document
            {
                "text": "Fair Chance Fund - final evaluation report",
                "url": "https://golab.bsg.ox.ac.uk/documents/Fair_Chance_Fund_final_report.pdf",
            },
        ],
        id="fcf-final-report-pages-and-document",
    ),
    pytest.param(
        [
            # POJ-0002 source3 and source4: a local file path, two pages
            "Social Ventures Australia Aspire Social Impact Bond Annual Investor report, 2018 p. 3 accessed on 24/07/2019 at file:///Users/bsog0147/Downloads/993_aspire_sib_annual_investor_report_2018-web_singles.pdf",
            "Social Ventures Australia Aspire Social Impact Bond Annual Investor report, 2018 p. 5 accessed on 24/07/2019 at file:///Users/bsog0147/Downloads/993_aspire_sib_annual_investor_report_2018-web_singles.pdf",
        ],
        id="aspire-investor-report-pages",
    ),
    pytest.param(
        [
            # POJ-0005 source1 and source2: "Derived from dates in" the same memorandum
            "Information memorandum Newpin Social Benefit Bond, Social Ventures Australia, 2013 p. 1 accessed on 23/07/2019 at https://www.osii.nsw.gov.au/assets/office-of-social-impact-investment/files/Newpin-Information-Memorandum.pdf",
            "Derived from dates in Information memorandum Newpin Social Benefit Bond, Social Ventures Australia, 2013 p. 5 accessed on 23/07/2019 at https://www.osii.nsw.gov.au/assets/office-of-social-impact-investment/files/Newpin-Information-Memorandum.pdf",
        ],
        id="newpin-memorandum-derived-from",
    ),
    pytest.param(
        [
            # POJ-0153 source1 and source3
            "Peterborough Social Impact Bond: Final Report on Cohort 1 Analysis (QinetiQ, University of Leicester, 2014) page 5",
            "Peterborough Social Impact Bond: Final Report on Cohort 1 Analysis (QinetiQ, University of Leicester, 2014) page 7",
        ],
        id="peterborough-cohort-1-pages",
    ),
    pytest.param(
        [
            # POJ-0003 source4 and POJ-0082 source5: two projects, one Brookings report
            "The Potential and Limitations of Impact Bonds, Brookings, 2015 accessed on 22/07/2019 at https://www.brookings.edu/wp-content/uploads/2015/07/impact-bondsweb.pdf",
            "The Potential and Limitations of Impact Bonds, Brookings, 2015 p. 108 accessed on 22/07/2019 at https://www.brookings.edu/wp-content/uploads/2015/07/impact-bondsweb.pdf",
        ],
        id="brookings-potential-and-limitations-two-projects",
    ),
    pytest.param(
        [
            # POJ-0002 source10 ("See ...") and source14, with a mistyped accessed date
            "See Social Ventures Australia Aspire Social Impact Bond Information Memorandum, 2017 p. 13 accessed on 24/072019 at http://www.socialventures.com.au/assets/SVA-Aspire-IM-web-FINAL.pdf",
            "Social Ventures Australia Aspire Social Impact Bond Information Memorandum, 2017 p. 20 accessed on 24/072019 at http://www.socialventures.com.au/assets/SVA-Aspire-IM-web-FINAL.pdf",
        ],
        id="aspire-memorandum-see",
    ),
    pytest.param(
        [
            # POJ-0188 source1 and POJ-0195 source1: "LCF" and "LFC"
            {
                "text": "DCMS Data Portal for LCF Projects",
                "indigo_type": "Website",
                "publishing_organisations": "INDIGO-ORG-0171, INDIGO-ORG-0306",
            },
            {
                "text": "DCMS Data Portal for LFC projects",
                "indigo_type": "Website",
                "publishing_organisations": "INDIGO-ORG-0171, INDIGO-ORG-0306",
            },
        ],
        id="dcms-data-portal-typo",
    ),
    pytest.param(
        [
            # POJ-0122 source8 (wrapped over lines), POJ-0123 source11 and its document
            "Evaluation of the\nCare Leavers Social\nImpact Bond (SIB)\nprogramme ",
            {
                "text": "Evaluation of the Care Leavers Social Impact Bond (SIB) programme ",
                "indigo_type": "Report",
                "url": "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/1170690/Evaluation_of_the_Care_Leavers_Social_Impact_Bond__SIB__programme.pdf",
            },
        ],
        id="care-leavers-evaluation-wrapped-title",
    ),
    pytest.param(
        [
            # POJ-0112 source1 (a Google redirect) and POJ-0120 source5
            "Commissioning Better Outcomes Awards from July 2013 to November 2018 (Accessed: 18 July 2019) https://www.google.com/url?sa=t&rct=j&q=&esrc=s&source=web&cd=5&ved=2ahUKEwjmkfO907_jAhUkrXEKHYGPA2UQFjAEegQIBRAC&url=https%3A%2F%2Fwww.tnlcommunityfund.org.uk%2Fmedia%2Fdocuments%2Ffull-cost-recovery%2FCommissioning-Better-Outcomes%2FCBO_grant_awards.xls%3Fmtime%3D20190228100344&usg=AOvVaw1Fdu2GiiC6boDEgA3wBnqk",
            "Big Lottery Fund, 'Commissioning Better Outcomes: Awards from July 2013 to November 2018', (Big Lottery Fund, 2018)",
        ],
        id="cbo-awards-two-citations",
    ),
    pytest.param(
        [
            # POJ-0001 and POJ-0003: one Hack and Learn session
            "Hack and Learn - August 2021",
            "Hack and Learn - August 2021",
        ],
        id="hack-and-learn-same-session",
    ),
    pytest.param(
        [
            # POJ-0062 source12 and POJ-0064 source3: one dated e-mail exchange
            {
                "text": "Email correspondence with Portugal Social Innovation Unit on 23/05/2022",
                "indigo_type": "Email correspondence",
            },
            "Email correspondence with Portugal Social Innovation Unit on 23/05/2022",
        ],
        id="same-dated-email",
    ),
    pytest.param(
        [
            # POJ-0226 source1 written with the Unicode host, and with the IDNA one
            {
                "text": "Information about the project on the official web-site of VEB.RF",
                "indigo_type": "Website",
                "url": "https://xn--90ab5f.xn--p1ai/ustojchivoe-razvitie/socialnoe-finansirovanie-test/socialnye-proekty/project-04/",
            },
            {
                "text": "Information about the project on the official web-site of VEB.RF",
                "indigo_type": "Website",
                "url": "https://вэб.рф/ustojchivoe-razvitie/socialnoe-finansirovanie-test/socialnye-proekty/project-04/",
            },
        ],
        id="veb-rf-unicode-and-idna-host",
    ),
]


@pytest.mark.parametrize("rows", MERGES)
def test_citations_of_one_work_share_a_key(rows):
    keys = _keys(*rows)
    assert len(set(keys)) == 1, keys


APART = [
    pytest.param(
        [
            # POJ-0131 source2 and source6: interim 2017 and final 2019 of one evaluation
            "Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 9",
            "Fair Chance Fund Interim Report Year One (ICF, 2017), page 112",
        ],
        None,
        id="fcf-interim-2017-and-final-2019",
    ),
    pytest.param(
        [
            # POJ-0001, POJ-0001, POJ-0071: three sessions
            "Hack and Learn - August 2021",
            "Hack and Learn - September 2020",
            "Hack and Learn - March 2021",
        ],
        None,
        id="hack-and-learn-sessions",
    ),
    pytest.param(
        [
            # POJ-0062 source12 and POJ-0117 source6: two e-mail exchanges
            "Email correspondence with Portugal Social Innovation Unit on 23/05/2022",
            "Email exchange with Bridges Fund Management on 02/02/2022",
        ],
        None,
        id="two-emails",
    ),
    pytest.param(
        [
            # POJ-0316 source16 and POJ-0118 source16: undated, in two projects
            "Email correspondence with Social Finance",
            "Email correspondence with Social Finance",
        ],
        ["INDIGO-POJ-0316", "INDIGO-POJ-0118"],
        id="undated-email-in-two-projects",
    ),
    pytest.param(
        [
            # POJ-0327 source1 and POJ-0332 source1: two contracts' fact sheets
            "Fiche d'identité du contrat à impact: TELEMAQUE. Ministère du travail, de l'emploi et de l'insertion - France. ",
            "Fiche d'identité du contrat à impact: Mozaik RH. Ministère du travail, de l'emploi et de l'insertion - France. ",
        ],
        None,
        id="french-fact-sheets-of-two-contracts",
    ),
    pytest.param(
        [
            # POJ-0003 source1 and source8: one page that lists two reports
            "Resilient Families Impact Report 2013-18 accessed on 22/07/2019 at https://www.benevolent.org.au/about-us/innovative-approaches/social-benefit-bond#heading3",
            "Social Benefit Bond Investor Report, 30 October 2017 accessed on 22/07/2019 at https://www.benevolent.org.au/about-us/innovative-approaches/social-benefit-bond#heading3",
        ],
        None,
        id="two-reports-on-one-page",
    ),
    pytest.param(
        [
            # organisations_sources ORG-0001 and ORG-0002 source1: two companies' records
            {
                "text": "Companies House",
                "indigo_type": "Website",
                "url": "https://find-and-update.company-information.service.gov.uk/company/02963378",
            },
            {
                "text": "Companies House",
                "indigo_type": "Website",
                "url": "https://find-and-update.company-information.service.gov.uk/company/11379025",
            },
        ],
        None,
        id="companies-house-two-companies",
    ),
    pytest.param(
        [
            # POJ-0054 source4 and POJ-0044 source4: two projects in one database
            "Social Finance Database https://sibdatabase.socialfinance.org.uk/?project_id=5 accessed 26 July 2019.",
            "Social Finance database. https://sibdatabase.socialfinance.org.uk/?project_id=70, accessed 25 July 2019., ABN AMRO website https://www.abnamro.com/en/about-abnamro/in-society/sustainability/finance-and-investment/social-impact-bonds/index.html accessed 25 July 2019.",
        ],
        None,
        id="social-finance-database-two-projects",
    ),
    pytest.param(
        [
            # POJ-0224 source1 and POJ-0226 source1: one title, two projects' pages
            {
                "text": "Information about the project on the official web-site of VEB.RF",
                "indigo_type": "Website",
                "url": "https://xn--90ab5f.xn--p1ai/ustojchivoe-razvitie/socialnoe-finansirovanie-test/socialnye-proekty/project-03/",
            },
            {
                "text": "Information about the project on the official web-site of VEB.RF",
                "indigo_type": "Website",
                "url": "https://xn--90ab5f.xn--p1ai/ustojchivoe-razvitie/socialnoe-finansirovanie-test/socialnye-proekty/project-04/",
            },
        ],
        None,
        id="veb-rf-two-project-pages",
    ),
]


@pytest.mark.parametrize(("rows", "scopes"), APART)
def test_different_works_get_different_keys(rows, scopes):
    keys = _keys(*rows, scopes=scopes)
    assert len(set(keys)) == len(rows), keys


def test_keys_do_not_depend_on_input_order():
    rows = [row for param in MERGES + APART for row in param.values[0]]
    citations = [
        parse_citation(row) if isinstance(row, str) else parse_citation(**row) for row in rows
    ]
    forward = work_keys(citations)
    backward = work_keys(citations[::-1])[::-1]
    assert forward == backward


def test_explain_says_which_rule_merged_what():
    citations = [
        parse_citation("Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 9"),
        parse_citation("Evaluation of the Fair Chance Fund Final Report (ICF, 2019) page 22"),
        parse_citation("Hack and Learn - August 2021"),
    ]
    keys = work_keys(citations)
    lines = explain(citations, keys)
    assert lines[0] == "3 citations -> 2 works"
    text = "\n".join(lines)
    assert "same title ('evaluation of the fair chance fund final report', 2019)" in text
    assert "the Hack and Learn session of 2021-08" in text


# --- the whole 2025-05 snapshot ---------------------------------------------------------------


def _rows(name: str):
    with open(SNAPSHOT_2025 / name, encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _snapshot_citations() -> tuple[list[ParsedCitation], list[str]]:
    """Every citation of the four source and document files, with the record citing it;
    a string citing several sources gives each of them."""
    found: list[tuple[ParsedCitation, str]] = []
    for row in _rows("projects_sources.csv"):
        citation = parse_citation(
            row["Name - (Value)"],
            indigo_type=row["Type - (Value)"],
            publishing_organisations=row["Publishing Organisations - (Value)"],
            url=row["URL - (Value)"],
            archive_url=row["Archive URL - (Value)"],
            publication_date=row["Publication Date - (Value)"],
            accessed_date=row["Accessed Date - (Value)"],
        )
        found.append((citation, row["Project ID"]))
    for row in _rows("projects_documents.csv"):
        citation = parse_citation(
            row["Title - (Value)"], url=row["URL - (Value)"], notes=row["Notes"]
        )
        found.append((citation, row["Project ID"]))
    for row in _rows("organisations_sources.csv"):
        citation = parse_citation(
            row["Name"],
            indigo_type=row["Type - (Value)"],
            publishing_organisations=row["Publishing Organisations"],
            url=row["URL"],
            archive_url=row["Archive URL"],
            publication_date=row["Publication Date"],
            accessed_date=row["Accessed Date"],
        )
        found.append((citation, row["Organisation ID"]))
    for row in _rows("funds_documents.csv"):
        found.append(
            (parse_citation(row["Title"], url=row["URL"], notes=row["Notes"]), row["Fund ID"])
        )
    citations, scopes = [], []
    for citation, scope in found:
        for each in (citation, *citation.others):
            citations.append(each)
            scopes.append(scope.strip())
    return citations, scopes


@pytest.fixture(scope="module")
def snapshot():
    citations, scopes = _snapshot_citations()
    return citations, scopes, work_keys(citations, scopes=scopes)


def test_the_fair_chance_fund_final_report_is_one_work(snapshot):
    citations, _, keys = snapshot
    final = [
        key
        for citation, key in zip(citations, keys, strict=True)
        if "Fair Chance Fund Final Report (ICF, 2019)" in citation.original
        and citation.title == "Evaluation of the Fair Chance Fund Final Report"
    ]
    assert len(final) >= 80
    assert len(set(final)) == 1


def test_hmp_peterborough_cites_five_distinct_evaluations(snapshot):
    citations, scopes, keys = snapshot
    works = {
        (citation.publisher, citation.year): key
        for citation, scope, key in zip(citations, scopes, keys, strict=True)
        if scope == "INDIGO-POJ-0153"
    }
    wanted = [
        ("QinetiQ, University of Leicester", 2014),
        ("National Institute of Economic and Social Research", 2017),
        ("RAND, MOJ", 2011),
        ("Ministry of Justice", 2014),
        ("University of Oxford", 2013),
    ]
    assert len({works[publisher_year] for publisher_year in wanted}) == 5


def test_the_snapshot_gives_fewer_than_1000_works_and_few_of_type_other(snapshot):
    citations, _, keys = snapshot
    works = {
        key
        for citation, key in zip(citations, keys, strict=True)
        if citation.document_type != "correspondence"
    }
    assert len(works) < 1000
    other = Counter(citation.document_type for citation in citations)["other"]
    assert other / len(citations) < 0.15


def test_no_title_keeps_a_url_an_accessed_note_or_a_page(snapshot):
    citations, _, _ = snapshot
    page_at_end = re.compile(
        r"(?i)(?:\bp\.|\bpp\.|\bpages?|\bpg\.?)\s*[\divxl]+(?:\s*-\s*\d+)?\.?$"
    )
    bad = [
        citation.title
        for citation in citations
        if "http" in citation.title.lower()
        or "[access" in citation.title.lower()
        or page_at_end.search(citation.title)
    ]
    assert bad == []


def test_the_snapshot_keys_do_not_depend_on_row_order(snapshot):
    citations, scopes, keys = snapshot
    backward = work_keys(citations[::-1], scopes=scopes[::-1])[::-1]
    assert backward == keys
