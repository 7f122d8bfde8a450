"""Endpoints and events for the webhook tests."""

from core.events import publish
from tests.factories import IncidentFactory, ReviewFactory
from webhooks.services import endpoint_create


def endpoint_for(
    url: str, *, kind: str = "json", events: tuple[str, ...] = ("incident.logged",), name: str = "Ops bus"
):
    return endpoint_create(name=name, url=url, kind=kind, events=list(events), by=None)


def an_incident(**kwargs):
    review = ReviewFactory(
        incident=IncidentFactory(summary="Chat bot quoted a retired price", severity="high", **kwargs)
    )
    return review.incident


def incident_logged(capture, incident=None):
    """Publish `incident.logged` as the incident service does, and let the transaction "commit"."""
    incident = incident or an_incident()
    with capture(execute=True):
        publish("incident.logged", incident_id=incident.pk)
    return incident


def a_pending_delivery():
    """A delivery still being sent (its task has not finished): resending it is refused."""
    import uuid

    from webhooks.models import Delivery

    endpoint = endpoint_for("https://hooks.example.com/marops")
    return Delivery.objects.create(
        endpoint=endpoint, delivery_id=uuid.uuid4(), event_id=uuid.uuid4(), event="incident.logged", body="{}"
    )
