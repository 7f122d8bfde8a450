"""Webhooks on the real stack (real Redis, a real Celery worker, a real receiver on 127.0.0.1): logging
an incident never waits for a receiver, however slow; the worker retries with its real, growing waits."""

import time

import pytest

from marops.celery import app
from marops.tokens import api_token_create
from tests.conftest import make_user
from tests.factories import StepFactory
from tests.integration.conftest import celery_worker_process, reference_data, wait_for  # noqa: F401 (fixtures)
from tests.webhooks.helpers import endpoint_for
from tests.webhooks.receiver import Receiver
from webhooks.models import Attempt, Delivery

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HANG = 20.0  # the receiver keeps the request this long unless the sender gives up first
TIMEOUT = 2  # the worker's MAROPS_WEBHOOK_TIMEOUT_SECONDS


@pytest.fixture
def worker_settings(monkeypatch):
    """What the worker (started after this) reads: a short timeout and short, doubling retry waits."""
    monkeypatch.setenv("MAROPS_WEBHOOK_TIMEOUT_SECONDS", str(TIMEOUT))
    monkeypatch.setenv("MAROPS_WEBHOOK_RETRY_SECONDS", "0.5")
    monkeypatch.setenv("MAROPS_WEBHOOK_MAX_RETRIES", "3")
    monkeypatch.setenv("MAROPS_WEBHOOK_ALLOW_PRIVATE", "true")  # the receiver is on 127.0.0.1
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def log_incident(client, key, step):
    body = {"step_id": step.pk, "summary": "Quoted a retired plan", "description": "£49", "severity": "high"}
    started = time.monotonic()
    response = client.post(
        "/api/v1/incidents", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 201, response.content
    return time.monotonic() - started


@pytest.mark.usefixtures("worker_settings", "celery_worker_process")
def test_a_receiver_that_hangs_does_not_slow_logging_an_incident(client):
    _, key = api_token_create(user=make_user("reporter", "MarOps staff"), name="test")
    step = StepFactory()
    log_incident(client, key, step)  # warm up (first request, token's first use)
    usual = min(log_incident(client, key, step) for _ in range(3))  # no endpoint yet

    with Receiver("hang", hang_seconds=HANG) as receiver:
        endpoint_for(receiver.url)
        took = log_incident(client, key, step)
        # The request answered in its usual time; the worker's attempt waits for the receiver, not the user.
        assert took < usual + 0.5, (took, usual)
        assert wait_for(lambda: receiver.requests, timeout=30), "the worker never sent the delivery"
        assert wait_for(lambda: Attempt.objects.exists(), timeout=TIMEOUT + 10)
    attempt = Attempt.objects.order_by("number").first()
    assert attempt.status_code is None and attempt.error == f"No answer within {TIMEOUT} s (timed out)."
    assert TIMEOUT * 1000 - 100 <= attempt.duration_ms < TIMEOUT * 1000 + 1500


@pytest.mark.usefixtures("worker_settings", "celery_worker_process")
def test_the_worker_retries_500_twice_then_delivers_once_with_growing_waits(client):
    _, key = api_token_create(user=make_user("reporter", "MarOps staff"), name="test")
    with Receiver(500, 500, 200) as receiver:
        endpoint_for(receiver.url)
        log_incident(client, key, StepFactory())
        assert wait_for(lambda: Delivery.objects.filter(status="delivered").exists(), timeout=60)
    delivery = Delivery.objects.get()
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 200]
    assert len(receiver.requests) == 3
    first, second, third = (r.at for r in receiver.requests)
    assert second - first >= 0.5 and third - second >= 1.0  # 0.5 s, then twice that
