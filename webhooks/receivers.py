"""The webhooks' subscription to core.events: each event someone subscribes to becomes one task, queued
at once. Events no enabled endpoint wants are dropped here, so a scan that opens thousands of flags
queues nothing when nobody listens to flags."""

import time
import uuid
from typing import Any

from django.utils import timezone

from .models import Endpoint
from .tasks import deliver_event

# Which kinds the enabled endpoints want, read at most once every few seconds per process (and again at
# once after an endpoint changes in this process: see apps.py). Another process sees a change within
# SUBSCRIBED_TTL seconds.
SUBSCRIBED_TTL = 5.0
_subscribed: tuple[float, frozenset[str]] | None = None


def forget_subscriptions(*args: Any, **kwargs: Any) -> None:
    global _subscribed
    _subscribed = None


def subscribed_kinds() -> frozenset[str]:
    global _subscribed
    now = time.monotonic()
    if _subscribed is None or now - _subscribed[0] > SUBSCRIBED_TTL:
        wanted: set[str] = set()
        for events in Endpoint.objects.filter(is_enabled=True).values_list("events", flat=True):
            wanted.update(events)
        _subscribed = (now, frozenset(wanted))
    return _subscribed[1]


def event_happened(sender: object, *, kind: str, payload: dict[str, Any], **kwargs: Any) -> None:
    """Runs after the user's change has committed, in their request: queue, never send, here."""
    if kind in subscribed_kinds():
        deliver_event.delay(kind, str(uuid.uuid4()), timezone.now().isoformat(), payload)
