"""Property: whatever a client sends to /cases/, the answer is never a server error. Over
factory-made projects that give every facet and range values (the input is the point)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import varied_projects

PARAMETERS = [
    "q",
    "policy_area",
    "country",
    "stage",
    "outcome_payer",
    "investor",
    "service_provider",
    "launch_year_min",
    "launch_year_max",
    "launch_year_none",
    "capital_min",
    "capital_max",
    "capital_none",
    "users_min",
    "users_max",
    "users_none",
    "has_results",
    "has_evaluation",
    "sort",
    "page",
    "per_page",
]

values = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["GB", "none", "health", "INDIGO-ORG-0008", "yes", "1", "\x00", "%", "'", "*", '"']
    ),
)
queries = st.dictionaries(
    st.sampled_from(PARAMETERS), st.lists(values, min_size=1, max_size=3), max_size=6
)


@pytest.fixture
def projects(db):
    return varied_projects(8)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=queries)
def test_no_parameter_value_gives_a_server_error(client, projects, query):
    response = client.get("/cases/", query)
    assert response.status_code < 500
