"""Writes to people, charts and positions. Views, commands and the seed call these."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Chart, Person, Position, Role


def _manager_chain_contains(*, chart: Chart, start_id: int, target_id: int) -> bool:
    """True if walking up the solid lines from `start_id` reaches `target_id` (one query)."""
    parent_of = dict(Position.objects.filter(chart=chart).values_list("id", "reports_to_id"))
    node, seen = start_id, set()
    while node is not None and node not in seen:
        if node == target_id:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def _check_person_free(*, chart: Chart, person: Person | None, position: Position | None = None):
    if person is None:
        return
    taken = Position.objects.filter(chart=chart, person=person).exclude(pk=getattr(position, "pk", None))
    holder = taken.first()
    if holder is not None:
        raise ValidationError(
            {
                "person": f"{person.name} already holds “{holder.title}” in {chart.name}; "
                "a person holds one position per chart."
            }
        )


def _check_editable(chart: Chart):
    if not chart.is_editable:
        raise ValidationError(f"{chart.name} is a former live chart, kept read-only as history.")


@transaction.atomic
def position_create(
    *,
    chart: Chart,
    title: str,
    team: str,
    level: str,
    roles: Iterable[Role] = (),
    person: Person | None = None,
    reports_to: Position | None = None,
    salary: int | None = None,
) -> Position:
    """Add a seat to a chart. Only the first position of a chart may have no manager (the root)."""
    _check_editable(chart)
    if reports_to is None and Position.objects.filter(chart=chart, reports_to__isnull=True).exists():
        raise ValidationError({"reports_to": "The chart already has a top position; choose a manager."})
    _check_person_free(chart=chart, person=person)
    position = Position(
        chart=chart,
        title=title,
        team=team,
        level=level,
        person=person,
        reports_to=reports_to,
        salary=salary,
    )
    position.full_clean()
    position.save()
    position.roles.set(roles)
    return position


@transaction.atomic
def position_move(*, position: Position, new_manager: Position) -> Position:
    """Put `position` under `new_manager` (solid line), refusing anything that makes a cycle."""
    _check_editable(position.chart)
    if new_manager.pk == position.pk:
        raise ValidationError({"reports_to": "A position cannot report to itself."})
    if new_manager.chart_id != position.chart_id:
        raise ValidationError({"reports_to": "The manager must be a position in the same chart."})
    if _manager_chain_contains(chart=position.chart, start_id=new_manager.pk, target_id=position.pk):
        raise ValidationError(
            {
                "reports_to": f"“{new_manager.title}” already reports up to “{position.title}”: "
                "that would make a reporting cycle."
            }
        )
    if position.reports_to_id is None:
        raise ValidationError({"reports_to": "The top position of a chart cannot be moved under another."})
    position.reports_to = new_manager
    position.save(update_fields=["reports_to"])
    return position


@transaction.atomic
def position_assign_person(*, position: Position, person: Person | None) -> Position:
    """Seat `person` in `position`, or make it a vacancy with `person=None`."""
    _check_editable(position.chart)
    _check_person_free(chart=position.chart, person=person, position=position)
    position.person = person
    position.save(update_fields=["person"])
    return position
