"""`make bench`, the graphical org chart: its page for the 2,000-seat chart and the opening of a branch of
200 seats, each against the hand-written SQL that reads the same seats, in the same run.

The page reads the whole chart and draws only its top levels; its findings, unplaced people and cost are
kept between requests while nothing they read changes (roles.rules.chart_reading), so the page is also
measured as the first one after a change, when they are computed again. A branch reads one seat's
reports. Each ratio is taken interleaved (bench/measure.py: page, SQL, page, SQL, …) with its spread.
Called once from bench/run.py with the generated enterprise chart, or alone: `python bench/chart.py`
(a fresh scratch database, as `make bench` makes it; `--reuse` keeps the one generated before).
"""

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # `python bench/chart.py`: the environment `make bench` sets, then Django
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import run

    if "--reuse" not in sys.argv[1:]:
        run.recreate_database()
    import django

    django.setup()

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from bench.measure import LABEL_WIDTH, compare
from marops.wsgi import freeze_startup
from roles.models import Chart, Person, Position, PositionRole, Role

PAGE_BYTES_GOAL = 400_000
REPEAT = 15  # pairs (page, its SQL) measured, interleaved
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


def _changed() -> None:
    """As after any write to what the chart rules read: the findings version moves on, so the next page
    computes its findings again (roles/findings_version.py)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE roles_findings_version SET n = n + 1")


def chart_measures(chart: Chart) -> dict[str, Any]:
    """The chart page of `chart` (2,000 seats) and a branch of 200 seats, as a Leader sees them (the
    most markup: every seat draggable), each against its raw SQL, interleaved (bench/measure.py), with
    its query count and its size."""
    # As a worker serving these pages has it (marops/wsgi.py): what the process holds by now kept out
    # of the cycle collector's full walks, so the figures are of the production path, not of a heap
    # that a started worker would have frozen.
    freeze_startup()
    leader = User.objects.create_user("bench-leader")
    leader.groups.add(Group.objects.get(name="Leaders"))
    client = Client()
    client.force_login(leader)
    page_url = f"/org/charts/{chart.pk}/"
    first = client.get(page_url)
    assert first.status_code == 200, first.status_code

    def page() -> object:
        return client.get(page_url)

    seats = compare(page, lambda: _raw(PAGE_SQL, chart.pk), repeat=REPEAT)
    all_reads = compare(page, lambda: _raw(PAGE_SQL + RULES_SQL, chart.pk), repeat=REPEAT)
    # The first page after a change: its findings, unplaced people and cost computed again.
    changed_version = connection.vendor == "postgresql"
    after_change = compare(
        page, lambda: _raw(PAGE_SQL, chart.pk), repeat=REPEAT, between=_changed if changed_version else None
    )
    page_queries = _count_queries(page)  # the first after a change: the reading computed
    page()
    kept_queries = _count_queries(page)  # the reading kept
    # What any signed-in request costs before it reads anything (session, user, permissions, middleware):
    # an empty search of the chart, which reads only the chart.
    floor = _timed(lambda: client.get(f"/org/charts/{chart.pk}/search/?q=", headers={"HX-Request": "true"}), repeat=15)

    head = _wide_branch()
    branch_url = f"/org/positions/{head.pk}/branch/"
    answer = client.get(branch_url, headers={"HX-Request": "true"})
    assert answer.content.count(b'data-testid="seat"') == BRANCH_SEATS
    branch = compare(
        lambda: client.get(branch_url, headers={"HX-Request": "true"}),
        lambda: _raw(BRANCH_SQL, head.pk),
        repeat=REPEAT,
    )
    branch_queries = _count_queries(lambda: client.get(branch_url, headers={"HX-Request": "true"}))
    return {
        "page": {
            "seats": chart.positions.count(),
            "seats_drawn": first.content.count(b'data-testid="seat"'),
            "bytes": len(first.content),
            "bytes_goal": f"<= {PAGE_BYTES_GOAL:,}",
            "server_s": round(seats.a, 4),
            "seats_sql_s": round(seats.b, 4),
            "ratio": round(seats.ratio, 2),
            "goal": "<= 3x",
            "vs_seats_sql": seats.as_dict(),
            "all_reads_sql_s": round(all_reads.b, 4),
            "ratio_to_all_reads": round(all_reads.ratio, 2),
            "vs_all_reads_sql": all_reads.as_dict(),
            "after_a_change": after_change.as_dict(),
            "queries": page_queries,
            "queries_reading_kept": kept_queries,
            "request_floor_s": round(floor, 4),
        },
        "branch": {
            "seats": BRANCH_SEATS,
            "bytes": len(answer.content),
            "server_s": round(branch.a, 4),
            "raw_sql_s": round(branch.b, 4),
            "ratio": round(branch.ratio, 2),
            "goal": "<= 3x",
            "vs_raw_sql": branch.as_dict(),
            "queries": branch_queries,
        },
    }


def _row(label: str, figure: dict[str, Any], goal: str = "") -> str:
    """A line of the table from a figure of bench/measure.py, as stored in results.json."""
    q1, q3 = figure["ratio_iqr"]
    low, high = figure["ratio_min_max"]
    return (
        f"{label:<{LABEL_WIDTH}}{figure['ratio']:>13.2f}x  {goal:<8} (IQR {q1:.2f}–{q3:.2f}x, range {low:.2f}–"
        f"{high:.2f}x, n={figure['repetitions']}; {figure['a_ms']:.1f} ms / {figure['b_ms']:.1f} ms)"
    ).rstrip()


def print_chart_measures(results: dict[str, Any]) -> None:
    page, branch = results["page"], results["branch"]
    print(_row("chart page, 2,000 seats / its seats SQL", page["vs_seats_sql"], "<= 3x"))
    print(_row("   the same / all its reads' SQL", page["vs_all_reads_sql"]))
    print(_row("   first page after a change / seats SQL", page["after_a_change"]))
    print(f"{'chart page: bytes on first load':<42}{page['bytes']:>14,}  <= 400,000")
    print(f"{'chart page: seats drawn, queries':<42}{page['seats_drawn']:>7} {page['queries']:>6}"
          f" ({page.get('queries_reading_kept', '?')} with its reading kept)")  # fmt: skip
    print(f"{'   (ms: a signed-in request reading nothing)':<42}{page['request_floor_s'] * 1000:>7.1f}")
    print(_row("branch of 200 seats / its raw SQL", branch["vs_raw_sql"], "<= 3x"))
    print(f"{'   (branch: queries)':<42}{branch['queries']:>14}")


def _standalone() -> None:
    """`python bench/chart.py [--reuse]`: these two figures alone, on the bench's scratch database
    (BENCH_DATABASE_URL), generated afresh as `make bench` does; `--reuse` keeps a database generated
    before (the chart measures clean up after themselves)."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    call_command("migrate", verbosity=0)
    if not Chart.objects.filter(name="Bench — enterprise").exists():
        from bench.generate import generate

        generate()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def clean() -> None:  # what chart_measures adds
        Chart.objects.filter(name="Bench — a wide branch").delete()
        Person.objects.filter(email__endswith="@bench.example", email__startswith="branch").delete()
        User.objects.filter(username="bench-leader").delete()

    clean()
    try:
        results = chart_measures(Chart.objects.get(name="Bench — enterprise"))
    finally:
        clean()
    print_chart_measures(results)


if __name__ == "__main__":
    _standalone()
