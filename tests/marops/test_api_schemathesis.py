"""Schemathesis against the published OpenAPI schema: generated requests never cause a server error.

Bounded: a dozen generated requests per operation, run in-process against the WSGI application."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from marops.tokens import api_token_create
from marops.wsgi import application
from tests.conftest import make_user


@pytest.fixture
def wsgi_in_test_transaction(db):
    # The WSGI handler closes the database connection after each request; inside a test transaction
    # that would close the test's own connection (Django's test client switches this off too).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_generated_request_causes_a_server_error(wsgi_in_test_transaction, demo):
    _, token = api_token_create(user=make_user("fuzzer", "MarOps staff"), name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_in_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    statuses = []
    for operation in operations:

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def no_server_error(case):
            response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error])
            statuses.append(response.status_code)

        no_server_error()
    assert len(statuses) >= 40 and {200, 422} <= set(statuses)  # it really called the API, both ways
