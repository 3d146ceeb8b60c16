"""Schemathesis against the live OpenAPI schema: every operation, generated inputs (valid and
invalid), called in-process through the WSGI app with the tokens of staff in three roles — no server
errors, and responses that keep to the schema: status codes, content types, headers and bodies;
invalid input refused; required headers and unsupported methods answered as documented.

Two of schemathesis' response checks are left out, each for a reason of the harness or the schema
language, not of the API: `ignored_auth` (the harness sends the staff token on every call, so the
check's "invalid" credentials never reach the server; refusals without a token are in
tests/web/test_every_route_is_scoped.py) and `positive_data_acceptance` (business rules an OpenAPI
schema cannot state, e.g. an account or card number is revealed only with its account, answer 400)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)


@pytest.fixture
def wsgi_requests_keep_the_test_connection():
    """As Django's test client does: a WSGI request must not close the database connection the test
    transaction lives on (PostgreSQL would answer every later query with "connection is closed")."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["head_a", "rm_a", "compliance"])
def api_schema(request, lake, settings, wsgi_requests_keep_the_test_connection):
    """The schema as served to a branch head, an RM and compliance (the audit operations answer 200)."""
    settings.ALLOWED_HOSTS = ["*"]
    token = Token.objects.create(user=lake.staff[request.param])
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, headers={"Authorization": f"Token {token}"}
    )
    schema.test_token = token.key
    return schema


def test_no_operation_gives_a_server_error(api_schema):
    """One Hypothesis run per operation (schemathesis' pytest plugin does not support pytest 9 yet)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    headers = {"Authorization": f"Token {api_schema.test_token}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        negative_data_rejection,
        missing_required_header,
        unsupported_method,
    ]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def call(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks)
            assert response.status_code != 401, "the token was not accepted"

        call()
