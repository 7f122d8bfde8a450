"""The preview of an import (a dry run): the file's people checked row by row, then compared seat by seat with
the target, which is the live chart (a sync) or the live chart a new scenario will be cloned from.

A seat is the same seat across imports when it is held by the same person (found by e-mail, whatever its
case), so importing the same file twice changes nothing the second time. Categories:

- people_added: someone the organisation does not know yet (or who returns: inactive, or only planned)
- seats_added: someone in the file without a seat in the target
- seats_moved: a seat whose team changes (the department in the file says another team)
- seats_retitled: a seat whose title changes (its roles then follow the new title's match)
- seats_removed: a leaver's seat, which becomes a vacancy to hire into
- managers_changed: a seat that reports to someone else
- leavers: active people seated in the live chart who are not in the file, with everything they hold
- unchanged: seats the file leaves as they are

The same comparison is what `hr.apply` writes, so the preview cannot disagree with the result."""

import datetime
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from core.imports import _SUSPECT, no_progress
from core.validators import date_problem, int_problem, text_problem
from governance.leavers import leaver_handoffs
from governance.selectors import person_holdings
from roles.csv_io import _cycle_message, _cycles
from roles.models import Chart, Person, Position
from roles.selectors import chart_live

from .formats import FIELD_LABELS, Problem, Table, mapping_problems, read_table
from .models import PeopleImport
from .titles import TitleMatch, TitleMatcher, team_from_department, title_key

Progress = Callable[[int, int], None]

START_DATE_EARLIEST = 1950
US_DATE_FORMATS = {"rippling", "workday"}  # their exports write month/day/year


# --- The file's people -------------------------------------------------------------
@dataclass
class PersonRow:
    row: int
    employee_id: str
    name: str
    email: str  # lower case
    title: str
    department: str
    manager_email: str
    manager_id: str
    manager_name: str
    start_date: datetime.date | None
    salary: int | None
    manager: "PersonRow | None" = None

    @property
    def manager_key(self) -> str:  # for roles.csv_io's cycle finder, which follows `manager_id`
        return self.manager.email if self.manager is not None else ""


@dataclass
class _CycleNode:
    number: int
    manager_id: str


def _salary(raw: str) -> int | None:
    cleaned = re.sub(r"[^0-9.,]", "", raw.split("/")[0]).replace(",", "")
    if not raw.strip():
        return None
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        raise ValueError(f"“{raw}” is not an amount")
    salary = round(Decimal(cleaned))
    if problem := int_problem(salary):
        raise ValueError(f"the salary {problem}")
    return salary


_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}


def _date(raw: str, fmt: str) -> datetime.date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?", text):
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
            a, b, year = int(m[1]), int(m[2]), int(m[3])
            month_first = b > 12 or (a <= 12 and fmt in US_DATE_FORMATS)
            return datetime.date(year, a, b) if month_first else datetime.date(year, b, a)
        if m := re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3})[a-z]*[ -,]+(\d{4})", text):
            return datetime.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        if m := re.fullmatch(r"([A-Za-z]{3})[a-z]* (\d{1,2}),? (\d{4})", text):
            return datetime.date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    except (ValueError, KeyError):
        pass
    raise ValueError(f"“{raw}” is not a date (write it as YYYY-MM-DD)")


def read_people(
    table: Table, mapping: dict[str, str], fmt: str, progress: Progress = no_progress
) -> tuple[list[PersonRow], list[Problem]]:
    """Every row checked: each problem with its row and column (the file's header), then the reporting lines
    (a manager not in the file, an ambiguous name, a cycle, no top or two tops)."""
    problems = list(mapping_problems(table.headers, mapping))
    if problems:
        return [], problems
    index = {header: at for at, header in enumerate(table.headers)}

    def column(name: str) -> str:
        return mapping.get(name) or ""

    at_of = {name: index[header] for name, header in mapping.items() if header}

    def getter(cells: list[str]) -> Callable[[str], str]:
        values = {name: cells[at].strip() for name, at in at_of.items()}
        return lambda name: values.get(name, "")

    rows: list[PersonRow] = []
    by_email: dict[str, PersonRow] = {}
    total = len(table.rows)
    for at, cells in enumerate(table.rows):
        progress(at, total)
        number = at + 2
        if not any(c.strip() for c in cells):
            continue
        get = getter(cells)
        row_problems: list[Problem] = []

        def refuse(name: str, message: str, number: int = number, into: list[Problem] = row_problems) -> None:
            into.append(Problem(number, column(name) or FIELD_LABELS.get(name, name), message))

        for name in at_of:
            value = get(name)
            if value and _SUSPECT.search(value) and (problem := text_problem(value)):
                refuse(name, f"the value {problem}")
        name = get("name") or " ".join(part for part in (get("first_name"), get("last_name")) if part)
        if not name:
            refuse("name" if column("name") else "first_name", "the name is empty")
        elif len(name) > 200:
            refuse("name" if column("name") else "first_name", "the name is longer than 200 characters")
        email = get("email").lower()
        if not email:
            refuse("email", "the work e-mail is empty (it identifies the person across imports)")
        else:
            try:
                validate_email(email)
            except ValidationError:
                refuse("email", f"“{get('email')}” is not an e-mail address")
                email = ""
        if email and email in by_email:
            refuse(
                "email",
                f"{email} is already on row {by_email[email].row}: an e-mail belongs to one person, whatever its case",
            )
        title = get("title")
        if not title:
            refuse("title", "the job title is empty")
        elif len(title) > 150:
            refuse("title", "the job title is longer than 150 characters")
        manager_email = get("manager_email").lower()
        start_date = salary = None
        try:
            start_date = _date(get("start_date"), fmt)
            if start_date is not None and (problem := date_problem(start_date, earliest=START_DATE_EARLIEST)):
                refuse("start_date", f"the start date {problem}")
                start_date = None
        except ValueError as exc:
            refuse("start_date", str(exc))
        try:
            salary = _salary(get("salary"))
        except ValueError as exc:
            refuse("salary", str(exc))
        person = PersonRow(
            number,
            get("employee_id"),
            name,
            email,
            title,
            get("department"),
            manager_email,
            get("manager_id"),
            get("manager_name"),
            start_date,
            salary,
        )
        if email and email not in by_email:
            by_email[email] = person
        problems += row_problems
        rows.append(person)
    progress(total, total)
    if not rows:
        return [], [Problem(2, "", "the file has no people")]
    problems += _reporting_lines(rows, by_email, column)
    return rows, sorted(problems, key=lambda p: (p.row, p.column))


def _reporting_lines(
    rows: list[PersonRow], by_email: dict[str, PersonRow], column: Callable[[str], str]
) -> list[Problem]:
    problems: list[Problem] = []
    by_id: dict[str, PersonRow] = {}
    for row in rows:
        if not row.employee_id:
            continue
        if row.employee_id in by_id and column("manager_id"):
            problems.append(
                Problem(
                    row.row,
                    column("employee_id"),
                    f"employee ID “{row.employee_id}” is already on row {by_id[row.employee_id].row}",
                )
            )
        by_id.setdefault(row.employee_id, row)
    by_name: dict[str, list[PersonRow]] = {}
    for row in rows:
        by_name.setdefault(" ".join(row.name.lower().split()), []).append(row)
    for row in rows:
        if row.manager_email:
            row.manager = by_email.get(row.manager_email)
            if row.manager is None:
                problems.append(
                    Problem(row.row, column("manager_email"), f"the manager {row.manager_email} is not in the file")
                )
        elif row.manager_id:
            row.manager = by_id.get(row.manager_id)
            if row.manager is None:
                problems.append(
                    Problem(row.row, column("manager_id"), f"no one in the file has the employee ID “{row.manager_id}”")
                )
        elif row.manager_name:
            named = by_name.get(" ".join(row.manager_name.lower().split()), [])
            if len(named) == 1:
                row.manager = named[0]
            elif not named:
                problems.append(
                    Problem(row.row, column("manager_name"), f"no one in the file is called “{row.manager_name}”")
                )
            else:
                on_rows = ", ".join(str(r.row) for r in named)
                problems.append(
                    Problem(
                        row.row,
                        column("manager_name"),
                        f"{len(named)} people are called “{row.manager_name}” (rows {on_rows}): "
                        "map the manager's e-mail or employee ID instead",
                    )
                )
    manager_column = column("manager_email") or column("manager_id") or column("manager_name")
    tops = [row for row in rows if not (row.manager_email or row.manager_id or row.manager_name)]
    if not tops and rows:
        problems.append(
            Problem(
                0,
                manager_column,
                "no one is at the top: every row has a manager (the chart needs one top, e.g. the CEO)",
            )
        )
    for extra in tops[1:]:
        problems.append(
            Problem(
                extra.row,
                manager_column,
                f"a second top: {extra.name} has no manager, like {tops[0].name} on row {tops[0].row}",
            )
        )
    # roles.csv_io's cycle finder, over e-mails (a person managing themselves is a cycle of one)
    nodes = {
        row.email: _CycleNode(row.row, row.manager_key) for row in rows if row.email and by_email.get(row.email) is row
    }
    self_managed = [email for email, node in nodes.items() if node.manager_id == email]
    for email in self_managed:
        problems.append(Problem(nodes[email].number, manager_column, f"{email} is their own manager"))
    for cycle in _cycles(cast(Any, nodes)):
        for at, email in enumerate(cycle):
            problems.append(Problem(nodes[email].number, manager_column, _cycle_message(cycle[at:] + cycle[:at])))
    return problems


# --- Comparing with the target ---------------------------------------------------------
@dataclass
class Seat:
    """One person of the file and the seat they will hold."""

    row: PersonRow
    match: TitleMatch
    person: Person | None  # known already
    position: Position | None  # their seat in the target, if any
    team: str = ""
    manager_seat_email: str = ""


@dataclass
class Diff:
    """What the file means for the target: everything `hr.apply` writes, computed once."""

    chart: Chart | None
    seats: list[Seat]
    leavers: list[Person]
    leaver_seats: list[Position]
    retitled: list[Seat] = field(default_factory=list)
    moved: list[Seat] = field(default_factory=list)
    manager_changed: list[Seat] = field(default_factory=list)
    added: list[Seat] = field(default_factory=list)
    new_people: list[Seat] = field(default_factory=list)
    returning: list[Seat] = field(default_factory=list)
    unchanged: int = 0
    root_seat: Position | None = None  # the target's top seat, when another seat becomes the top


def effective_match(matcher: TitleMatcher, row: PersonRow, overrides: dict[str, Any]) -> TitleMatch:
    """The matcher's proposal, or the correction the user made on this import's roles page."""
    match = matcher.match(row.title, row.department)
    corrected = overrides.get(row.title) or overrides.get(title_key(row.title))
    if not corrected:
        return match
    role_key = corrected.get("role") or None
    platform = corrected.get("platform") or None
    role = matcher.roles.get(role_key) if role_key else None
    team = team_from_department(row.department) or (role.team if role else None) or match.team
    return TitleMatch(role.key if role else None, platform, team, match.level, 1.0, "Corrected on this import")


def compare(
    rows: list[PersonRow],
    *,
    chart: Chart | None,
    target: str,
    matcher: TitleMatcher,
    overrides: dict[str, Any],
    positions: list[Position] | None = None,
) -> Diff:
    """The file against `chart`'s seats: a fixed number of queries whatever the size."""
    if positions is None:
        positions = list(Position.objects.filter(chart=chart).select_related("person")) if chart is not None else []
    seat_of = {p.person.email.lower(): p for p in positions if p.person is not None}
    by_pk = {p.pk: p for p in positions}
    emails = [row.email for row in rows]
    people = {p.email.lower(): p for p in Person.objects.annotate(lower=Lower("email")).filter(lower__in=emails)}
    diff = Diff(chart=chart, seats=[], leavers=[], leaver_seats=[])
    in_file = set(emails)
    for row in rows:
        seat = Seat(row, effective_match(matcher, row, overrides), people.get(row.email), seat_of.get(row.email))
        seat.team = seat.match.team
        seat.manager_seat_email = row.manager.email if row.manager is not None else ""
        diff.seats.append(seat)
        if seat.person is None:
            diff.new_people.append(seat)
        elif target == "live" and (seat.person.is_planned or not seat.person.is_active):
            diff.returning.append(seat)
        position = seat.position
        if position is None:
            diff.added.append(seat)
            continue
        changed = False
        if position.title != row.title:
            diff.retitled.append(seat)
            changed = True
        if position.team != seat.team:
            diff.moved.append(seat)
            changed = True
        manager = by_pk.get(position.reports_to_id) if position.reports_to_id else None
        manager_email = manager.person.email.lower() if manager is not None and manager.person is not None else ""
        if manager_email != seat.manager_seat_email:
            diff.manager_changed.append(seat)
            changed = True
        if not changed:
            diff.unchanged += 1
    for position in positions:
        holder = position.person
        if holder is not None and holder.email.lower() not in in_file and holder.is_active and not holder.is_planned:
            diff.leavers.append(holder)
            diff.leaver_seats.append(position)
    top = next((s for s in diff.seats if s.row.manager is None), None)
    current_root = next((p for p in positions if p.reports_to_id is None), None)
    if current_root is not None and (top is None or top.position is None or top.position.pk != current_root.pk):
        diff.root_seat = current_root
    return diff


# --- The preview ---------------------------------------------------------------------
@dataclass
class Plan:
    target: str = "scenario"
    chart_name: str = ""
    people_added: list[dict[str, Any]] = field(default_factory=list)
    seats_added: list[dict[str, Any]] = field(default_factory=list)
    seats_moved: list[dict[str, Any]] = field(default_factory=list)
    seats_retitled: list[dict[str, Any]] = field(default_factory=list)
    seats_removed: list[dict[str, Any]] = field(default_factory=list)
    managers_changed: list[dict[str, Any]] = field(default_factory=list)
    leavers: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    matches: list[dict[str, Any]] = field(default_factory=list)  # {"title", "count", "match": TitleMatch.to_json()}
    problems: list[dict[str, Any]] = field(default_factory=list)  # {"row", "column", "message"}

    CATEGORIES = (
        ("people_added", "People added"),
        ("seats_added", "Seats added"),
        ("seats_moved", "Seats moved to another team"),
        ("seats_retitled", "Seats retitled"),
        ("seats_removed", "Seats left vacant"),
        ("managers_changed", "Managers changed"),
        ("leavers", "No longer in the file (leavers)"),
    )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Plan":
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    @property
    def changes(self) -> int:
        return sum(len(getattr(self, name)) for name, _ in self.CATEGORIES)

    @property
    def is_empty(self) -> bool:
        return self.changes == 0

    def counts(self) -> list[tuple[str, str, int]]:
        return [(name, label, len(getattr(self, name))) for name, label in self.CATEGORIES]

    def lines(self) -> list[str]:
        """The preview as text (the command prints it)."""
        out = []
        for name, label, count in self.counts():
            out.append(f"{label}: {count}")
            out += [f"  - {item['text']}" for item in getattr(self, name)]
        out.append(f"Unchanged: {self.unchanged}")
        return out


def _role_label(match: TitleMatch, matcher: TitleMatcher) -> str:
    role = matcher.roles.get(match.role_key) if match.role_key else None
    label = role.name if role else "no role"
    return label + (f", expertise {match.platform_key}" if match.platform_key else "")


def plan_from_diff(diff: Diff, *, target: str, matcher: TitleMatcher, with_holdings: bool = True) -> Plan:
    chart = diff.chart
    plan = Plan(target=target, chart_name=chart.name if chart else "")
    name_of = {seat.row.email: seat.row.name for seat in diff.seats}
    by_pk: dict[int, str] = {}
    for seat in diff.seats:
        if seat.position is not None:
            by_pk[seat.position.pk] = seat.row.name
    for seat in diff.new_people:
        row = seat.row
        plan.people_added.append(
            {
                "row": row.row,
                "name": row.name,
                "email": row.email,
                "title": row.title,
                "text": f"{row.name} <{row.email}>, {row.title} (row {row.row})",
            }
        )
    for seat in diff.returning:
        row = seat.row
        why = (
            "a planned hire, now in the HR system"
            if seat.person and seat.person.is_planned
            else "was inactive, returns"
        )
        plan.people_added.append(
            {
                "row": row.row,
                "name": row.name,
                "email": row.email,
                "title": row.title,
                "text": f"{row.name} <{row.email}>: {why} (row {row.row})",
            }
        )
    for seat in diff.added:
        row = seat.row
        manager = name_of.get(seat.manager_seat_email, "nobody (the top)")
        plan.seats_added.append(
            {
                "row": row.row,
                "name": row.name,
                "title": row.title,
                "team": seat.team,
                "manager": manager,
                "role": _role_label(seat.match, matcher),
                "text": f"“{row.title}” for {row.name}, reporting to {manager} ({_role_label(seat.match, matcher)})",
            }
        )
    for seat in diff.moved:
        assert seat.position is not None
        plan.seats_moved.append(
            {
                "row": seat.row.row,
                "name": seat.row.name,
                "title": seat.row.title,
                "from": seat.position.team,
                "to": seat.team,
                "text": f"{seat.row.name}: team {seat.position.get_team_display()} → {_team_label(seat.team)}",
            }
        )
    for seat in diff.retitled:
        assert seat.position is not None
        plan.seats_retitled.append(
            {
                "row": seat.row.row,
                "name": seat.row.name,
                "from": seat.position.title,
                "to": seat.row.title,
                "role": _role_label(seat.match, matcher),
                "text": f"{seat.row.name}: “{seat.position.title}” → “{seat.row.title}” "
                f"({_role_label(seat.match, matcher)})",
            }
        )
    for seat in diff.manager_changed:
        assert seat.position is not None
        before = by_pk.get(seat.position.reports_to_id or 0) or _holder_label(seat.position.reports_to_id, diff)
        after = name_of.get(seat.manager_seat_email, "nobody (the top)")
        plan.managers_changed.append(
            {
                "row": seat.row.row,
                "name": seat.row.name,
                "title": seat.row.title,
                "from": before,
                "to": after,
                "text": f"{seat.row.name} reports to {after} (was {before})",
            }
        )
    for position in diff.leaver_seats:
        holder = position.person
        assert holder is not None
        plan.seats_removed.append(
            {
                "title": position.title,
                "name": holder.name,
                "text": f"“{position.title}”: {holder.name} is no longer in the file; the seat becomes a vacancy",
            }
        )
    for person in diff.leavers:
        plan.leavers.append(_leaver(person, with_holdings=with_holdings, target=target))
    plan.unchanged = diff.unchanged
    counted: dict[str, tuple[int, TitleMatch]] = {}
    for seat in diff.seats:
        count, _ = counted.get(seat.row.title, (0, seat.match))
        counted[seat.row.title] = (count + 1, seat.match)
    plan.matches = [
        {"title": title, "count": count, "match": match.to_json()} for title, (count, match) in sorted(counted.items())
    ]
    return plan


def _holder_label(position_id: int | None, diff: Diff) -> str:
    for position in diff.leaver_seats:
        if position.pk == position_id and position.person is not None:
            return position.person.name
    return "a vacancy" if position_id else "nobody (the top)"


def _team_label(team: str) -> str:
    from roles.choices import Team

    return dict(Team.choices).get(team, team)


def _leaver(person: Person, *, with_holdings: bool, target: str) -> dict[str, Any]:
    """A leaver with what they hold (governance.selectors.person_holdings, the leaver page's own list)."""
    entry: dict[str, Any] = {"name": person.name, "email": person.email, "person_id": person.pk}
    if not with_holdings:
        return entry | {"held": 0, "holds": [], "text": f"{person.name} <{person.email}>"}
    holdings = person_holdings(person)
    entry["holds"] = [f"{item.kind} “{item.label}”" for item in leaver_handoffs(holdings)]
    entry |= {
        "seats": [seat.title for seat in holdings.live_seats],
        "workflows": [w.name for w in holdings.workflows],
        "open_reviews": [r.incident.summary for r in holdings.open_reviews],
        "actions": [str(a) for a in holdings.actions],
        "assets": [str(a) for a in holdings.assets],
        "sources": [s.name for s in holdings.sources],
        "held": holdings.held_count,
    }
    parts = [
        f"{len(entry[key])} {label}"
        for key, label in (
            ("workflows", "workflow(s)"),
            ("open_reviews", "open review(s)"),
            ("actions", "open corrective action(s)"),
            ("assets", "knowledge asset(s)"),
            ("sources", "data source(s)"),
            ("seats", "seat(s)"),
        )
        if entry[key]
    ]
    then = (
        "will be deactivated; hand their work on from their page (it shows as findings until then)"
        if target == "live"
        else "stays active (a scenario changes no one)"
    )
    entry["text"] = f"{person.name} <{person.email}> holds {', '.join(parts) or 'nothing'}: {then}"
    return entry


def people_import_rows(
    people_import: PeopleImport, progress: Progress = no_progress
) -> tuple[list[PersonRow], list[Problem]]:
    table = read_table(bytes(people_import.content), people_import.filename)
    return read_people(table, people_import.mapping, people_import.fmt, progress)


def build_plan(people_import: PeopleImport, progress: Progress = no_progress) -> Plan:
    """The dry run: what applying this import would change (nothing is written). A file with problems
    gives a plan holding only them."""
    rows, problems = people_import_rows(people_import, progress)
    target = people_import.target
    if problems:
        return Plan(target=target, problems=[p.to_json() for p in problems])
    matcher = TitleMatcher.load()
    chart = chart_live()
    if chart is None and target == "live":
        return Plan(
            target=target, problems=[Problem(0, "", "there is no live chart to sync: import into a scenario").to_json()]
        )
    diff = compare(rows, chart=chart, target=target, matcher=matcher, overrides=people_import.overrides or {})
    return plan_from_diff(diff, target=target, matcher=matcher)
