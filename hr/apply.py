"""Applying an import: the preview's comparison (hr.plan.compare), written in one transaction, set-based.

Into a new scenario: the live chart is cloned (roles.services.chart_clone) and the file's changes are
written into the clone; people the organisation does not know yet are planned hires there. As a live sync:
the live chart itself changes, newcomers join, and leavers are deactivated and their seats vacated (what
they still hold then shows as `inactive-holder` and `owner-inactive` findings until handed on).

Whatever the size of the file, the writes take a fixed number of queries (the clone, one INSERT per level
of the chart, aside): bulk inserts and array updates (core.imports.bulk_update_rows)."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from core.imports import bulk_update_rows, no_progress, reserve_ids
from roles.choices import ChartStatus
from roles.models import Chart, Person, Position, PositionRole, new_position_key
from roles.services import chart_clone, people_changed, positions_record_history
from workflows.models import Platform

from .formats import Problem
from .plan import Diff, PersonRow, Plan, Progress, compare, plan_from_diff
from .titles import KNOWN_PLATFORMS, TitleMatcher, level_from_title


class ApplyRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def scenario_name_problem(name: str) -> str | None:
    """Why a new scenario cannot be called `name` (chart_clone refuses the same, in the transaction)."""
    from core.validators import text_problem

    if not name.strip():
        return "Give the scenario a name."
    if len(name.strip()) > 150:
        return "Keep the scenario's name within 150 characters."
    if problem := text_problem(name):
        return f"The scenario's name {problem}."
    if Chart.objects.filter(name__iexact=name.strip()).exists():
        return f"A chart called “{name.strip()}” already exists."
    return None


def _platforms(names: set[str]) -> dict[str, Platform]:
    """The catalogue's platforms by (lower-case) name, adding the known ones a title named (two queries)."""
    found = {p.name.lower(): p for p in Platform.objects.filter(name__in=names)} if names else {}
    missing = [n for n in names if n.lower() not in found]
    if missing:
        category = {name.lower(): c for name, c, _ in KNOWN_PLATFORMS}
        Platform.objects.bulk_create([Platform(name=n, category=category.get(n.lower(), "other")) for n in missing])
        found |= {p.name.lower(): p for p in Platform.objects.filter(name__in=missing)}
    return found


@transaction.atomic
def apply_rows(
    rows: list[PersonRow],
    *,
    target: str,
    scenario_name: str,
    overrides: dict[str, dict[str, str]],
    by: User | None,
    reason: str,
    progress: Progress = no_progress,
) -> tuple[Chart, Plan]:
    """Write the file's people into a new scenario or the live chart. All or nothing."""
    live = Chart.objects.select_for_update().filter(status=ChartStatus.LIVE).first()
    if target == "live":
        if live is None:
            raise ApplyRefused([Problem(0, "", "there is no live chart to sync: import into a scenario")])
        chart = live
    else:
        if problem := scenario_name_problem(scenario_name):
            raise ApplyRefused([Problem(0, "scenario_name", problem)])
        if live is not None:
            chart = chart_clone(chart=live, name=scenario_name, by=by, description=f"{reason}.")
        else:
            chart = Chart.objects.create(
                name=scenario_name.strip(), status=ChartStatus.SCENARIO, created_by=by, description=f"{reason}."
            )
    matcher = TitleMatcher.load()
    positions = list(Position.objects.filter(chart=chart).select_related("person"))
    diff = compare(rows, chart=chart, target=target, matcher=matcher, overrides=overrides, positions=positions)
    plan = plan_from_diff(diff, target=target, matcher=matcher, with_holdings=False)
    progress(1, 4)
    _write_people(diff, target=target, by=by, reason=reason)
    progress(2, 4)
    _write_seats(diff, chart=chart, matcher=matcher, by=by, reason=reason)
    progress(3, 4)
    if target == "live":
        changed = {s.person.pk for s in diff.seats if s.person is not None and s.person.pk}
        people_changed(changed | {p.pk for p in diff.leavers})
    progress(4, 4)
    return chart, plan


def _write_people(diff: Diff, *, target: str, by: User | None, reason: str) -> None:
    planned = target != "live"
    new = []
    for seat in diff.new_people:
        row = seat.row
        seat.person = Person(
            name=row.name,
            email=row.email,
            level=seat.match.level,
            start_date=row.start_date,
            is_planned=planned,
            is_active=not planned,
        )
        new.append(seat.person)
    Person.objects.bulk_create(new)
    Person.history.bulk_history_create(new, default_user=by, default_change_reason=reason[:100])
    returning = [seat.person for seat in diff.returning if seat.person is not None]
    for person in returning:
        person.is_planned, person.is_active = False, True
    leavers = list(diff.leavers) if target == "live" else []
    for person in leavers:
        person.is_active = False
    updated = returning + leavers
    bulk_update_rows(Person, updated, ["is_planned", "is_active"])
    Person.history.bulk_history_create(updated, update=True, default_user=by, default_change_reason=reason[:100])


def _write_seats(diff: Diff, *, chart: Chart, matcher: TitleMatcher, by: User | None, reason: str) -> None:
    seat_of_email = {seat.row.email: seat for seat in diff.seats}
    ids = reserve_ids(Position, len(diff.added)) or []
    if len(ids) != len(diff.added):
        raise ValidationError("HR imports need PostgreSQL (its sequences let a whole chart be written at once).")
    for seat, pk in zip(diff.added, ids, strict=True):
        row = seat.row
        seat.position = Position(
            pk=pk,
            chart=chart,
            key=new_position_key(),
            title=row.title,
            team=seat.team,
            level=seat.match.level,
            person=seat.person,
            salary=row.salary,
        )

    def manager_id(email: str) -> int | None:
        manager = seat_of_email.get(email)
        return manager.position.pk if manager is not None and manager.position is not None else None

    top = next((s for s in diff.seats if s.row.manager is None), None)
    if diff.root_seat is not None and top is not None and top.position is not None:
        # Another seat becomes the top: the old top reports to it first (one top per chart, checked per row).
        Position.objects.filter(pk=diff.root_seat.pk).update(reports_to_id=top.position.pk)
        diff.root_seat.reports_to_id = top.position.pk
    for seat in diff.added:
        assert seat.position is not None
        seat.position.reports_to_id = manager_id(seat.manager_seat_email)
    Position.objects.bulk_create([s.position for s in diff.added if s.position is not None])

    changed: dict[int, Position] = {}
    retitled = {id(s) for s in diff.retitled}
    for seat in diff.retitled + diff.moved + diff.manager_changed:
        position = seat.position
        assert position is not None
        position.title, position.team = seat.row.title, seat.team
        position.reports_to_id = manager_id(seat.manager_seat_email)
        if id(seat) in retitled:
            position.level = level_from_title(seat.row.title)
        changed[position.pk] = position
    for position in diff.leaver_seats:
        position.person = None
        changed[position.pk] = position
    if diff.root_seat is not None:
        changed.setdefault(diff.root_seat.pk, diff.root_seat)
    updates = list(changed.values())
    bulk_update_rows(Position, updates, ["title", "team", "level", "reports_to", "person"])

    # Roles and expertise follow the title: for new seats, and for seats whose title changed.
    follow = diff.added + diff.retitled
    follow_ids = [s.position.pk for s in diff.retitled if s.position is not None]
    PositionRole.objects.filter(position_id__in=follow_ids).delete()
    role_links = [
        PositionRole(position_id=s.position.pk, role=matcher.roles[s.match.role_key])
        for s in follow
        if s.position is not None and s.match.role_key and s.match.role_key in matcher.roles
    ]
    PositionRole.objects.bulk_create(role_links)
    Expertise = Position.platform_expertise.through
    Expertise.objects.filter(position_id__in=follow_ids).delete()
    platforms = _platforms({s.match.platform_key for s in follow if s.match.platform_key})
    Expertise.objects.bulk_create(
        Expertise(position_id=s.position.pk, platform_id=platforms[s.match.platform_key.lower()].pk)
        for s in follow
        if s.position is not None and s.match.platform_key and s.match.platform_key.lower() in platforms
    )
    positions_record_history([s.position for s in diff.added if s.position is not None], reason=reason[:100], by=by)
    Position.history.bulk_history_create(updates, update=True, default_user=by, default_change_reason=reason[:100])
