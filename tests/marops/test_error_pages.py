"""A failing database gets a proper answer (issue 12, item 7): styled 403/404/500 pages in the site's
layout, the 500 page without the database, /healthz without the database, /readyz naming what is down,
and requests that recover by themselves when the database returns."""

import socket
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client

from marops.models import JobHeartbeat
from marops.services import heartbeat_record
from tests.conftest import make_user

STYLED = 'href="/static/css/marops.css"'


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down():
    """Point the default connection at a closed port, as if PostgreSQL had stopped; then restore it."""
    connection = connections["default"]
    connection.close()
    saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", closed_port()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved


def logged_in_client(user) -> Client:
    """A browser with a session cookie (reading it needs the database) that shows 500s as a user would."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_with_the_database_down_pages_answer_a_styled_500_and_recover_when_it_returns(demo):
    client = logged_in_client(make_user("reader", "Executives"))
    assert client.get("/dashboard/").status_code == 200

    with database_down():
        for path in ["/dashboard/", "/governance/incidents/", "/accounts/login/"]:
            response = client.get(path) if path != "/accounts/login/" else client.post(path, {"username": "x"})
            assert response.status_code == 500, path
            page = response.content.decode()
            assert "Something went wrong on our side" in page and STYLED in page and 'class="topbar"' in page
            assert "Traceback" not in page and "OperationalError" not in page
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json() == {"ok": True}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["down"] == ["database", "worker"]
        assert ready.json()["database"].startswith("down: OperationalError")

    # The database is back: the next requests are served again, with no restart.
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/governance/incidents/").status_code == 200


@pytest.mark.django_db
def test_healthz_touches_no_database_even_with_a_session(client, django_assert_num_queries):
    client.force_login(make_user("reader", "Executives"))
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True}


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_redis_and_the_heartbeat_are(client, settings):
    if not settings.REDIS_AVAILABLE:
        pytest.skip("needs Redis")
    heartbeat_record(name="beat")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "down": [], "database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.django_db
def test_readyz_names_a_stale_or_missing_heartbeat(client, settings):
    assert client.get("/readyz").json()["worker"].startswith("down: no heartbeat yet")
    heartbeat = heartbeat_record(name="beat")
    JobHeartbeat.objects.filter(pk=heartbeat.pk).update(last_run_at=heartbeat.last_run_at - timedelta(minutes=6))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "worker" in response.json()["down"]
    assert response.json()["worker"].startswith("stale: last heartbeat 36")


@pytest.mark.django_db
def test_readyz_names_redis_when_it_cannot_be_reached(client, settings):
    heartbeat_record(name="beat")
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]
    assert response.json()["redis"] == "down: ConnectionError"


@pytest.mark.django_db
def test_an_unknown_page_is_a_styled_404_with_a_way_home(client):
    for who in [None, make_user("reader", "Executives")]:
        if who:
            client.force_login(who)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        page = response.content.decode()
        assert "Page not found" in page and STYLED in page
        assert '<a href="/">Go to your start page</a>' in page


@pytest.mark.django_db
def test_a_refused_page_is_a_styled_403_saying_what_to_do(client, demo):
    client.force_login(make_user("outsider"))
    response = client.get("/org/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not open this page" in page and STYLED in page
    assert "ask a MarOps administrator" in page and '<a href="/dashboard/">' in page


@pytest.mark.django_db
def test_an_expired_form_is_a_styled_403_saying_nothing_was_saved():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page and "Nothing was saved" in page and STYLED in page


@pytest.mark.django_db
def test_the_500_page_renders_without_a_single_query(rf, django_assert_num_queries):
    from marops.views import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/dashboard/"))
    assert response.status_code == 500 and STYLED in response.content.decode()


@pytest.mark.django_db
def test_the_dashboard_and_readyz_agree_when_the_scheduled_jobs_have_stopped(client):
    client.force_login(make_user("reader", "Executives"))
    heartbeat = heartbeat_record(name="beat")
    assert "They have stopped" not in client.get("/dashboard/heartbeat/").content.decode()
    assert client.get("/readyz").json()["worker"] == "ok"
    JobHeartbeat.objects.filter(pk=heartbeat.pk).update(last_run_at=heartbeat.last_run_at - timedelta(minutes=6))
    assert (
        "They have stopped: is the Celery worker with beat running?"
        in client.get("/dashboard/heartbeat/").content.decode()
    )
    assert client.get("/readyz").json()["worker"].startswith("stale")
