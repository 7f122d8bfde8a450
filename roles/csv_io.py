"""Charts to and from CSV: one row per position.

    position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary

Position ids are any strings unique in the file; the one row with no manager is the root; an empty
person is a vacancy; dotted lines and roles are separated by semicolons; roles are role keys or
names (none for a seat outside marketing); level is one of the levels; salary is optional. A person is
found by e-mail; someone new is a planned hire (not active) until a chart that seats them is adopted.
A file with any bad row writes nothing, and every bad row is reported with its number and reason. An
exported chart imports back to the same chart (the position ids are the seats' keys).
"""

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse

from core.imports import (
    CsvImportError,
    ImportResult,
    Progress,
    RowError,
    csv_writer,
    no_progress,
    one_line,
    read_csv_rows,
    reserve_ids,
    too_long,
)
from core.validators import int_problem, text_problem

from .choices import ChartStatus, Level, Team
from .models import Chart, Person, Position, PositionRole, Role
from .selectors import chart_tree
from .services import positions_bulk_create_tree, positions_record_history

COLUMNS = [
    "position_id",
    "title",
    "person_name",
    "person_email",
    "manager_position_id",
    "dotted_line_position_ids",
    "roles",
    "team",
    "level",
    "salary",
]


IMPORTED = "Imported from CSV"  # the history's reason for what an import wrote


class ChartImportError(CsvImportError):
    pass


@dataclass
class _Row:
    number: int
    position_id: str
    title: str
    person: Person | None
    new_person: tuple[str, str] | None  # (name, email) to create
    manager_id: str
    dotted_ids: list[str]
    roles: list[Role]
    team: str
    level: str
    salary: int | None


def _normalise(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def _choice_lookup(choices: list[tuple[str, str]]) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_normalise(value)] = value
        lookup[_normalise(label)] = value
    return lookup


LEVELS = _choice_lookup(Level.choices)
TEAMS = _choice_lookup(Team.choices)
SALARY = re.compile(r"^\d+(\.\d+)?$")


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def _parse_salary(raw: str) -> int | None:
    cleaned = (raw or "").replace(",", "").replace("£", "").strip()
    if not cleaned:
        return None
    if not SALARY.match(cleaned):
        raise ValueError(f"salary “{raw}” is not a number")
    salary = round(Decimal(cleaned))
    if problem := int_problem(salary):
        raise ValueError(f"salary {problem}")
    return salary


def _parse(text: str, progress: Progress = no_progress) -> tuple[list[_Row], list[RowError]]:
    raw_rows, errors = read_csv_rows(text, COLUMNS)
    if not raw_rows:
        return [], errors
    roles = Role.objects.all()
    role_lookup = {r.key.lower(): r for r in roles} | {r.name.lower(): r for r in roles}
    emails = {values["person_email"].lower() for _, values in raw_rows} - {""}
    # Someone already known (by e-mail, in any case) is reused: planned by an earlier import, or real.
    known = Person.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    people = {p.email.lower(): p for p in known}
    parsed: list[_Row] = []
    seen_ids: dict[str, int] = {}  # position_id → row
    seen_emails: dict[str, int] = {}  # e-mail → row
    for done, (number, get) in enumerate(raw_rows):
        progress(done, len(raw_rows))
        problems = too_long(get, {"title": 150, "person_name": 200, "person_email": 254})
        problems += one_line(get, ["position_id", "person_name", "person_email"])
        position_id = get["position_id"]
        if not position_id:
            problems.append("position_id is empty")
        elif len(position_id) > 64:
            problems.append("position_id is longer than 64 characters")
        elif position_id in seen_ids:
            problems.append(f"position_id “{position_id}” is already used on row {seen_ids[position_id]}")
        else:
            seen_ids[position_id] = number
        if not get["title"]:
            problems.append("title is empty")
        person, new_person = None, None
        name, email = get["person_name"], get["person_email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"person_email “{email}” is not an e-mail address")
                email = ""
        if email:
            if email in seen_emails:
                problems.append(
                    f"{email} already holds the position on row {seen_emails[email]}; a person holds one position"
                )
            seen_emails.setdefault(email, number)
            person = people.get(email)
            if person is None:
                if name:
                    new_person = (name, email)
                else:
                    problems.append(f"person_email {email} matches nobody and person_name is empty")
        elif name:
            problems.append(f"person_email is needed to identify {name}")
        role_names = list(dict.fromkeys(_split(get["roles"])))
        row_roles = []
        for role_name in role_names:
            role = role_lookup.get(role_name.lower())
            if role is None:
                problems.append(f"unknown role “{role_name}”")
            elif role not in row_roles:  # a key and a name of the same role count once
                row_roles.append(role)
        level = LEVELS.get(_normalise(get["level"]))
        if level is None:
            problems.append(
                f"unknown level “{get['level']}” (one of: {', '.join(label for _, label in Level.choices)})"
            )
        team = TEAMS.get(_normalise(get["team"])) if get["team"] else (row_roles[0].team if row_roles else None)
        if team is None and get["team"]:
            problems.append(f"unknown team “{get['team']}” (one of: {', '.join(label for _, label in Team.choices)})")
        try:
            salary = _parse_salary(get["salary"])
        except ValueError as exc:
            problems.append(str(exc))
            salary = None
        errors += [RowError(number, p) for p in problems]
        parsed.append(
            _Row(
                number,
                position_id,
                get["title"],
                person,
                new_person,
                get["manager_position_id"],
                list(dict.fromkeys(_split(get["dotted_line_position_ids"]))),
                row_roles,
                team or Team.MAROPS,
                level or "",
                salary,
            )
        )
    progress(len(raw_rows), len(raw_rows))
    errors += _check_structure(parsed)
    return parsed, sorted(errors, key=lambda e: e.row)


def _check_structure(rows: list[_Row]) -> list[RowError]:
    """Managers and dotted lines that exist, one root, no cycles."""
    errors = []
    by_id: dict[str, _Row] = {}
    for row in rows:
        if row.position_id:
            by_id.setdefault(row.position_id, row)  # a duplicate id is reported on its own row
    roots = [row for row in rows if not row.manager_id]
    if not roots:
        errors.append(RowError(2, "no row has an empty manager_position_id: the chart needs one root"))
    for extra in roots[1:]:
        errors.append(RowError(extra.number, f"a second root: row {roots[0].number} already has no manager"))
    for row in rows:
        if row.manager_id and row.manager_id not in by_id:
            errors.append(
                RowError(row.number, f"manager_position_id “{row.manager_id}” is not a position_id in the file")
            )
        if row.manager_id and row.manager_id == row.position_id and by_id.get(row.position_id) is row:
            errors.append(RowError(row.number, "a position cannot report to itself"))
        for dotted in row.dotted_ids:
            if dotted not in by_id:
                errors.append(
                    RowError(row.number, f"dotted line to “{dotted}”, which is not a position_id in the file")
                )
            elif dotted == row.position_id:
                errors.append(RowError(row.number, "a position cannot have a dotted line to itself"))
            elif dotted == row.manager_id:
                errors.append(
                    RowError(row.number, f"“{dotted}” is already the solid-line manager; a dotted line adds nothing")
                )
    for cycle in _cycles(by_id):
        for at, position_id in enumerate(cycle):
            errors.append(RowError(by_id[position_id].number, _cycle_message(cycle[at:] + cycle[:at])))
    return errors


def _cycles(by_id: dict[str, _Row]) -> list[list[str]]:
    """Every reporting cycle (a position reporting to itself is reported on its own), each once, in
    linear time: follow each chain of managers once, marking what it has seen, without recursion (a
    chain may be thousands of seats deep)."""
    state: dict[str, int] = {}  # 1: on the chain being followed, 2: done
    cycles = []
    for start in by_id:
        chain: dict[str, int] = {}  # position_id → place on the chain
        node: str | None = start
        while node is not None and node in by_id and node not in state:
            state[node] = 1
            chain[node] = len(chain)
            manager = by_id[node].manager_id
            node = manager if manager != node else None
        if node is not None and state.get(node) == 1:
            members = list(chain)
            cycles.append(members[chain[node] :])
        for seen in chain:
            state[seen] = 2
    return cycles


def _cycle_message(cycle: list[str]) -> str:
    shown = cycle if len(cycle) <= 12 else [*cycle[:5], f"… {len(cycle) - 6} more …", cycle[-1]]
    return f"reporting cycle: {' → '.join([*shown, cycle[0]])}"


def _scenario_problem(scenario: str) -> str | None:
    if not scenario:
        return "give the scenario a name"
    if len(scenario) > 150:
        return "the scenario name is longer than 150 characters"
    if problem := text_problem(scenario):
        return f"the scenario name {problem}"
    if Chart.objects.filter(name__iexact=scenario).exists():
        return f"a chart called “{scenario}” already exists"
    return None


def chart_import_csv(*, text: str, scenario: str, by: User | None = None, progress: Progress = no_progress) -> Chart:
    """Import a CSV into a new scenario called `scenario`. All or nothing.

    Every row is checked first (`progress(rows checked, rows)` as it goes), outside any transaction so
    that a watcher sees the progress; then everything is written in one transaction, in a fixed number
    of queries whatever the size of the file."""
    scenario = scenario.strip()
    if problem := _scenario_problem(scenario):
        raise ChartImportError([RowError(0, problem)])
    rows, errors = _parse(text, progress)
    if errors:
        raise ChartImportError(errors)
    return _chart_write(rows, scenario=scenario, by=by)


@transaction.atomic
def _chart_write(rows: list[_Row], *, scenario: str, by: User | None) -> Chart:
    if problem := _scenario_problem(scenario):  # again, in the transaction: it may have been taken since
        raise ChartImportError([RowError(0, problem)])
    chart = Chart.objects.create(
        name=scenario, status=ChartStatus.SCENARIO, created_by=by, description="Imported from CSV."
    )
    # Someone the organisation does not know yet is a planned hire: not active, not in the live
    # organisation, until a chart that seats them is adopted (roles.services.chart_adopt).
    new_people = []
    for row in rows:
        if row.new_person is not None:
            name, email = row.new_person
            row.person = Person(name=name, email=email, level=row.level, is_planned=True, is_active=False)
            new_people.append(row.person)
    Person.objects.bulk_create(new_people)
    Person.history.bulk_history_create(new_people, default_user=by, default_change_reason=IMPORTED)

    def build(row: _Row, manager: Position | None) -> Position:
        return Position(
            chart=chart,
            key=row.position_id,
            title=row.title,
            team=row.team,
            level=row.level,
            person=row.person,
            salary=row.salary,
            reports_to=manager,
        )

    ids = reserve_ids(Position, len(rows))
    if ids is None:  # a database without sequences (SQLite, on a laptop): level by level
        made = positions_bulk_create_tree(
            rows, key=lambda row: row.position_id, manager_key=lambda row: row.manager_id, build=build
        )
    else:
        # Ids first, so that each seat names its manager in the same INSERT (the foreign key is
        # checked at commit): one query for any depth of chart.
        made = {}
        for row, pk in zip(rows, ids, strict=True):
            made[row.position_id] = build(row, None)
            made[row.position_id].pk = pk
        for row in rows:
            if row.manager_id:
                made[row.position_id].reports_to_id = made[row.manager_id].pk
        Position.objects.bulk_create(made.values())
    PositionRole.objects.bulk_create(
        PositionRole(position=made[row.position_id], role=role) for row in rows for role in row.roles
    )
    Dotted = Position.dotted_lines.through
    Dotted.objects.bulk_create(
        Dotted(from_position=made[row.position_id], to_position=made[d]) for row in rows for d in row.dotted_ids
    )
    positions_record_history(list(made.values()), reason=IMPORTED, by=by)
    return chart


def chart_import(*, text: str, params: dict[str, str], by: User | None, progress: Progress) -> ImportResult:
    """The chart importer the background job runs (core.imports.register_importer)."""
    chart = chart_import_csv(text=text, scenario=params.get("scenario", ""), by=by, progress=progress)
    return ImportResult(
        message=f"Imported {chart.positions.count()} positions into “{chart.name}”.",
        link=reverse("roles:chart-detail", args=[chart.pk]),
        link_text=f"Open “{chart.name}”",
    )


def chart_export_csv(chart: Chart) -> str:
    """The chart as CSV, root first, each manager before its reports."""
    out = io.StringIO()
    writerow = csv_writer(out)
    writerow(list(COLUMNS))
    nodes = chart_tree(chart)
    key_of: dict[int | None, str] = {node.position.pk: node.position.key for node in nodes}
    for node in nodes:
        p = node.position
        writerow(
            [
                p.key,
                p.title,
                p.person.name if p.person else "",
                p.person.email if p.person else "",
                key_of.get(p.reports_to_id, ""),
                ";".join(d.key for d in p.dotted_line_list()),
                ";".join(r.key for r in p.role_list()),
                p.team,
                p.level,
                "" if p.salary is None else p.salary,
            ]
        )
    return out.getvalue()
