"""Notifications' Celery tasks: ids in, a service inside, safe to run twice (the unique constraint on
`Notification` and its `sent_at` decide)."""

import smtplib
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .services import (
    event_notify,
    logged_unannounced,
    notifications_deliver,
    notifications_owed,
    reminders_send,
    summaries_due,
)

MAX_MAIL_RETRIES = 8  # then the reminder run's catch-up (notifications_owed) takes over: nothing is dropped


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def notify_event(kind: str, payload: dict[str, Any]) -> int:
    """Decide who to tell about an event (core.events) and e-mail them."""
    rows = event_notify(kind, payload)
    for row in rows:
        deliver_notifications.delay([row.pk])
    return len(rows)


@shared_task(bind=True, acks_late=True, max_retries=MAX_MAIL_RETRIES)
def deliver_notifications(self: Any, ids: list[int]) -> int:
    """E-mail one person's owed messages; a mail server that is down is tried again later, each time
    waiting twice as long (from MAROPS_MAIL_RETRY_SECONDS, at most an hour)."""
    try:
        return notifications_deliver(ids)
    except (smtplib.SMTPException, OSError, OperationalError) as exc:  # TRANSIENT_MAIL_ERRORS, and the database
        countdown = min(settings.MAROPS_MAIL_RETRY_SECONDS * 2**self.request.retries, 3600)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_reminders() -> int:
    """Scheduled by beat: record and e-mail the reminders whose stage has come (each once), and queue
    again whatever is still owed from before."""
    batches = reminders_send()
    for ids in batches + notifications_owed():
        deliver_notifications.delay(ids)
    for incident_id in logged_unannounced():
        notify_event.delay("incident.logged", {"incident_id": incident_id})
    return len(batches)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_summaries() -> int:
    """Scheduled by beat: from the summary hour on, each person's daily summary, once."""
    batches = summaries_due()
    for ids in batches:
        deliver_notifications.delay(ids)
    return len(batches)
