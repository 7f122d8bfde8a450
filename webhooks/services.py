"""Writes for webhooks: endpoints (a Leader's), deliveries (one per event and endpoint) and attempts.

An attempt's HTTP request runs outside any transaction; what it found is then recorded in one short
transaction that locks the delivery and its endpoint, so two workers never number an attempt alike and
the endpoint's run of failures is counted once per attempt."""

import datetime
import uuid
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.events import KINDS
from core.validators import field_message, text_errors, text_problem

from .choices import TEST_EVENT, DeliveryStatus, EndpointKind
from .documents import body_for, event_document
from .models import Attempt, Delivery, Endpoint
from .selectors import endpoints_for
from .sender import Answer, host_refusal, post
from .signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, new_secret, signature

URL_MAX = 2000


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it)
    except ValueError:
        return "The URL is not a valid address (check the port)."
    if parts.scheme not in ("http", "https"):
        return "The URL must start with http:// or https://."
    if not parts.hostname:
        return "The URL has no host name (e.g. https://hooks.example.com/marops)."
    if len(url) > URL_MAX:
        return f"The URL is longer than {URL_MAX} characters."
    if not settings.MAROPS_WEBHOOK_ALLOW_PRIVATE:  # cloud metadata, 10.x, localhost…: sender.non_public
        return host_refusal(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return None


def _endpoint_errors(*, name: str, url: str, kind: str, events: list[str]) -> dict[str, str]:
    errors = text_errors({"name": name})
    if not name.strip():
        errors.setdefault("name", "Give the endpoint a name.")
    if problem := text_problem(url):
        errors["url"] = field_message("URL", problem)
    elif problem := _url_problem(url.strip()):
        errors["url"] = problem
    if kind not in EndpointKind.values:
        errors["kind"] = f"“{kind}” is not a kind of endpoint: use one of {', '.join(EndpointKind.values)}."
    if not events:
        errors["events"] = "Choose at least one event to send."
    elif unknown := [event for event in events if event not in KINDS]:
        errors["events"] = f"Not an event MarOps sends: {', '.join(unknown)}."
    return errors


@transaction.atomic
def endpoint_create(*, name: str, url: str, kind: str, events: list[str], by: User | None) -> Endpoint:
    """Register an endpoint with a new secret (the caller shows it once; it is never shown again)."""
    if errors := _endpoint_errors(name=name, url=url, kind=kind, events=events):
        raise ValidationError(errors)
    return Endpoint.objects.create(
        name=name.strip(),
        url=url.strip(),
        kind=kind,
        events=[event for event in KINDS if event in events],
        secret=new_secret(),
        created_by=by,
    )


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, name: str, url: str, kind: str, events: list[str]) -> Endpoint:
    if errors := _endpoint_errors(name=name, url=url, kind=kind, events=events):
        raise ValidationError(errors)
    endpoint.name, endpoint.url, endpoint.kind = name.strip(), url.strip(), kind
    endpoint.events = [event for event in KINDS if event in events]
    endpoint.save(update_fields=["name", "url", "kind", "events"])
    return endpoint


@transaction.atomic
def endpoint_set_enabled(*, endpoint: Endpoint, enabled: bool, by: User) -> Endpoint:
    """A Leader turns an endpoint off, or back on (which starts its count of failures afresh)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if enabled == endpoint.is_enabled:
        return endpoint
    if enabled:
        endpoint.is_enabled, endpoint.disabled_at, endpoint.disabled_reason = True, None, ""
        endpoint.auto_disabled, endpoint.failing_since = False, None
    else:
        endpoint.is_enabled, endpoint.disabled_at = False, timezone.now()
        endpoint.disabled_reason = f"Disabled by {by.get_full_name() or by.username}."
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Delete an endpoint and its delivery log (a queued delivery then finds nothing to send)."""
    endpoint.delete()


def _new_delivery(endpoint: Endpoint, *, event: str, event_id: str, document: dict[str, Any]) -> Delivery:
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        delivery_id=uuid.uuid4(),
        event_id=event_id,
        event=event,
        body=body_for(endpoint.kind, document),
    )
    from .tasks import send_delivery  # the task module imports this one

    send_delivery.delay_on_commit(delivery.pk)
    return delivery


@transaction.atomic
def event_deliveries_create(
    *, event: str, event_id: str, occurred_at: datetime.datetime, payload: dict[str, Any]
) -> list[Delivery]:
    """One delivery per enabled endpoint subscribed to `event`, each sent by its own task once this
    commits. Safe to run twice for one event: the (endpoint, event) constraint makes the second a no-op."""
    endpoints = endpoints_for(event)
    if not endpoints:
        return []
    document = event_document(event=event, event_id=event_id, occurred_at=occurred_at, payload=payload)
    done = set(Delivery.objects.filter(event_id=event_id).values_list("endpoint_id", flat=True))
    deliveries = []
    for endpoint in endpoints:
        if endpoint.pk in done:
            continue
        try:
            with transaction.atomic():
                deliveries.append(_new_delivery(endpoint, event=event, event_id=event_id, document=document))
        except IntegrityError:  # another run of this task made it a moment ago
            continue
    return deliveries


@transaction.atomic
def endpoint_send_test(*, endpoint: Endpoint, by: User) -> Delivery:
    """A test event to this endpoint alone (even a disabled one: it is how a Leader checks a fix)."""
    event_id = str(uuid.uuid4())
    document = event_document(
        event=TEST_EVENT, event_id=event_id, occurred_at=timezone.now(), payload={"sent_by": by.username}
    )
    return _new_delivery(endpoint, event=TEST_EVENT, event_id=event_id, document=document)


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send a finished delivery again: the same body and X-MarOps-Delivery, new attempts."""
    delivery = Delivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.PENDING:
        raise ValidationError("This delivery is still being sent: wait for its attempts to finish.")
    if not delivery.endpoint.is_enabled and delivery.event != TEST_EVENT:
        raise ValidationError(
            f"“{delivery.endpoint.name}” is disabled: send it a test event, then enable it before resending."
        )
    delivery.status, delivery.finished_at = DeliveryStatus.PENDING, None
    delivery.save(update_fields=["status", "finished_at"])
    from .tasks import send_delivery

    send_delivery.delay_on_commit(delivery.pk)
    return delivery


class Outcome(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # failed, worth another try later
    FAILED = "failed"  # failed for good (a 4xx, the last try, a disabled endpoint)
    NOTHING = "nothing"  # already finished, or deleted


def _headers(delivery: Delivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "MarOps-Webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.delivery_id),
        SIGNATURE_HEADER: signature(
            secret=delivery.endpoint.secret, timestamp=int(timezone.now().timestamp()), body=body
        ),
    }


def delivery_attempt(*, delivery_id: int, last_try: bool) -> Outcome:
    """Send a pending delivery once and record the attempt. `last_try`: a failure is then final."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return Outcome.NOTHING  # a task redelivered after it finished, or an endpoint deleted since
    if not delivery.endpoint.is_enabled and delivery.event != TEST_EVENT:
        _finish(delivery, DeliveryStatus.FAILED)
        return Outcome.FAILED
    body = delivery.body.encode()
    started_at = timezone.now()
    answer = post(
        delivery.endpoint.url,
        body=body,
        headers=_headers(delivery, body),
        timeout=settings.MAROPS_WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.MAROPS_WEBHOOK_ALLOW_PRIVATE,
    )
    return _record(delivery, answer, started_at=started_at, last_try=last_try)


@transaction.atomic
def _record(delivery: Delivery, answer: Answer, *, started_at: datetime.datetime, last_try: bool) -> Outcome:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    number = (delivery.attempts.aggregate(n=Max("number"))["n"] or 0) + 1
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        status_code=answer.status_code,
        response_start=answer.response_start,
        error=answer.error,
    )
    _count_towards_endpoint(delivery.endpoint_id, answer)
    if answer.succeeded:
        _finish(delivery, DeliveryStatus.DELIVERED)
        return Outcome.DELIVERED
    if answer.worth_retrying and not last_try:
        return Outcome.RETRY
    _finish(delivery, DeliveryStatus.FAILED)
    return Outcome.FAILED


def _finish(delivery: Delivery, status: str) -> None:
    delivery.status, delivery.finished_at = status, timezone.now()
    delivery.save(update_fields=["status", "finished_at"])


def _count_towards_endpoint(endpoint_id: int, answer: Answer) -> None:
    """A success ends the endpoint's run of failures; a failure starts one, or, when the run has lasted
    MAROPS_WEBHOOK_DISABLE_AFTER_HOURS, disables the endpoint (the `webhook-disabled` finding says so)."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    now = timezone.now()
    if answer.succeeded:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since"])
        return
    if not endpoint.is_enabled:
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        endpoint.save(update_fields=["failing_since"])
        return
    if now - endpoint.failing_since >= datetime.timedelta(hours=settings.MAROPS_WEBHOOK_DISABLE_AFTER_HOURS):
        said = f"HTTP {answer.status_code}" if answer.status_code is not None else answer.error
        endpoint.is_enabled, endpoint.auto_disabled, endpoint.disabled_at = False, True, now
        endpoint.disabled_reason = (
            f"Disabled automatically: every delivery since {timezone.localtime(endpoint.failing_since):%d %b %Y %H:%M} "
            f"failed (the last: {said})."
        )
        endpoint.save(update_fields=["is_enabled", "auto_disabled", "disabled_at", "disabled_reason"])
