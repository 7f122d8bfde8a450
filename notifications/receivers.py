"""notifications listens to core.events: what governance publishes, once the change commits."""

from typing import Any

# The events that concern the person accountable for an incident (or, when nobody can be named, the Head).
TOLD = {
    "incident.logged",
    "incident.accountable_changed",
    "review.accountable",
    "incident.escalated",
    "incident.reopened",
}


def on_happened(sender: Any, kind: str, payload: dict[str, Any], **kwargs: Any) -> None:
    """Returns at once: deciding who to tell and sending is the worker's job."""
    if kind in TOLD:
        from .tasks import notify_event

        notify_event.delay(kind, payload)
