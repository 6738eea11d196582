"""Every insights URL answers odd parameters with 200 or 4xx, never a server error."""

from __future__ import annotations

import pytest

from tests.factories import ProjectFactory

URLS = [
    "/insights/",
    "/insights/launches.csv",
    "/insights/evidence/",
    "/insights/prices/",
    "/insights/prices/export.csv",
    "/compare/",
    "/compare/export.csv",
]
PARAMS = [
    "?country=GB&country=GB&country=" + "X" * 500,
    "?launch_year_min=99999999999&capital_min=1e400",
    "?cases=%E2%80%8B,INDIGO-POJ-0001",
    "?cases=INDIGO-POJ-00000000001,INDIGO-POJ-0002",
    "?q=" + "a" * 5000,
    "?policy_area=none&stage=none&country=none",
    "?users_max=-1&has_results=yes&has_evaluation=no",
    "?add=" + "Z" * 3000,
    "?cases[]=1",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_odd_parameters_answer_200_or_4xx(client, url):
    ProjectFactory(indigo_id="INDIGO-POJ-0001")
    ProjectFactory(indigo_id="INDIGO-POJ-0002")
    statuses = {params: client.get(url + params).status_code for params in PARAMS}
    assert all(200 <= status < 500 for status in statuses.values()), statuses
