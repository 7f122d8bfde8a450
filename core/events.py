"""Things that happened, for whoever listens: e-mail notifications, webhooks, Slack and Teams.

The apps low in the layers (roles, workflows, governance) publish an event where their service makes
the change; the apps above them subscribe, so governance never imports the notifier. An event is sent
only when the transaction that made the change commits: a refused or rolled-back change tells nobody.

    publish("incident.logged", incident_id=incident.pk)

Receivers get `kind` and `payload` (ids and the few values a message needs; they read the rest from the
database) and must return at once: anything slow (mail, HTTP) goes to a Celery task.
"""

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.dispatch import Signal

# The event names are an interface (webhook subscribers filter on them): add, never rename.
KINDS: dict[str, str] = {
    "incident.logged": "An incident was logged",
    "incident.accountable_changed": "The person accountable for an incident changed",
    "incident.escalated": "An incident's severity was raised",
    "incident.reopened": "A resolved incident was reopened",
    "review.accountable": "A review made someone accountable",
    "review.resolved": "A review was resolved",
    "flag.opened": "A flag was opened",
    "flag.resolved": "A flag was resolved",
    "agent.paused": "An agent was paused (kill switch)",
    "agent.resumed": "An agent was resumed",
    "person.left": "Someone left and their work was handed on",
}

happened = Signal()
logger = logging.getLogger(__name__)
_quiet = threading.local()


@contextmanager
def quiet() -> Iterator[None]:
    """Publish nothing inside this block: loading the demo company's history is not news to anyone
    (it would otherwise e-mail its made-up people and call every webhook)."""
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = False


def _is_quiet() -> bool:
    return getattr(_quiet, "on", False)


def publish(kind: str, **payload: Any) -> None:
    """Tell the subscribers about `kind` once the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"Unknown event {kind!r}; add it to core.events.KINDS first.")
    if not _is_quiet():
        transaction.on_commit(lambda: _send(kind, payload))


def publish_many(kind: str, payloads: Iterable[dict[str, Any]]) -> None:
    """`publish` for many events of one kind at once (a scan that opens thousands of flags): one commit
    hook for all of them, not one each."""
    if kind not in KINDS:
        raise ValueError(f"Unknown event {kind!r}; add it to core.events.KINDS first.")
    batch = list(payloads)
    if batch and not _is_quiet():
        transaction.on_commit(lambda: _send_all(kind, batch))


def _send_all(kind: str, payloads: list[dict[str, Any]]) -> None:
    for payload in payloads:
        _send(kind, payload)


def _send(kind: str, payload: dict[str, Any]) -> None:
    # A failing subscriber must not undo or fail the user's change, which has already committed.
    for receiver, outcome in happened.send_robust(sender=kind, kind=kind, payload=payload):
        if isinstance(outcome, Exception):
            logger.error("Subscriber %r failed on %s", receiver, kind, exc_info=outcome)
