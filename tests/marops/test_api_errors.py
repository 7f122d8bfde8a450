"""The API answers every error in JSON, never Django's HTML: an unknown address or object (404), a
method an endpoint does not take (405), a repeated or mistyped query parameter (422), a bug (500) and
a database out of reach (503 with Retry-After). The OpenAPI document lists each operation's errors."""

import logging
import socket

import pytest
from django.db import connections
from django.urls import path

from marops.api import JsonErrorsAPI
from marops.tokens import api_token_create
from tests.conftest import make_user
from workflows.models import Platform, Step

# A second API built the same way, with an operation that has a bug (for the 500): see `urlpatterns`.
broken = JsonErrorsAPI(urls_namespace="broken-api", auth=None, docs_url=None, openapi_url=None)


@broken.post("/platforms")
def add_platform_then_fail(request):
    Platform.objects.create(name="Half-written", category="other")
    return {"per_platform": 1 / 0}


urlpatterns = [path("api/broken/", broken.urls)]  # under /api/: no login page


@pytest.fixture
def reader(client, demo):
    _, key = api_token_create(user=make_user("api-reader", "Executives"), name="errors")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def is_json_error(response, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"].startswith("application/json")
        and isinstance(response.json()["detail"], str | list)
    )


@pytest.mark.django_db
def test_unknown_addresses_and_objects_are_json_404s(reader):
    for url in ["/api/v1/", "/api/v1/nothing-here", "/api/v1/workflows/1/steps", "/api/v1/workflows/999999",
                "/api/v1/incidents/999999", "/api/v1/steps/999999/accountable"]:  # fmt: skip
        response = reader.get(url)
        assert is_json_error(response, 404), url
    assert reader.get("/api/v1/nothing-here").json() == {"detail": "No endpoint at /api/v1/nothing-here."}
    assert reader.post("/api/v1/agents/999999/pause", {"reason": "x"}, content_type="application/json").status_code in (
        403,  # Executives may not pause agents: the permission is checked before the agent is looked up
        404,
    )


@pytest.mark.django_db
def test_a_method_an_endpoint_does_not_take_is_a_json_405_with_allow(reader):
    response = reader.delete("/api/v1/workflows")
    assert is_json_error(response, 405) and response["Allow"] == "GET"
    assert response.json() == {"detail": "DELETE is not allowed here; use GET."}
    assert is_json_error(reader.post("/api/v1/flags", {}, content_type="application/json"), 405)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=1&page=2", "page"),
        ("per_page=5&per_page=50", "per_page"),
        ("critical=true&critical=false", "critical"),
        ("page=abc", "page"),
        ("per_page=1e3", "per_page"),
        ("critical=maybe", "critical"),
    ],
)
def test_a_repeated_or_mistyped_query_parameter_is_a_422_naming_it(reader, query, parameter):
    response = reader.get(f"/api/v1/workflows?{query}")
    assert is_json_error(response, 422)
    assert [error["loc"] for error in response.json()["detail"]] == [["query", parameter]]
    if "&" in query:
        assert response.json()["detail"][0]["msg"] == "Given 2 times; give it once."


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["at=notadate", "at=2026-01-01T00:00:00Z&at=2026-02-01T00:00:00Z"])
def test_a_repeated_or_mistyped_moment_is_a_422_naming_it(reader, query):
    step = Step.objects.first()
    response = reader.get(f"/api/v1/steps/{step.pk}/accountable?{query}")
    assert is_json_error(response, 422)
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "at"]]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_json_error(client, demo):
    _, key = api_token_create(user=make_user("api-staff", "MarOps staff"), name="errors")
    response = client.post(
        "/api/v1/incidents", "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert is_json_error(response, 400)


@pytest.mark.django_db
def test_no_token_is_a_json_401(client):
    response = client.get("/api/v1/workflows")
    assert is_json_error(response, 401)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_bug_is_a_logged_json_500_and_what_it_wrote_is_rolled_back(client, caplog):
    client.raise_request_exception = False  # the test client would re-raise the bug, as for a page
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/api/broken/platforms")
    assert is_json_error(response, 500)
    assert response.json() == {"detail": "Something went wrong on our side; it has been logged."}
    assert "Internal Server Error: /api/broken/platforms" in caplog.text and "ZeroDivisionError" in caplog.text
    assert not Platform.objects.filter(name="Half-written").exists()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.postgres
def test_an_unreachable_database_is_a_json_503_with_retry_after_and_requests_recover(
    client, django_db_blocker, closed_port
):
    """The real connection, pointed at a port where no database listens (as when PostgreSQL is down)."""
    connection = connections["default"]
    with django_db_blocker.unblock():
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=closed_port)
        try:
            down = client.get("/api/v1/workflows", HTTP_AUTHORIZATION="Bearer mo_anything")
            write = client.post("/api/v1/incidents", {}, content_type="application/json")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
        back = client.get("/api/v1/workflows", HTTP_AUTHORIZATION="Bearer mo_unknown")
    for response in (down, write):
        assert is_json_error(response, 503) and response["Retry-After"] == "30"
        assert response.json() == {"detail": "The database is unavailable just now; try again shortly."}
    assert is_json_error(back, 401)  # the database answered again: the unknown token is looked up and refused


@pytest.mark.django_db
def test_each_operation_documents_its_errors_with_their_bodies(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["properties"]["detail"]["type"] == "string"
    assert components["InvalidOut"]["properties"]["detail"]["type"] == "array"
    own = {
        ("get", "/api/v1/workflows/{workflow_id}"): {404},
        ("put", "/api/v1/workflows/{workflow_id}/owner"): {400, 404},
        ("get", "/api/v1/steps/{step_id}/accountable"): {404},
        ("get", "/api/v1/incidents/{incident_id}"): {404},
        ("post", "/api/v1/incidents"): {400},
        ("post", "/api/v1/incidents/{incident_id}/resolve"): {400, 404, 409},
        ("post", "/api/v1/agents/{agent_id}/pause"): {400, 404},
    }
    operations = [(method, url, op) for url, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) == 11
    for method, url, operation in operations:
        errors = {int(code) for code in operation["responses"] if int(code) >= 400}
        assert errors == {401, 403, 422, 503} | own.get((method, url), set()), (method, url)
        for code in errors:
            body = operation["responses"][str(code)]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("/InvalidOut" if code == 422 else "/ErrorOut"), (method, url, code)
