"""Deliveries to a real HTTP receiver on 127.0.0.1: signed, retried on 5xx and network errors (not on 4xx),
every attempt logged, and an endpoint failing for a day disabled with a finding.

Celery runs eagerly here (the test settings), with retries honoured: each retry runs at once instead of
after its backoff (the backoff itself is checked on its own, and tests/webhooks/test_worker.py runs the
same chain on the real worker with real waits)."""

import datetime
import json
import time
from pathlib import Path

import jsonschema_rs
import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.events import KINDS, publish
from governance.rules import governance_findings
from tests.webhooks.helpers import an_incident, endpoint_for, incident_logged
from tests.webhooks.receiver import Receiver
from webhooks import example_receiver
from webhooks.models import Attempt, Delivery, Endpoint
from webhooks.services import delivery_resend
from webhooks.tasks import deliver_event, retry_delay

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(settings.BASE_DIR) / "docs" / "webhooks.schema.json").read_text())


def test_a_delivery_is_signed_and_the_example_receivers_code_verifies_it(receiver, django_capture_on_commit_callbacks):
    endpoint = endpoint_for(receiver.url)
    incident = incident_logged(django_capture_on_commit_callbacks)

    [got] = receiver.requests
    assert got.headers["X-MarOps-Event"] == "incident.logged"
    assert got.headers["X-MarOps-Delivery"] == str(Delivery.objects.get().delivery_id)
    assert got.headers["Content-Type"] == "application/json"
    signed_at = example_receiver.verify(secret=endpoint.secret, header=got.headers["X-MarOps-Signature"], body=got.body)
    assert abs(signed_at - time.time()) < 60
    document = json.loads(got.body)
    jsonschema_rs.validate(SCHEMA, document)
    assert document["event"] == "incident.logged" and document["test"] is False
    assert document["subject"]["title"] == "Chat bot quoted a retired price"
    assert document["subject"]["url"] == f"{settings.MAROPS_BASE_URL}/governance/incidents/{incident.pk}/"
    assert {"name": "Severity", "value": "High"} in document["subject"]["facts"]
    assert document["data"] == {"incident_id": incident.pk}


def test_the_example_receiver_refuses_a_changed_body_another_secret_and_a_replay(
    receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver.url)
    incident_logged(django_capture_on_commit_callbacks)
    [got] = receiver.requests
    header = got.headers["X-MarOps-Signature"]
    with pytest.raises(example_receiver.InvalidSignature, match="does not match"):
        example_receiver.verify(secret=endpoint.secret, header=header, body=got.body.replace(b"High", b"Low"))
    with pytest.raises(example_receiver.InvalidSignature, match="does not match"):
        example_receiver.verify(secret="whsec_someone-else", header=header, body=got.body)
    six_minutes_later = time.time() + 6 * 60
    with pytest.raises(example_receiver.InvalidSignature, match="replay window"):
        example_receiver.verify(secret=endpoint.secret, header=header, body=got.body, now=six_minutes_later)
    with pytest.raises(example_receiver.InvalidSignature, match="not t="):
        example_receiver.verify(secret=endpoint.secret, header="sha256=abc", body=got.body)


def test_a_receiver_answering_500_twice_then_200_gets_one_successful_delivery_after_two_retries(
    django_capture_on_commit_callbacks,
):
    with Receiver(500, 500, 200) as receiver:
        endpoint_for(receiver.url)
        incident_logged(django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert delivery.status == "delivered"
    assert [(a.number, a.status_code) for a in delivery.attempts.all()] == [(1, 500), (2, 500), (3, 200)]
    assert len(receiver.requests) == 3
    # The same delivery each time (a receiver can tell a retry), the same body, each signed afresh.
    assert {r.headers["X-MarOps-Delivery"] for r in receiver.requests} == {str(delivery.delivery_id)}
    assert {r.body for r in receiver.requests} == {delivery.body.encode()}


def test_the_wait_before_each_retry_doubles_up_to_an_hour(settings):
    settings.MAROPS_WEBHOOK_RETRY_SECONDS = 30
    assert [retry_delay(n) for n in range(9)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_4xx_answer_is_not_retried(django_capture_on_commit_callbacks):
    with Receiver(410, body=b"Gone: this hook was removed") as receiver:
        endpoint_for(receiver.url)
        incident_logged(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed"
    [attempt] = delivery.attempts.all()
    assert (attempt.status_code, attempt.response_start) == (410, "Gone: this hook was removed")
    assert len(receiver.requests) == 1


def test_retries_stop_after_the_maximum_and_the_delivery_has_failed(settings, django_capture_on_commit_callbacks):
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 2
    with Receiver(503) as receiver:
        endpoint_for(receiver.url)
        incident_logged(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.finished_at is not None
    assert [a.status_code for a in delivery.attempts.all()] == [503, 503, 503]


def test_a_network_error_is_retried_and_logged_with_its_reason(settings, django_capture_on_commit_callbacks):
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 1
    with Receiver(200) as receiver:
        closed = receiver.url  # the port is free again once the receiver has stopped
    endpoint_for(closed)
    incident_logged(django_capture_on_commit_callbacks)
    attempts = list(Attempt.objects.all())
    assert len(attempts) == 2
    assert all(a.status_code is None and a.error.startswith("Could not connect") for a in attempts)


def test_a_receiver_that_does_not_answer_in_time_is_cut_off_and_logged(settings, django_capture_on_commit_callbacks):
    settings.MAROPS_WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 0
    with Receiver("hang") as receiver:
        endpoint_for(receiver.url)
        started = time.monotonic()
        incident_logged(django_capture_on_commit_callbacks)
        took = time.monotonic() - started
    [attempt] = Attempt.objects.all()
    assert attempt.status_code is None and attempt.error == "No answer within 0.5 s (timed out)."
    assert 450 <= attempt.duration_ms < 2000 and took < 3


def test_the_log_keeps_the_first_500_bytes_of_an_answer(django_capture_on_commit_callbacks):
    with Receiver(200, body=b"x" * 499 + "é".encode() + b"y" * 2000) as receiver:
        endpoint_for(receiver.url)
        incident_logged(django_capture_on_commit_callbacks)
    [attempt] = Attempt.objects.all()
    # 500 bytes end half-way through "é": it is replaced, never a broken string or an error.
    assert attempt.response_start == "x" * 499 + "\ufffd"


def test_only_enabled_endpoints_subscribed_to_the_event_get_it(receiver, django_capture_on_commit_callbacks):
    wants_it = endpoint_for(receiver.url, name="Wants it")
    endpoint_for(receiver.url, name="Flags only", events=("flag.opened",))
    off = endpoint_for(receiver.url, name="Switched off")
    Endpoint.objects.filter(pk=off.pk).update(is_enabled=False, disabled_at=timezone.now())
    incident_logged(django_capture_on_commit_callbacks)
    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [wants_it.pk]
    assert len(receiver.requests) == 1


def test_a_change_that_is_rolled_back_sends_nothing(receiver, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)
    incident = an_incident()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        publish("incident.logged", incident_id=incident.pk)
        raise RuntimeError("the change was refused")
    assert Delivery.objects.count() == 0 and receiver.requests == []


def test_a_redelivered_event_task_makes_no_second_delivery(receiver):
    endpoint_for(receiver.url)
    incident = an_incident()
    args = (
        "incident.logged",
        "5b0f0c8e-8f5e-4a55-9a53-0c3f6f0d8a11",
        timezone.now().isoformat(),
        {"incident_id": incident.pk},
    )
    assert deliver_event.apply(args=args).get() == 1
    assert deliver_event.apply(args=args).get() == 0
    assert Delivery.objects.count() == 1


def test_resending_sends_the_same_delivery_again_with_new_attempts(receiver, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url)
    incident_logged(django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_resend(delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert [a.number for a in delivery.attempts.all()] == [1, 2]
    assert [r.headers["X-MarOps-Delivery"] for r in receiver.requests] == [str(delivery.delivery_id)] * 2


def test_an_endpoint_failing_for_a_day_is_disabled_with_a_finding_that_says_so(
    settings, django_capture_on_commit_callbacks
):
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 0
    with Receiver(502) as receiver:
        endpoint = endpoint_for(receiver.url, name="Ops bus")
        incident_logged(django_capture_on_commit_callbacks)
        endpoint.refresh_from_db()
        assert endpoint.is_enabled and endpoint.failing_since is not None  # failing, not yet for a day
        assert [f for f in governance_findings() if f.rule == "webhook-disabled"] == []

        # A day on, every delivery since has failed: the next failure disables it.
        day_ago = timezone.now() - datetime.timedelta(hours=24, minutes=1)
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=day_ago)
        incident_logged(django_capture_on_commit_callbacks)
        endpoint.refresh_from_db()
        assert not endpoint.is_enabled and endpoint.auto_disabled
        assert "Disabled automatically" in endpoint.disabled_reason and "HTTP 502" in endpoint.disabled_reason

        [finding] = [f for f in governance_findings() if f.rule == "webhook-disabled"]
        assert "The webhook “Ops bus” was disabled" in finding.message
        assert "after 24 hours of failed deliveries" in finding.message

        incident_logged(django_capture_on_commit_callbacks)  # nothing more is sent to it
        assert len(receiver.requests) == 2


def test_a_success_ends_the_run_of_failures(settings, django_capture_on_commit_callbacks):
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 0
    with Receiver(500, 200) as receiver:
        endpoint = endpoint_for(receiver.url)
        incident_logged(django_capture_on_commit_callbacks)
        endpoint.refresh_from_db()
        assert endpoint.failing_since is not None
        incident_logged(django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.is_enabled


def test_an_event_about_something_deleted_since_still_goes_with_no_subject(
    receiver, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url, events=("agent.paused",))
    with django_capture_on_commit_callbacks(execute=True):
        publish("agent.paused", agent_id=987654, reason="Quoting wrong prices")
    document = json.loads(receiver.requests[0].body)
    jsonschema_rs.validate(SCHEMA, document)
    assert document["subject"] is None and document["data"] == {"agent_id": 987654, "reason": "Quoting wrong prices"}


def test_the_schema_names_every_event_and_every_key_a_document_has():
    assert SCHEMA["properties"]["event"]["enum"] == [*KINDS, "webhook.test"]
    assert set(SCHEMA["required"]) == set(SCHEMA["properties"])


def test_a_flag_opened_by_an_incident_reaches_the_endpoint_as_that_flag(receiver, django_capture_on_commit_callbacks):
    from workflows.choices import FlagKind
    from workflows.models import OwnershipFlag

    endpoint_for(receiver.url, events=("flag.opened",))
    incident = an_incident()
    flag = OwnershipFlag.objects.create(
        kind=FlagKind.INCIDENT_WITHOUT_OWNER,
        subject_key=f"incident:{incident.pk}",
        step_id=incident.step_id,
        message="This incident has no accountable owner",
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # Published as governance does: an incident's flag is named by its kind and subject, not its id.
        publish("flag.opened", flag_kind=flag.kind, subject_key=flag.subject_key)
    [request] = receiver.requests
    document = json.loads(request.body)
    assert document["subject"]["title"] == "This incident has no accountable owner"


def test_events_nobody_subscribes_to_make_no_delivery(receiver, django_capture_on_commit_callbacks):
    endpoint_for(receiver.url, events=("incident.logged",))
    incident = an_incident()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish("flag.opened", flag_kind="incident-without-owner", subject_key=f"incident:{incident.pk}")
    assert Delivery.objects.count() == 0 and receiver.requests == []
