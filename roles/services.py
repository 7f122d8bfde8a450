"""Writes to people, charts and positions. Views, commands, the CSV import and the seed call these.

Every write validates first and raises ValidationError (keyed by field where there is one), so a
refused edit changes nothing. History is recorded by django-simple-history on each save.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.validators import text_errors

from .choices import ChartStatus
from .models import Chart, Person, Position, PositionRole, Role
from .selectors import people_planned

# Who is accountable depends on the live chart's seats and on people being active (docs/design.md: "Every
# change that affects the answer updates the affected flags in the same transaction"). roles imports
# no other app, so the apps that keep such flags register a listener here from AppConfig.ready().
PeopleListener = Callable[[set[int] | None], None]
_people_listeners: list[PeopleListener] = []


def on_people_changed(listener: PeopleListener) -> PeopleListener:
    """Call `listener(person_ids)` inside the transaction of every write that changes these people's
    live seats or whether they are active; `None` means anyone may have changed (an adoption)."""
    if listener not in _people_listeners:
        _people_listeners.append(listener)
    return listener


def people_changed(person_ids: Iterable[int | None] | None) -> None:
    ids = None if person_ids is None else {pk for pk in person_ids if pk is not None}
    if ids is None or ids:
        for listener in _people_listeners:
            listener(ids)


def _live_seat_changed(chart: Chart, *person_ids: int | None) -> None:
    if chart.status == ChartStatus.LIVE:
        people_changed(person_ids)


@transaction.atomic
def person_set_active(*, person: Person, is_active: bool, by: User | None = None, reason: str = "") -> Person:
    """Deactivate someone who left (or reactivate them). A planned person becomes real only by adopting
    the scenario that plans them. The person's history keeps who did it and why."""
    if is_active and person.is_planned:
        raise ValidationError(
            {"is_active": f"{person.name} is a planned hire: adopt their scenario to make them real."}
        )
    person.is_active = is_active
    person._change_reason = reason or None  # type: ignore[attr-defined]  # simple-history reads it on save
    if by is not None:
        person._history_user = by  # type: ignore[attr-defined]  # simple-history prefers it to the request's user
    person.save(update_fields=["is_active"])
    people_changed([person.pk])
    return person


@dataclass
class PersonData:
    """What a Leader types about a person on the people page."""

    name: str
    email: str
    level: str
    start_date: datetime.date | None = None
    user: User | None = None


@transaction.atomic
def person_save(*, data: PersonData, person: Person | None = None, by: User | None = None) -> Person:
    """Add someone to the organisation, or correct what is known about them. A work e-mail belongs to
    one person whatever its case (the database insists too), and a login to at most one person."""
    errors = text_errors({"name": data.name, "email": data.email})
    name, email = data.name.strip(), data.email.strip().lower()
    if not name and "name" not in errors:
        errors["name"] = "Give the person a name."
    others = Person.objects.exclude(pk=person.pk) if person is not None else Person.objects.all()
    if "email" not in errors and (clash := others.filter(email__iexact=email).first()) is not None:
        errors["email"] = f"{clash.name} already has the e-mail {clash.email}; an e-mail belongs to one person."
    if data.user is not None and (holder := others.filter(user=data.user).first()) is not None:
        errors["user"] = f"The login {data.user.username} is already {holder.name}'s."
    if errors:
        raise ValidationError(errors)
    person = person or Person()
    person.name, person.email, person.level = name, email, data.level
    person.start_date, person.user = data.start_date, data.user
    person.full_clean(validate_unique=False, validate_constraints=False)
    if by is not None:
        person._history_user = by  # type: ignore[attr-defined]  # simple-history prefers it to the request's user
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # someone saved the same e-mail or login a moment ago
        raise ValidationError({"email": f"Someone else already has the e-mail {email} or this login."}) from exc
    return person


@dataclass
class PositionData:
    """What a position is: everything a Leader can edit in one go."""

    title: str
    team: str
    level: str
    roles: list[Role]
    person: Person | None = None
    reports_to: Position | None = None
    dotted_lines: list[Position] = field(default_factory=list)
    salary: int | None = None


def _manager_chain_contains(*, chart: Chart, start_id: int, target_id: int) -> bool:
    """True if walking up the solid lines from `start_id` reaches `target_id` (one query)."""
    parent_of = dict(Position.objects.filter(chart=chart).values_list("id", "reports_to_id"))
    node: int | None = start_id
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == target_id:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def _lock(chart: Chart) -> None:
    """One edit of a chart at a time: two Leaders moving A under B and B under A at the same moment
    would each pass the cycle check on their own."""
    Chart.objects.select_for_update().filter(pk=chart.pk).first()


def _check_editable(chart: Chart) -> None:
    if not chart.is_editable:
        raise ValidationError(f"{chart.name} is a former live chart, kept read-only as history.")


def _check_planned_not_live(*, chart: Chart, person: Person) -> None:
    """A planned person is not in the organisation yet: they sit only in scenarios until one is adopted."""
    if person.is_planned and chart.status == ChartStatus.LIVE:
        raise ValidationError(
            {"person": f"{person.name} is a planned hire: seat them in a scenario and adopt it to make them real."}
        )


def _check_person_free(*, chart: Chart, person: Person | None, position: Position | None = None) -> None:
    if person is None:
        return
    _check_planned_not_live(chart=chart, person=person)
    holders = Position.objects.filter(chart=chart, person=person)
    holder = (holders.exclude(pk=position.pk) if position is not None else holders).first()
    if holder is not None:
        raise ValidationError(
            {
                "person": f"{person.name} already holds “{holder.title}” in {chart.name}; "
                "a person holds one position per chart."
            }
        )


def _check_manager(*, chart: Chart, position: Position | None, manager: Position | None) -> None:
    """Solid line: same chart, no cycle, and exactly one top position per chart."""
    is_root = position is not None and position.pk and position.reports_to_id is None
    if manager is None:
        if is_root:
            return
        if Position.objects.filter(chart=chart, reports_to__isnull=True).exists():
            raise ValidationError({"reports_to": "The chart already has a top position; choose a manager."})
        return
    if is_root:
        raise ValidationError({"reports_to": "The top position of a chart cannot be moved under another."})
    if manager.chart_id != chart.pk:
        raise ValidationError({"reports_to": "The manager must be a position in the same chart."})
    if position is not None and position.pk:
        if manager.pk == position.pk:
            raise ValidationError({"reports_to": "A position cannot report to itself."})
        if _manager_chain_contains(chart=chart, start_id=manager.pk, target_id=position.pk):
            raise ValidationError(
                {
                    "reports_to": f"“{manager.title}” already reports up to “{position.title}”: "
                    "that would make a reporting cycle."
                }
            )


def _check_dotted_lines(*, chart: Chart, position: Position | None, data: PositionData) -> None:
    for other in data.dotted_lines:
        if other.chart_id != chart.pk:
            raise ValidationError({"dotted_lines": f"“{other.title}” is in another chart."})
        if position is not None and other.pk == position.pk:
            raise ValidationError({"dotted_lines": "A position cannot have a dotted line to itself."})
        if data.reports_to is not None and other.pk == data.reports_to.pk:
            raise ValidationError(
                {"dotted_lines": f"“{other.title}” is already the solid-line manager; a dotted line adds nothing."}
            )


@transaction.atomic
def position_save(*, chart: Chart, data: PositionData, position: Position | None = None) -> Position:
    """Create a position in `chart` (position=None) or change one, all fields at once."""
    _lock(chart)
    _check_editable(chart)
    errors = {}
    if not data.title.strip():
        errors["title"] = "A position needs a title."
    # No role is allowed: a seat outside marketing (a CEO, a sales director, an engineer) holds none, counts
    # its salary or nothing in cost (roles.cost) and still takes part in the reporting lines.
    if errors:
        raise ValidationError(errors)
    _check_manager(chart=chart, position=position, manager=data.reports_to)
    _check_person_free(chart=chart, person=data.person, position=position)
    _check_dotted_lines(chart=chart, position=position, data=data)

    previous_person = position.person_id if position is not None else None
    position = position or Position(chart=chart)
    position.title, position.team, position.level = data.title.strip(), data.team, data.level
    position.person, position.reports_to, position.salary = data.person, data.reports_to, data.salary
    position.full_clean(exclude=["key"] if position.pk else None)
    position.save()
    position.roles.set(data.roles)
    position.dotted_lines.set(data.dotted_lines)
    _live_seat_changed(chart, previous_person, position.person_id)
    return position


def position_data(position: Position) -> PositionData:
    """The current state of a position, to change one thing and save the rest as it is."""
    return PositionData(
        title=position.title,
        team=position.team,
        level=position.level,
        roles=list(position.roles.all()),
        person=position.person,
        reports_to=position.reports_to,
        dotted_lines=list(position.dotted_lines.all()),
        salary=position.salary,
    )


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
    data = PositionData(title, team, level, list(roles), person, reports_to, [], salary)
    return position_save(chart=chart, data=data)


def position_move(*, position: Position, new_manager: Position) -> Position:
    """Put `position` under `new_manager` (solid line), refusing anything that makes a cycle."""
    data = position_data(position)
    data.reports_to = new_manager
    data.dotted_lines = [p for p in data.dotted_lines if p.pk != new_manager.pk]
    return position_save(chart=position.chart, data=data, position=position)


@transaction.atomic
def position_assign_person(*, position: Position, person: Person | None) -> Position:
    """Seat `person` in `position`, or make it a vacancy with `person=None`."""
    _lock(position.chart)
    _check_editable(position.chart)
    _check_person_free(chart=position.chart, person=person, position=position)
    previous_person = position.person_id
    position.person = person
    position.save(update_fields=["person"])
    _live_seat_changed(position.chart, previous_person, position.person_id)
    return position


@transaction.atomic
def position_delete(*, position: Position) -> None:
    """Remove a seat. Its reports must be moved first, and the top position stays."""
    _lock(position.chart)
    _check_editable(position.chart)
    if position.reports_to_id is None:
        raise ValidationError("The top position of a chart cannot be removed.")
    reports = position.reports.count()
    if reports:
        raise ValidationError(
            f"“{position.title}” still has {reports} direct report{'s' if reports > 1 else ''}; "
            "move them under another manager first."
        )
    position.delete()
    _live_seat_changed(position.chart, position.person_id)


Item = TypeVar("Item")
Key = TypeVar("Key", bound=Hashable)


def positions_bulk_create_tree(
    items: Iterable[Item],
    *,
    key: Callable[[Item], Key],
    manager_key: Callable[[Item], Key | None],
    build: Callable[[Item, Position | None], Position],
) -> dict[Key, Position]:
    """Create a whole tree of positions in bulk: root first, then level by level, so each
    manager exists before its reports (and a chart never has two roots). One INSERT per level.

    `key(item)` identifies an item, `manager_key(item)` its manager's key (None or "" for the
    root), and `build(item, manager)` returns the unsaved Position. Returns {key: Position}."""
    children: defaultdict[Key | None, list[Item]] = defaultdict(list)
    for item in items:
        children[manager_key(item) or None].append(item)
    made: dict[Key, Position] = {}
    level = children[None]
    while level:
        created = Position.objects.bulk_create(
            build(item, made.get(manager) if (manager := manager_key(item)) else None) for item in level
        )
        made.update({key(item): position for item, position in zip(level, created, strict=True)})
        level = [child for item in level for child in children[key(item)]]
    return made


@transaction.atomic
def chart_clone(*, chart: Chart, name: str, by: User | None = None, description: str = "") -> Chart:
    """Copy a chart into a new scenario: every seat, person, role, solid and dotted line and
    platform expertise. Seats keep their keys, so the two charts can be compared seat by seat."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the scenario a name."})
    if Chart.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A chart called “{name}” already exists."})
    clone = Chart.objects.create(
        name=name,
        status=ChartStatus.SCENARIO,
        based_on=chart,
        created_by=by,
        description=description or f"Scenario based on {chart.name}.",
    )
    originals = list(Position.objects.filter(chart=chart))
    new_for_old = positions_bulk_create_tree(
        originals,
        key=lambda old: old.pk,
        manager_key=lambda old: old.reports_to_id,
        build=lambda old, manager: Position(
            chart=clone,
            key=old.key,
            title=old.title,
            team=old.team,
            level=old.level,
            person_id=old.person_id,
            salary=old.salary,
            reports_to=manager,
        ),
    )
    _copy_links(new_for_old)
    positions_record_history(list(new_for_old.values()), reason=f"Cloned from {chart.name}", by=by)
    return clone


def positions_record_history(positions: list[Position], *, reason: str, by: User | None = None) -> None:
    """Give seats created in bulk (a clone, an import) their first history record, roles and dotted
    lines included, so that the first edit of such a seat shows exactly what changed."""
    records = Position.history.bulk_history_create(positions, default_change_reason=reason, default_user=by)
    record_of = {record.id: record for record in records}
    ids = [p.pk for p in positions]
    HistoricalRole = apps.get_model("roles", "HistoricalPositionRole")  # made by django-simple-history
    HistoricalDotted = apps.get_model("roles", "HistoricalPosition_dotted_lines")
    HistoricalRole.objects.bulk_create(
        HistoricalRole(id=pk, history=record_of[position_id], position_id=position_id, role_id=role_id)
        for pk, position_id, role_id in PositionRole.objects.filter(position_id__in=ids).values_list(
            "pk", "position_id", "role_id"
        )
    )
    Dotted = Position.dotted_lines.through
    HistoricalDotted.objects.bulk_create(
        HistoricalDotted(id=pk, history=record_of[a], from_position_id=a, to_position_id=b)
        for pk, a, b in Dotted.objects.filter(from_position_id__in=ids).values_list(
            "pk", "from_position_id", "to_position_id"
        )
    )


def _copy_links(new_for_old: dict[int, Position]) -> None:
    """Copy roles, dotted lines and platform expertise onto cloned seats, in bulk."""
    old_ids = list(new_for_old)
    PositionRole.objects.bulk_create(
        PositionRole(position=new_for_old[position_id], role_id=role_id)
        for position_id, role_id in PositionRole.objects.filter(position_id__in=old_ids).values_list(
            "position_id", "role_id"
        )
    )
    Dotted = Position.dotted_lines.through
    Dotted.objects.bulk_create(
        Dotted(from_position=new_for_old[a], to_position=new_for_old[b])
        for a, b in Dotted.objects.filter(from_position_id__in=old_ids).values_list(
            "from_position_id", "to_position_id"
        )
        if b in new_for_old
    )
    Expertise = Position.platform_expertise.through
    Expertise.objects.bulk_create(
        Expertise(position=new_for_old[position_id], platform_id=platform_id)
        for position_id, platform_id in Expertise.objects.filter(position_id__in=old_ids).values_list(
            "position_id", "platform_id"
        )
    )


@transaction.atomic
def chart_adopt(*, chart: Chart, by: User | None = None) -> Chart:
    """Make a scenario the live chart. The old live chart is kept, read-only, as history, and the
    planned people seated in the scenario join the organisation (docs/design.md: "People who appear only in
    a scenario are planned, not real: they become active people when the scenario is adopted")."""
    chart = Chart.objects.select_for_update().get(pk=chart.pk)
    if chart.status != ChartStatus.SCENARIO:
        raise ValidationError(f"Only a scenario can be adopted; {chart.name} is {chart.get_status_display()}.")
    if not chart.positions.exists():
        raise ValidationError(f"{chart.name} has no positions; it cannot become the organisation.")
    Chart.objects.filter(status=ChartStatus.LIVE).update(status=ChartStatus.ARCHIVED)
    chart.status, chart.adopted_at = ChartStatus.LIVE, timezone.now()
    chart.save(update_fields=["status", "adopted_at"])
    _planned_people_join(chart=chart, by=by)  # before the listeners ask who is active and seated
    people_changed(None)
    return chart


def _planned_people_join(*, chart: Chart, by: User | None = None) -> list[Person]:
    """The planned people seated in `chart` become real, active people (history recorded); planned
    people of other scenarios stay planned."""
    people = list(people_planned(chart))
    if not people:
        return []
    Person.objects.filter(pk__in=[person.pk for person in people]).update(is_planned=False, is_active=True)
    for person in people:
        person.is_planned, person.is_active = False, True
    Person.history.bulk_history_create(
        people, update=True, default_user=by, default_change_reason=f"Joined when {chart.name} was adopted"[:100]
    )
    return people


@transaction.atomic
def chart_delete(*, chart: Chart) -> None:
    """Delete a scenario. The live chart and former live charts are kept."""
    chart = Chart.objects.select_for_update().get(pk=chart.pk)  # not adopted meanwhile
    if not chart.is_deletable:
        raise ValidationError(chart.delete_refusal)
    chart.delete()  # its seats go with it (RESTRICT allows a manager deleted in the same cascade)
