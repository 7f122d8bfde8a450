"""Reads for notifications: people's managers in the live chart, and someone's preferences."""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import F

from roles.choices import ChartStatus
from roles.models import Person, Position

from .choices import OPTIONAL_TOPICS, Delivery, Topic
from .models import Preference


def live_managers(person_ids: Collection[int]) -> dict[int, Person]:
    """Each person's manager: the active holder of the seat their live seat reports to (one query)."""
    seats = (
        Position.objects.filter(
            chart__status=ChartStatus.LIVE,
            person_id__in=person_ids,
            reports_to__person__isnull=False,
            reports_to__person__is_active=True,
        )
        .exclude(reports_to__person_id=F("person_id"))
        .select_related("reports_to__person")
        .order_by("pk")
    )
    managers: dict[int, Person] = {}
    for seat in seats:
        assert seat.person_id is not None and seat.reports_to is not None and seat.reports_to.person is not None
        managers.setdefault(seat.person_id, seat.reports_to.person)
    return managers


@dataclass(frozen=True)
class TopicChoice:
    topic: str
    label: str
    delivery: str


def preferences_of(person: Person) -> list[TopicChoice]:
    """How `person` receives each optional topic (e-mail at once unless they chose otherwise)."""
    chosen = dict(Preference.objects.filter(person=person).values_list("topic", "delivery"))
    return [TopicChoice(t, Topic(t).label, chosen.get(t, Delivery.EMAIL)) for t in OPTIONAL_TOPICS]
