"""Reads for the webhook pages and for the documents a delivery sends."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse

from core.ids import is_id
from governance.models import Review
from governance.selectors import incident_list
from roles.models import Person
from workflows.models import Agent, OwnershipFlag

from .choices import DeliveryStatus
from .models import Attempt, Delivery, Endpoint

DELIVERIES_SHOWN = 50  # the deliveries page lists an endpoint's latest this many, each with its attempts


def endpoint_list() -> QuerySet[Endpoint]:
    """Every endpoint with its delivery counts and its latest delivery's moment (one query)."""
    return Endpoint.objects.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        last_delivery_at=Max("deliveries__created_at"),
    )


def endpoints_for(event: str) -> list[Endpoint]:
    """The enabled endpoints subscribed to `event`."""
    return list(Endpoint.objects.filter(is_enabled=True, events__contains=[event]).order_by("pk"))


def delivery_list(endpoint: Endpoint) -> list[Delivery]:
    """An endpoint's latest deliveries, newest first, each with every attempt (two queries)."""
    return list(
        endpoint.deliveries.prefetch_related(Prefetch("attempts", queryset=Attempt.objects.order_by("number")))[
            :DELIVERIES_SHOWN
        ]
    )


@dataclass(frozen=True)
class Subject:
    """What an event is about, as the document, Slack and Teams show it."""

    type: str  # incident, flag, agent, person
    id: int | None
    title: str
    url: str | None
    facts: list[tuple[str, str]] = field(default_factory=list)


def _link(name: str, *args: Any) -> str:
    return settings.MAROPS_BASE_URL + reverse(name, args=args)


def _incident(pk: Any) -> Subject | None:
    incident = incident_list().filter(pk=pk).first() if is_id(pk) else None
    if incident is None:
        return None
    accountable = incident.accountable
    facts = [
        ("Severity", incident.get_severity_display()),
        ("Agent", incident.agent.name),
        ("Buyer-facing", "yes" if incident.is_buyer_facing else "no"),
        ("Accountable", accountable.name if accountable else f"nobody named: {incident.accountable_reason}"),
        ("Review", f"{incident.review.get_status_display()}, due {incident.review.due_on:%d %b %Y}"),
    ]
    if incident.step is not None:
        facts.insert(2, ("Workflow step", f"{incident.step.workflow.name}: {incident.step.name}"))
    return Subject("incident", incident.pk, incident.summary, _link("governance:incident-detail", incident.pk), facts)


def _flag(pk: Any) -> Subject | None:
    flag = OwnershipFlag.objects.filter(pk=pk).first() if is_id(pk) else None
    if flag is None:
        return None
    facts = [("Kind", flag.get_kind_display()), ("Opened", f"{flag.opened_at:%d %b %Y %H:%M}")]
    if flag.resolved_at is not None:
        facts.append(("Resolved", f"{flag.resolved_at:%d %b %Y %H:%M}"))
    return Subject("flag", flag.pk, flag.message or flag.get_kind_display(), _link("workflows:flag-list"), facts)


def _review(pk: Any) -> Subject | None:
    incident_id = Review.objects.filter(pk=pk).values_list("incident_id", flat=True).first() if is_id(pk) else None
    return _incident(incident_id)


def _agent(pk: Any) -> Subject | None:
    agent = Agent.objects.filter(pk=pk).first() if is_id(pk) else None
    if agent is None:
        return None
    facts = [("Agent", agent.name), ("Status", agent.get_status_display())]
    return Subject("agent", agent.pk, agent.name, _link("governance:agent-detail", agent.pk), facts)


def _person(pk: Any) -> Subject | None:
    person = Person.objects.filter(pk=pk).first() if is_id(pk) else None
    if person is None:
        return None
    facts = [("Person", person.name), ("Active", "yes" if person.is_active else "no")]
    return Subject("person", person.pk, person.name, _link("governance:person-detail", person.pk), facts)


def _flag_of(payload: dict[str, Any]) -> Subject | None:
    # The scan's events carry the flag's id; an incident's flag is named by its kind and subject.
    if "flag_id" in payload:
        return _flag(payload["flag_id"])
    kind, subject_key = payload.get("flag_kind"), payload.get("subject_key")
    if not isinstance(kind, str) or not isinstance(subject_key, str):
        return None
    latest = OwnershipFlag.objects.filter(kind=kind, subject_key=subject_key).order_by("-opened_at", "-pk").first()
    return _flag(latest.pk) if latest else None


def _review_of(payload: dict[str, Any]) -> Subject | None:
    # A review is shown as its incident.
    return _incident(payload["incident_id"]) if "incident_id" in payload else _review(payload.get("review_id"))


_SUBJECTS: dict[str, Callable[[dict[str, Any]], Subject | None]] = {
    "incident": lambda payload: _incident(payload.get("incident_id")),
    "review": _review_of,
    "flag": _flag_of,
    "agent": lambda payload: _agent(payload.get("agent_id")),
    "person": lambda payload: _person(payload.get("person_id")),
}


def event_subject(event: str, payload: dict[str, Any]) -> Subject | None:
    """What `event` is about, read now from the database; None when the payload names nothing that exists
    (the object was deleted since, or the event carries no id)."""
    read = _SUBJECTS.get(event.split(".")[0])
    return read(payload) if read else None
