"""Deliveries are sent here, never in the user's request (docs/webhooks.md)."""

import datetime
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .services import Outcome, delivery_attempt, event_deliveries_create


def retry_delay(retries: int) -> float:
    """Seconds before the next try: exponential backoff from MAROPS_WEBHOOK_RETRY_SECONDS, at most an hour."""
    return float(min(settings.MAROPS_WEBHOOK_RETRY_SECONDS * 2**retries, 3600))


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def deliver_event(event: str, event_id: str, occurred_at: str, payload: dict[str, Any]) -> int:
    """Make the event's deliveries (one per subscribed endpoint), each sent by `send_delivery`."""
    moment = datetime.datetime.fromisoformat(occurred_at)
    return len(event_deliveries_create(event=event, event_id=event_id, occurred_at=moment, payload=payload))


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_delivery(self: Any, delivery_id: int) -> str:
    """One attempt; on a network error or a 5xx, another after an exponentially longer wait, up to
    MAROPS_WEBHOOK_MAX_RETRIES retries. A 4xx is not retried. A redelivered message of a finished
    delivery does nothing."""
    retries = self.request.retries
    try:
        outcome = delivery_attempt(delivery_id=delivery_id, last_try=retries >= settings.MAROPS_WEBHOOK_MAX_RETRIES)
    except OperationalError as exc:  # the database, not the receiver: try again (the attempt was not recorded)
        raise self.retry(exc=exc, countdown=retry_delay(retries)) from exc
    if outcome is Outcome.RETRY:
        raise self.retry(countdown=retry_delay(retries))
    return outcome.value
