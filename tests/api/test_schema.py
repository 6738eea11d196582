"""The OpenAPI schema, and the API against it: schemathesis generates requests from the
schema (a few per operation) and sends them to the app, in process, over the real 2025-05
snapshot; no answer may be a server error, and every answer must conform to the schema."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from golab.wsgi import application

SCHEMA = json.loads(json.dumps(SchemaGenerator().get_schema(public=True), cls=DjangoJSONEncoder))
schema = schemathesis.openapi.from_dict(SCHEMA)
# Requests the schema allows (the 400s of values it does not are tested in test_api.py), in
# random examples only: the coverage phase's every-boundary cases take minutes.
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE], max_examples=4)
schema.config.phases.update(phases=["examples", "fuzzing"])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_schema_is_served_and_lists_every_resource(client, db):
    response = client.get("/api/schema/", headers={"accept": "application/json"})
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"].startswith("3.")
    for resource in ("cases", "organisations", "funds", "outcome-metrics", "evidence", "pipeline"):
        assert f"/api/v1/{resource}/" in served["paths"]
        assert f"/api/v1/{resource}/withdrawn/" in served["paths"]
    parameters = {p["name"] for p in served["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert {"q", "policy_area", "country", "stage", "sort", "updated_since", "page"} <= parameters


def test_docs_page_is_served_from_our_static_files(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "//cdn" not in html and "unpkg" not in html
    assert "X-Data-Attribution" in html  # the prose is there without JavaScript
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "/api/schema/" in script.content.decode()


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, indigo_2025, app_in_this_transaction):
    response = case.call(app=application)
    case.validate_response(response, checks=CHECKS)


@pytest.fixture
def app_in_this_transaction(settings):
    """The WSGI app, called in process, in the test's database transaction: as Django's test
    client does, the end of a request must not close the test's connection."""
    settings.API_RATE_LIMIT = ""  # many requests in a few seconds, by design
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
