"""`make bench`, the graphical org chart: its page for the 2,000-seat chart and the opening of a branch of
200 seats, each against the hand-written SQL that reads the same seats, in the same run.

The page reads the whole chart (its findings and cost need every seat) and draws only its top levels; a
branch reads one seat's reports. Called once from bench/run.py with the generated enterprise chart.
"""

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from roles.models import Chart, Person, Position, PositionRole, Role

PAGE_BYTES_GOAL = 400_000
BRANCH_SEATS = 200

# What the page reads of the chart's seats, by hand: the seats and their people, roles, platform
# expertise and dotted lines (%s: the chart).
PAGE_SQL = [
    """SELECT p.id, p.title, p.team, p.level, p.person_id, p.salary, p.reports_to_id, p.key, pe.name, pe.email
       FROM roles_position p LEFT JOIN roles_person pe ON pe.id = p.person_id WHERE p.chart_id = %s ORDER BY p.title""",
    """SELECT pr.position_id, r.id, r.key, r.name, r.team, r.band_min, r.band_max, r.is_core, r.is_platform_role
       FROM roles_positionrole pr JOIN roles_role r ON r.id = pr.role_id JOIN roles_position p ON p.id = pr.position_id
       WHERE p.chart_id = %s ORDER BY r.is_core DESC, r.name""",
    """SELECT e.position_id, pl.id, pl.name FROM workflows_platform_experts e
       JOIN workflows_platform pl ON pl.id = e.platform_id JOIN roles_position p ON p.id = e.position_id
       WHERE p.chart_id = %s ORDER BY pl.name""",
    """SELECT d.from_position_id, d.to_position_id, t.title FROM roles_position_dotted_lines d
       JOIN roles_position p ON p.id = d.from_position_id JOIN roles_position t ON t.id = d.to_position_id
       WHERE p.chart_id = %s ORDER BY t.title""",
]
# And what its rules read besides the seats: who is active but unplaced, and who owns a workflow.
RULES_SQL = [
    """SELECT id, name FROM roles_person WHERE is_active AND NOT is_planned AND id NOT IN
       (SELECT person_id FROM roles_position WHERE chart_id = %s AND person_id IS NOT NULL)""",
    """SELECT DISTINCT owner_id FROM workflows_workflow WHERE owner_id IS NOT NULL""",
]
# What opening a branch reads, by hand (%s: the seat opened): its reports, each with its person and
# number of reports, their roles, expertise and dotted lines.
BRANCH_SQL = [
    """SELECT p.id, p.title, p.team, p.level, p.person_id, p.salary, p.reports_to_id, pe.name,
              (SELECT count(*) FROM roles_position r WHERE r.reports_to_id = p.id)
       FROM roles_position p LEFT JOIN roles_person pe ON pe.id = p.person_id WHERE p.reports_to_id = %s
       ORDER BY p.title""",
    """SELECT pr.position_id, r.id, r.key, r.name, r.team, r.band_min, r.band_max, r.is_core, r.is_platform_role
       FROM roles_positionrole pr JOIN roles_role r ON r.id = pr.role_id JOIN roles_position p ON p.id = pr.position_id
       WHERE p.reports_to_id = %s ORDER BY r.is_core DESC, r.name""",
    """SELECT e.position_id, pl.id, pl.name FROM workflows_platform_experts e
       JOIN workflows_platform pl ON pl.id = e.platform_id JOIN roles_position p ON p.id = e.position_id
       WHERE p.reports_to_id = %s ORDER BY pl.name""",
    """SELECT d.from_position_id, d.to_position_id, t.title FROM roles_position_dotted_lines d
       JOIN roles_position p ON p.id = d.from_position_id JOIN roles_position t ON t.id = d.to_position_id
       WHERE p.reports_to_id = %s ORDER BY t.title""",
]


def _timed(fn: Callable[[], object], repeat: int = 9) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _raw(statements: list[str], param: int) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [param] if "%s" in sql else [])
            cursor.fetchall()


def _count_queries(fn: Callable[[], object]) -> int:
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        fn()
    return len(statements)


def _wide_branch() -> Position:
    """A scenario whose head of marketing has 200 reports (each with a role, half with a person, one in
    ten with a dotted line to the first), the branch opened below."""
    chart = Chart.objects.create(name="Bench — a wide branch", status="scenario")
    roles = list(Role.objects.order_by("key"))
    people = Person.objects.bulk_create(
        Person(name=f"Branch person {i}", email=f"branch{i}@bench.example") for i in range(BRANCH_SEATS // 2)
    )
    top = Position.objects.create(chart=chart, key="top", title="CMO", team="executive", level="c_level")
    head = Position.objects.create(chart=chart, key="head", title="Head", team="marops", level="vp", reports_to=top)
    reports = Position.objects.bulk_create(
        Position(
            chart=chart,
            key=f"r{i}",
            title=f"Report {i:03}",
            team="marops",
            level="specialist",
            person=people[i] if i < len(people) else None,
            reports_to=head,
        )
        for i in range(BRANCH_SEATS)
    )
    PositionRole.objects.bulk_create(
        PositionRole(position=p, role=roles[i % len(roles)]) for i, p in enumerate([top, head, *reports])
    )
    Position.dotted_lines.through.objects.bulk_create(
        Position.dotted_lines.through(from_position=p, to_position=reports[0]) for p in reports[10::10]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE roles_position, roles_person, roles_positionrole, roles_position_dotted_lines")
    return head


def chart_measures(chart: Chart) -> dict[str, Any]:
    """The chart page of `chart` (2,000 seats) and a branch of 200 seats, as a Leader sees them (the
    most markup: every seat draggable), each with its raw SQL, its query count and its size."""
    leader = User.objects.create_user("bench-leader")
    leader.groups.add(Group.objects.get(name="Leaders"))
    client = Client()
    client.force_login(leader)
    page_url = f"/org/charts/{chart.pk}/"
    first = client.get(page_url)
    assert first.status_code == 200, first.status_code
    page = _timed(lambda: client.get(page_url))
    seats_sql = _timed(lambda: _raw(PAGE_SQL, chart.pk))
    all_sql = _timed(lambda: _raw(PAGE_SQL + RULES_SQL, chart.pk))
    page_queries = _count_queries(lambda: client.get(page_url))
    # What any signed-in request costs before it reads anything (session, user, permissions, middleware):
    # an empty search of the chart, which reads only the chart.
    floor = _timed(lambda: client.get(f"/org/charts/{chart.pk}/search/?q=", headers={"HX-Request": "true"}), repeat=15)

    head = _wide_branch()
    branch_url = f"/org/positions/{head.pk}/branch/"
    answer = client.get(branch_url, headers={"HX-Request": "true"})
    assert answer.content.count(b'data-testid="seat"') == BRANCH_SEATS
    branch = _timed(lambda: client.get(branch_url, headers={"HX-Request": "true"}), repeat=15)
    branch_sql = _timed(lambda: _raw(BRANCH_SQL, head.pk), repeat=15)
    branch_queries = _count_queries(lambda: client.get(branch_url, headers={"HX-Request": "true"}))
    return {
        "page": {
            "seats": chart.positions.count(),
            "seats_drawn": first.content.count(b'data-testid="seat"'),
            "bytes": len(first.content),
            "bytes_goal": f"<= {PAGE_BYTES_GOAL:,}",
            "server_s": round(page, 4),
            "seats_sql_s": round(seats_sql, 4),
            "ratio": round(page / seats_sql, 2),
            "goal": "<= 3x",
            "all_reads_sql_s": round(all_sql, 4),
            "ratio_to_all_reads": round(page / all_sql, 2),
            "queries": page_queries,
            "request_floor_s": round(floor, 4),
        },
        "branch": {
            "seats": BRANCH_SEATS,
            "bytes": len(answer.content),
            "server_s": round(branch, 4),
            "raw_sql_s": round(branch_sql, 4),
            "ratio": round(branch / branch_sql, 2),
            "goal": "<= 3x",
            "queries": branch_queries,
        },
    }


def print_chart_measures(results: dict[str, Any]) -> None:
    page, branch = results["page"], results["branch"]
    print(f"{'chart page, 2,000 seats / its seats SQL':<42}{page['ratio']:>13}x  <= 3x")
    print(f"{'   (ms: page, seats SQL; all its reads)':<42}{page['server_s'] * 1000:>7.1f} {page['seats_sql_s'] * 1000:>6.1f}"
          f"  {page['all_reads_sql_s'] * 1000:.1f} ms, {page['ratio_to_all_reads']}x")  # fmt: skip
    print(f"{'chart page: bytes on first load':<42}{page['bytes']:>14,}  <= 400,000")
    print(f"{'chart page: seats drawn, queries':<42}{page['seats_drawn']:>7} {page['queries']:>6}")
    print(f"{'   (ms: a signed-in request reading nothing)':<42}{page['request_floor_s'] * 1000:>7.1f}")
    print(f"{'branch of 200 seats / its raw SQL':<42}{branch['ratio']:>13}x  <= 3x")
    print(f"{'   (ms: branch, raw SQL; queries)':<42}{branch['server_s'] * 1000:>7.1f} {branch['raw_sql_s'] * 1000:>6.1f}"
          f"  {branch['queries']} queries")  # fmt: skip
