"""/cases/ on the real 2025-05 snapshot: results and facet counts computed from the CSVs; and
on factory-made projects, what needs no real data: sorts, bad input, pinned query counts."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from cases.models import Organisation, PolicySector, Stage
from tests.conftest import SNAPSHOT_2025, read_csv
from tests.factories import varied_projects

pytestmark = pytest.mark.django_db

RESULT_LINK = re.compile(r'<h3 class="case-result__title"><a href="/cases/(INDIGO-POJ-\d+)/">')


def _csvvaried_projects() -> dict[str, dict[str, object]]:
    """What the files say about each project, for the facets."""
    _header, rows = read_csv(SNAPSHOT_2025 / "projects.csv")
    projects = {
        r["ID"].strip(): {
            "sector": r["Purpose and classifications - Policy sector - (Value)"].strip(),
            "stage": r["Stage of Development - (Value)"].strip(),
            "countries": set(),
            "roles": defaultdict(set),
            "results": False,
        }
        for r in rows
    }
    for r in read_csv(SNAPSHOT_2025 / "projects_delivery_locations.csv")[1]:
        if r["Location - Country - (Value)"].strip():
            projects[r["Project ID"].strip()]["countries"].add(
                r["Location - Country - (Value)"].strip()
            )
    known = {r["ID"].strip() for r in read_csv(SNAPSHOT_2025 / "organisations.csv")[1]}
    for role, file in [
        ("outcome_payer", "projects_outcome_payment_commitments.csv"),
        ("investor", "projects_investments.csv"),
        ("service_provider", "projects_service_provisions.csv"),
    ]:
        for r in read_csv(SNAPSHOT_2025 / file)[1]:
            org = r["Organisation ID - (Value)"].strip()
            if org in known:
                projects[r["Project ID"].strip()]["roles"][role].add(org)
    for r in read_csv(SNAPSHOT_2025 / "projects_results.csv")[1]:
        projects[r["Project ID"].strip()]["results"] = True
    return projects


def _ids(response) -> list[str]:
    return RESULT_LINK.findall(response.content.decode())


def test_criminal_justice_in_gb_lists_exactly_what_the_csv_says(client, indigo_2025):
    projects = _csvvaried_projects()
    expected = {
        pid
        for pid, p in projects.items()
        if p["sector"] == "Criminal justice" and "GB" in p["countries"]
    }
    response = client.get(
        "/cases/", {"policy_area": "criminal-justice", "country": "GB", "per_page": 100}
    )
    assert response.status_code == 200
    assert expected and set(_ids(response)) == expected
    assert f"{len(expected)} case studies" in response.content.decode()


def test_every_facet_count_shown_equals_the_count_from_the_csv(client, indigo_2025):
    projects = _csvvaried_projects()
    response = client.get("/cases/", {"policy_area": "criminal-justice", "country": "GB"})
    facets = {facet.name: facet for facet in response.context["facets"]}

    def where(**skip):
        return [
            p
            for p in projects.values()
            if (skip.get("sector") or p["sector"] == "Criminal justice")
            and (skip.get("country") or "GB" in p["countries"])
        ]

    stage_values = {label: value for value, label in Stage.choices}
    sector_values = {label: value for value, label in PolicySector.choices}
    expected = {
        "policy_area": Counter(sector_values[p["sector"]] for p in where(sector=True)),
        "country": Counter(c for p in where(country=True) for c in p["countries"]),
        "stage": Counter(stage_values[p["stage"]] for p in where()),
        "has_results": Counter("yes" if p["results"] else "no" for p in where()),
    }
    for role in ("outcome_payer", "investor", "service_provider"):
        expected[role] = Counter(org for p in where() for org in p["roles"][role])
        expected[role]["none"] = sum(1 for p in where() if not p["roles"][role])
    expected["country"]["none"] = sum(1 for p in where(country=True) if not p["countries"])
    checked = 0
    for name, counts in expected.items():
        shown = {v.value: v.count for v in facets[name].values}
        for value, count in shown.items():
            assert count == counts.get(value, 0), (name, value)
            checked += 1
        # every value with results is shown; a long facet shows its most frequent ones and
        # says how many there are (the rest are on its own page)
        with_count = {v for v, n in counts.items() if n and v != "none"}
        if facets[name].more:
            assert facets[name].total == len(with_count), name
            least_shown = min(n for v, n in shown.items() if v != "none")
            assert all(counts[v] <= least_shown for v in with_count - set(shown)), name
        else:
            assert with_count <= set(shown), name
    assert checked > 20


def test_counts_hide_zero_values_and_keep_chosen_ones(client, indigo_2025):
    response = client.get(
        "/cases/", {"policy_area": ["criminal-justice", "poverty-reduction"], "country": "GB"}
    )
    values = {
        v.value: v
        for v in next(f for f in response.context["facets"] if f.name == "policy_area").values
    }
    assert values["criminal-justice"].selected and values["criminal-justice"].count > 0
    assert all(v.count > 0 or v.selected for v in values.values())


def test_search_peterborough_ranks_the_peterborough_sib_first(client, indigo_2025):
    response = client.get("/cases/", {"q": "Peterborough"})
    ids = _ids(response)
    assert ids[0] == "INDIGO-POJ-0153"
    assert "<mark>Peterborough</mark>" in response.content.decode()


def test_search_homeless_returns_only_projects_whose_text_matches(client, indigo_2025):
    from cases.models import Project

    response = client.get("/cases/", {"q": "homeless", "per_page": 100})
    ids = set(_ids(response))
    assert len(ids) >= 30
    texts = {
        pid: f"{name} {text}".lower()
        for pid, name, text in Project.objects.values_list("indigo_id", "name", "search_text")
    }
    assert all("homeless" in texts[pid] for pid in ids)
    with_word = {pid for pid, text in texts.items() if re.search(r"\bhomeless", text)}
    assert ids <= with_word and len(with_word - ids) <= 3  # stemming may differ at the edges


def test_search_combines_with_facets_and_sorts(client, indigo_2025):
    response = client.get("/cases/", {"q": "homeless", "country": "GB", "sort": "capital"})
    assert response.status_code == 200
    assert response.context["sort"] == "capital"
    rows = response.context["rows"]
    capitals = [p.capital_raised_usd for p in rows if p.capital_raised_usd is not None]
    assert capitals == sorted(capitals, reverse=True)


@pytest.mark.parametrize("sort", ["newest", "capital", "users", "name"])
def test_every_sort_gives_200(client, sort):
    varied_projects(4)
    assert client.get("/cases/", {"sort": sort}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x01\x1f\ufffe"},  # NUL itself is a 400: tests/golab/test_hostile_input.py
        {"country": "\x07GB"},
        {"launch_year_min": "9" * 40},
        {"capital_max": "1e999"},
        {"users_min": "-5"},
        {"stage": "sideways"},
        {"policy_area": ["health", "health", "nope"]},
        {"page": "999999"},
        {"page": "-1"},
        {"per_page": "100000"},
        {"sort": "drop table"},
        {"outcome_payer": "INDIGO-ORG-" + "9" * 300},
        {"has_results": "maybe"},
        {"launch_year_none": "banana"},
    ],
)
def test_odd_parameters_give_200(client, params):
    varied_projects(4)
    response = client.get("/cases/", params)
    assert response.status_code == 200


def test_invalid_values_are_named_in_the_notice(client):
    health = {p.indigo_id for p in varied_projects(20) if p.policy_sector == PolicySector.HEALTH}
    response = client.get("/cases/", {"stage": "sideways", "policy_area": "health"})
    html = response.content.decode()
    assert "have been ignored" in html and "<code>stage</code>" in html
    assert health and set(_ids(response)) == health  # the valid filter still applies


@pytest.mark.parametrize("rows", [2, 20])
def test_list_query_count_does_not_grow_with_rows_or_page_size(
    client, django_assert_num_queries, rows
):
    varied_projects(rows)
    # 1 count; 2 page of projects; 3 their delivery locations; 4 one statement for every
    # facet (common.facets.count_parts): policy area, stage, has results, has evaluation,
    # the three ranges, countries and three role facets, each with "not recorded"
    for size in (10, 100):
        with django_assert_num_queries(4):
            assert client.get("/cases/", {"per_page": size}).status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_search_adds_one_query_for_passages(client, django_assert_num_queries, rows):
    varied_projects(rows)
    # the four above, and 5: the passages of the page's projects that match
    with django_assert_num_queries(5):
        response = client.get("/cases/", {"q": "employment", "per_page": 100})
    assert response.status_code == 200 and len(response.context["rows"]) == rows


def test_organisation_facets_find_projects_by_payer(client, indigo_2025):
    _header, rows = read_csv(SNAPSHOT_2025 / "projects_outcome_payment_commitments.csv")
    payers = Counter(r["Organisation ID - (Value)"].strip() for r in rows)
    payer = next(org for org, _n in payers.most_common() if org.startswith("INDIGO-ORG-"))
    assert Organisation.objects.filter(indigo_id=payer).exists()
    response = client.get("/cases/", {"outcome_payer": payer, "per_page": 100})
    expected = {
        r["Project ID"].strip() for r in rows if r["Organisation ID - (Value)"].strip() == payer
    }
    assert len(expected) > 1
    assert set(_ids(response)) == expected


def test_pages_read_walking_the_name_index_are_the_sorted_pages(
    client, monkeypatch, django_assert_num_queries
):
    """On SQLite a page of many matching cases is read walking the index by name (common.
    listing): every page is the one sorting all the matches gives, also where the first rows
    of the index hold too few matches and the page is sorted after all."""
    from django.db import connection

    from common import listing
    from tests.factories import ProjectFactory

    monkeypatch.setattr(listing, "WALK_FROM", 5)
    monkeypatch.setattr(listing, "WALK", 24)
    employment, health = PolicySector.EMPLOYMENT, PolicySector.HEALTH
    for i in range(48):
        # names out of creation order; every other case in employment
        ProjectFactory(name=f"Case {(i * 17) % 48:02d}", policy_sector=(employment, health)[i % 2])
    expected = sorted(f"Case {(i * 17) % 48:02d}" for i in range(0, 48, 2))
    # 1 count; 2 the page (walked on SQLite); 3 its locations; 4 facets
    with django_assert_num_queries(4):
        first = client.get("/cases/", {"policy_area": employment, "per_page": 10})
    shown = [row.name for row in first.context["rows"]]
    # Beyond the 12 matches among the first 24 cases: walked in vain (the page and its
    # locations), then sorted, on SQLite.
    with django_assert_num_queries(6 if connection.vendor == "sqlite" else 4):
        second = client.get("/cases/", {"policy_area": employment, "per_page": 10, "page": 2})
    shown += [row.name for row in second.context["rows"]]
    third = client.get("/cases/", {"policy_area": employment, "per_page": 10, "page": 3})
    shown += [row.name for row in third.context["rows"]]
    assert shown == expected
    assert list(first.context["page"].object_list) == first.context["rows"]
