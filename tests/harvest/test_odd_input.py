"""Property: whatever a client sends to the feeds, the sitemap or /oai, the answer is never a
server error; /oai always answers valid OAI-PMH (an error element when the request is bad)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from golab.oai import response_schema
from tests.factories import EvidenceDocumentFactory, varied_projects

SCHEMA = response_schema()
OAI_ARGUMENTS = ["verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"]
FEED_PARAMETERS = ["q", "policy_area", "country", "stage", "launch_year_min", "type", "year_min",
                   "rating", "sort", "page", "per_page", "p"]  # fmt: skip

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "ListRecords", "GetRecord", "ListIdentifiers", "Identify", "ListSets", "oai_dc",
            "oai:outcomes.example.org:case/1", "oai:outcomes.example.org:evidence/99999999999",
            "2020-01-01", "2020-01-01T00:00:00Z", "9999-99-99", "case", "policy-area:health",
            "\x00", "%", "'", "<", "&", "health", "GB",
        ]
    ),
)  # fmt: skip


def params(names: list[str]):
    return st.dictionaries(
        st.sampled_from(names), st.lists(values, min_size=1, max_size=2), max_size=5
    )


@pytest.fixture
def world(db):
    varied_projects(4)
    EvidenceDocumentFactory.create_batch(3)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=params(OAI_ARGUMENTS))
def test_oai_answers_valid_xml_whatever_it_is_sent(client, world, query):
    response = client.get("/oai", query)
    assert response.status_code in (200, 400)  # 400: a NUL byte (golab.middleware)
    if response.status_code == 200:
        root = etree.fromstring(response.content)
        assert SCHEMA.validate(root), SCHEMA.error_log.filter_from_errors()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=params(FEED_PARAMETERS))
def test_feeds_and_sitemap_never_give_a_server_error(client, world, query):
    for url in ["/feeds/cases/", "/feeds/evidence/", "/sitemap-cases.xml"]:
        assert client.get(url, query).status_code < 500
