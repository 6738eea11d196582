"""Long facets of the case list (issue 15): the list shows the most frequent values, the chosen
ones and a link to a page of every value (found by name, paged, a GET form back to /cases/);
and the list's queries do not grow with the data. Factory-made records, written in bulk."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from cases.models import (
    DeliveryLocation,
    Investment,
    Organisation,
    OutcomePaymentCommitment,
    PolicySector,
    Project,
    ServiceProvision,
    Stage,
)
from cases.parties import refresh_party_flags
from common.facets import BOUNDED
from common.listing import FACET_PAGE_SIZE
from common.models import PublicationStatus

pytestmark = pytest.mark.django_db

COUNTRIES = ["GB", "US", "PT", "FR", "JP", "NL", "AU", "DK", "CA", "KR", "IN", "BE"]


def _world(projects: int, organisations: int) -> list[Organisation]:
    """``projects`` published projects (and a draft), each with a country, a payer, an
    investor and a provider drawn from ``organisations`` published ones (and a draft one,
    investor in every project): organisation i invests in about projects/(i+1) of them."""
    orgs = Organisation.objects.bulk_create(
        Organisation(
            indigo_id=f"INDIGO-ORG-8{i:03d}",
            name=f"Investor {i:03d}",
            status=PublicationStatus.PUBLISHED,
        )
        for i in range(organisations)
    )
    draft_org = Organisation.objects.create(
        indigo_id="INDIGO-ORG-8999", name="Secret draft bank", status=PublicationStatus.DRAFT
    )
    rows = Project.objects.bulk_create(
        Project(
            indigo_id=f"INDIGO-POJ-8{i:04d}",
            name=f"Project {i}",
            stage=list(Stage)[i % 4],
            policy_sector=list(PolicySector)[i % 8],
            launch_year=2012 + i % 10,
            status=PublicationStatus.PUBLISHED if i < projects else PublicationStatus.DRAFT,
        )
        for i in range(projects + 1)
    )
    DeliveryLocation.objects.bulk_create(
        DeliveryLocation(project=p, position=0, country=COUNTRIES[i % len(COUNTRIES)])
        for i, p in enumerate(rows)
    )
    # Investor k invests in the projects i with i % (k + 1) == 0: counts fall with k.
    Investment.objects.bulk_create(
        Investment(project=p, position=k, organisation=org)
        for i, p in enumerate(rows)
        for k, org in enumerate(orgs)
        if i % (k + 1) == 0
    )
    Investment.objects.bulk_create(
        Investment(project=p, position=organisations, organisation=draft_org) for p in rows
    )
    OutcomePaymentCommitment.objects.bulk_create(
        OutcomePaymentCommitment(project=p, position=0, organisation=orgs[i % len(orgs)])
        for i, p in enumerate(rows)
    )
    ServiceProvision.objects.bulk_create(
        ServiceProvision(project=p, position=0, organisation=orgs[-1 - i % len(orgs)])
        for i, p in enumerate(rows)
    )
    refresh_party_flags()  # bulk writes send no signals: as an import, refresh at the end
    return orgs


def _facet(response, name: str):
    return next(f for f in response.context["facets"] if f.name == name)


# -- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("projects", "organisations"), [(10, 5), (200, 100)])
def test_case_list_queries_do_not_grow_with_the_data(
    client, django_assert_num_queries, projects, organisations
):
    _world(projects, organisations)
    # 1 count; 2 the page of projects; 3 their delivery locations; 4 one statement for every
    # facet and range (common.facets.count_parts), however many values they have
    with django_assert_num_queries(4):
        assert client.get("/cases/").status_code == 200
    # project 0 (and every 24th) is in the first policy area and GB, with investor 0
    three = {"policy_area": PolicySector.values[0], "country": "GB", "investor": "INDIGO-ORG-8000"}
    with django_assert_num_queries(4):
        response = client.get("/cases/", three)
    assert response.context["page"].paginator.count == -(-projects // 24)
    # the same four, and 5: the passages of the page's projects that match
    with django_assert_num_queries(5):
        assert client.get("/cases/", {"q": "project"}).status_code == 200
    # the facet page: 1 statement, the facet's counts
    with django_assert_num_queries(1):
        assert client.get("/cases/facets/investor/", {"find": "1"}).status_code == 200


# -- bounded lists -----------------------------------------------------------------------------


def test_a_long_facet_lists_the_most_frequent_values_and_links_to_them_all(client):
    orgs = _world(60, 30)
    facet = _facet(client.get("/cases/"), "investor")
    # investor k invests in 60/(k+1) projects (rounded up): the first ten by count, then name
    values = [v for v in facet.values if v.value != "none"]
    assert [v.value for v in values] == [o.indigo_id for o in orgs[:BOUNDED]]
    assert [v.count for v in values] == [-(-60 // (k + 1)) for k in range(BOUNDED)]
    assert facet.total == 30 and facet.more
    response = client.get("/cases/", {"stage": Stage.IMPLEMENTATION, "page": 2, "sort": "name"})
    facet = _facet(response, "investor")
    # under the stage filter (projects 1, 5, 9, ...): the investors with any of them
    with_any = [k for k in range(30) if any(i % 4 == 1 for i in range(0, 60, k + 1))]
    assert facet.total == len(with_any)
    html = response.content.decode()
    link = re.search(r'<a href="(/cases/facets/investor/\?[^"]*)">Show all (\d+) investor', html)
    assert link and int(link[2]) == facet.total
    assert parse_qs(urlsplit(link[1].replace("&amp;", "&")).query) == {"stage": ["implementation"]}
    assert "Secret draft bank" not in html


def test_a_chosen_value_past_the_top_ones_is_listed_with_its_count(client):
    orgs = _world(60, 30)
    rare = orgs[25]  # invests in projects 0, 26 and 52
    response = client.get("/cases/", {"investor": rare.indigo_id})
    values = {v.value: v for v in _facet(response, "investor").values}
    assert values[rare.indigo_id].selected and values[rare.indigo_id].count == 3
    assert len([v for v in values if v != "none"]) == BOUNDED + 1


def test_a_short_facet_has_no_link(client):
    _world(12, 3)
    response = client.get("/cases/")
    assert not _facet(response, "investor").more
    assert "/cases/facets/investor/" not in response.content.decode()


# -- the page of every value -------------------------------------------------------------------


def test_the_facet_page_lists_every_value_with_its_count_under_the_other_filters(client):
    orgs = _world(60, 30)
    response = client.get(
        "/cases/facets/investor/", {"stage": Stage.IMPLEMENTATION, "investor": orgs[3].indigo_id}
    )
    assert response.status_code == 200
    html = response.content.decode()
    shown = {v.value: v.count for v in response.context["page"].object_list}
    for org in orgs:
        count = (
            Project.objects.published()
            .filter(stage=Stage.IMPLEMENTATION, investments__organisation=org)
            .distinct()
            .count()
        )
        assert shown.get(org.indigo_id, 0) == count, org.indigo_id
    # a GET form back to the list, keeping the other filters, the chosen value ticked
    form = re.search(
        r'<form method="get" action="/cases/" class="facet-values">(.*?)</form>', html, re.S
    )
    assert form
    assert '<input type="hidden" name="stage" value="implementation">' in form[1]
    assert re.search(rf'name="investor" value="{orgs[3].indigo_id}" checked', form[1])
    assert "<fieldset" in form[1] and "<legend>" in form[1]
    assert "Secret draft bank" not in html and "INDIGO-ORG-8999" not in html


def test_the_facet_page_finds_values_by_name_and_keeps_the_filters(client):
    _world(40, 30)
    response = client.get("/cases/facets/investor/", {"find": " investor  02", "country": "GB"})
    labels = [v.label for v in response.context["page"].object_list]
    assert labels and all("Investor 02" in label for label in labels)
    html = response.content.decode()
    assert 'name="find" value="investor 02"' in html
    find_form = re.search(
        r'<form method="get" action="/cases/facets/investor/"[^>]*>(.*?)</form>', html, re.S
    )
    assert find_form and '<input type="hidden" name="country" value="GB">' in find_form[1]


def test_the_facet_page_pages_long_lists(client):
    _world(FACET_PAGE_SIZE + 10, FACET_PAGE_SIZE + 10)
    first = client.get("/cases/facets/investor/")
    second = client.get("/cases/facets/investor/", {"page": 2})
    assert len(first.context["page"].object_list) == FACET_PAGE_SIZE
    assert second.context["page"].number == 2 and second.context["page"].object_list
    assert 'rel="next"' in first.content.decode()


def test_the_facet_page_counts_no_draft_project(client):
    _world(5, 2)
    response = client.get("/cases/facets/country/")
    counts = {v.value: v.count for v in response.context["page"].object_list}
    # projects 0-4 are public (GB, US, PT, FR, JP); the draft one (in NL) is not
    assert "NL" not in counts and sum(counts.values()) == 5


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/cases/facets/investor/", {"find": "\x01\x1f\ufffe" * 50}),
        ("/cases/facets/investor/", {"find": "%' OR 1=1 --"}),
        ("/cases/facets/investor/", {"page": "-1"}),
        ("/cases/facets/investor/", {"page": "999999"}),
        ("/cases/facets/investor/", {"page": "abc"}),
        ("/cases/facets/investor/", {"investor": "INDIGO-ORG-" + "9" * 300}),
        ("/cases/facets/country/", {"country": ["GB", "xx", "none"], "stage": "sideways"}),
        ("/cases/facets/stage/", {"launch_year_min": "9" * 40, "capital_max": "1e999"}),
        ("/cases/facets/has_results/", {"has_results": "maybe"}),
        ("/cases/facets/outcome_payer/", {"outcome_payer": "none", "q": "project"}),
    ],
)
def test_odd_parameters_on_the_facet_page_give_200(client, path, params):
    _world(4, 3)
    assert client.get(path, params).status_code == 200


@pytest.mark.parametrize("name", ["nope", "launch_year", "capital", "q", "page", "DROP"])
def test_a_facet_page_for_no_facet_is_404(client, name):
    _world(2, 2)
    assert client.get(f"/cases/facets/{name}/").status_code == 404


def test_the_facet_page_is_get_only(client):
    assert client.post("/cases/facets/investor/").status_code == 405


def test_facet_counts_are_cached_under_the_data_version(result_cache):
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from cases.filters import CaseFilter
    from common.facets import count_facets

    _world(8, 3)

    def stage_counts() -> dict[str, int]:
        filterset = CaseFilter(QueryDict("country=GB"), queryset=Project.objects.published())
        facets, _ranges = count_facets(filterset)
        return {v.value: v.count for v in next(f for f in facets if f.name == "stage").values}

    first = stage_counts()
    assert first == {Stage.CONTRACTED: 1}  # project 0, the only one in GB
    with CaptureQueriesContext(connection) as queries:
        assert stage_counts() == first
    assert not any("UNION ALL" in q["sql"] for q in queries.captured_queries)
    # A save bumps the data version: the counts are computed again, and right.
    project = Project.objects.get(indigo_id="INDIGO-POJ-80000")
    project.stage = Stage.COMPLETE
    project.save()
    assert stage_counts() == {Stage.COMPLETE: 1}


def _facet_statement(client, params: dict) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/", params).status_code == 200
    return next(q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"])


@pytest.mark.parametrize(
    ("params", "passes"),
    [({}, 1), ({"country": "GB"}, 2), ({"country": "GB", "launch_year_min": "2015"}, 3)],
)
def test_spans_yes_no_and_not_recorded_counts_under_the_same_filters_are_one_pass(
    client, params, passes
):
    """Each facet ignores its own filter, so the tallies (spans, yes/no and "not recorded"
    counts) fall into one group per distinct set of filters, and each group is one aggregate
    pass over the listed cases: 11 passes before, whatever the filters."""
    _world(30, 6)
    sql = _facet_statement(client, params)
    assert len(re.findall(r"facet_tally_\d+ AS \(", sql)) == passes
    # 2 grouped column facets + the tally groups + 4 joined facets' lists of case keys (and
    # one more for the chosen countries' own counts)
    chosen = 1 if "country" in params else 0
    assert sql.count('FROM "cases_project"') == 2 + passes + 4 + chosen


def test_tallies_give_the_counts_that_filtering_gives(client):
    _world(48, 6)
    Project.objects.filter(launch_year__gte=2017).update(has_results=True)
    Project.objects.filter(launch_year=2014).update(launch_year=None)  # one of the cases in GB
    response = client.get("/cases/", {"country": "GB"})
    shown = {f.name: {v.value: v.count for v in f.values} for f in response.context["facets"]}
    listed = Project.objects.filter(status=PublicationStatus.PUBLISHED)
    in_gb = listed.filter(delivery_locations__country="GB")
    yes, no = in_gb.filter(has_results=True).count(), in_gb.filter(has_results=False).count()
    assert yes and no
    assert (shown["has_results"]["yes"], shown["has_results"]["no"]) == (yes, no)
    ranges = {r.name: r for r in response.context["ranges"]}
    years = [y for y in in_gb.values_list("launch_year", flat=True) if y is not None]
    missing = in_gb.filter(launch_year=None).count()
    assert missing
    span = ranges["launch_year"]
    assert (span.low, span.high, span.not_recorded) == (min(years), max(years), missing)


def test_the_country_filter_reads_the_cases_of_a_country_from_the_locations_index(client):
    """The cases in a country come from the locations' (country, case) index as one list,
    not from a probe of each listed case's locations (with only a (case, country) index,
    PostgreSQL read every location for each part of the facet statement: 7 ms each at 100k)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import DeliveryLocation

    _world(24, 4)
    indexes = {tuple(index.fields): index.name for index in DeliveryLocation._meta.indexes}
    assert indexes[("country", "project")] == "location_by_country_idx"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/", {"country": "GB"})
    count = next(q["sql"] for q in queries.captured_queries if '"__count"' in q["sql"])
    assert "EXISTS" not in count
    assert '"cases_project"."id" IN (SELECT "U0"."project_id"' in count
    assert response.context["page"].paginator.count == 2


def test_facets_leaving_out_the_same_filters_share_one_queryset_and_a_zero_still_filters(client):
    """FacetedFilterSet.without() hands out one object per set of filters that change rows,
    so that the statement works each base out once; a filter of 0 changes rows (capital
    from 0 leaves out the cases whose capital is not recorded) and is never taken as absent."""
    from cases.filters import CaseFilter

    _world(24, 4)
    chosen = CaseFilter({"capital_min": "0", "country": ["GB"]}, queryset=Project.objects.all())
    assert chosen.without("stage") is chosen.without() is chosen.without("policy_area", "q")
    assert chosen.without("country") is not chosen.without()
    assert chosen.without("capital_min") is not chosen.without()
    response = client.get("/cases/", {"capital_min": "0"})
    assert response.context["page"].paginator.count == 0  # no case has a capital recorded
    capital = next(r for r in response.context["ranges"] if r.name == "capital")
    assert capital.not_recorded == 24  # counted without its own filter


def test_the_first_page_by_name_is_read_in_index_order(client):
    """The default order (by name) is read from an index in that order on both databases:
    PostgreSQL takes no order from an index led by a column only said to be NULL, so it
    sorted every listed case (43 ms for one policy area at 100k) until the partial index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _world(30, 3)
    with CaptureQueriesContext(connection) as queries:
        client.get("/cases/", {"policy_area": PolicySector.values[0]})
    listing = next(q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the tables are tiny here: the plan the planner would take were sorting dear
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + listing)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "project_public_by_name_idx" in plan and "Sort" not in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + listing)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "project_by_name_idx" in plan and "TEMP B-TREE" not in plan
