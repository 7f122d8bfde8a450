"""`make bench`: enterprise-scale figures, each a ratio of two measures taken interleaved in the same run
(A, B, A, B, … bench/measure.py), so machine noise falls on both sides; every ratio is printed with its
spread and judged on its median.

Runs against a scratch PostgreSQL database (BENCH_DATABASE_URL, default marops_bench on 127.0.0.1),
which it drops and re-creates, then fills at the chosen scale (`--scale 10` or BENCH_SCALE=10: ten
times the organisation, bench/generate.py). `--reuse` (BENCH_REUSE=1) keeps a database that already
holds that scale's data and measures again without generating. `--only scan,lists` (BENCH_ONLY) runs
some measures only. Prints a table and the query plans it checked, and writes bench/results.json
(one entry per scale).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marops_bench")
os.environ.update(
    DATABASE_URL=URL,
    DJANGO_SETTINGS_MODULE="marops.settings",
    DJANGO_SECRET_KEY="bench-only",
    DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1",
    DJANGO_SECURE_COOKIES="false",
    CELERY_TASK_ALWAYS_EAGER="0",
)
# Tasks a measured request or scan queues (a webhook delivery for each flag opened, say) go to an
# in-process broker nobody reads, as in production they go to Redis for the worker: the bench measures
# what the request does, not the worker's later work. bench/settings.py says the same for gunicorn.
BENCH_BROKER = "memory://"

from bench.measure import Comparison, compare, format_row  # noqa: E402  (after the environment is set)

MEASURES = ("scan", "assign", "dashboard", "lists", "chart", "api", "imports", "people")
MILLION = 1_000_000  # a sequential scan over a table this big fails the plan check
WORKER_MEMORY_GOAL_MB = 500


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE") or 1))
    parser.add_argument("--reuse", action="store_true", default=os.environ.get("BENCH_REUSE", "") not in ("", "0"))
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""), help=f"some of {','.join(MEASURES)}")
    parsed = parser.parse_args(argv)
    parsed.only = set(filter(None, parsed.only.split(","))) or set(MEASURES)
    if unknown := parsed.only - set(MEASURES):
        parser.error(f"--only: no measure called {', '.join(sorted(unknown))} (there are {', '.join(MEASURES)})")
    if parsed.scale < 1:
        parser.error("--scale: a whole number, 1 or more")
    return parsed


def recreate_database() -> None:
    import psycopg

    parsed = urlparse(URL)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path[1:]}"')
        conn.execute(f'CREATE DATABASE "{parsed.path[1:]}"')


def database_holds(sizes: dict[str, int]) -> bool:
    """Whether the bench database exists and already holds data of these sizes (for --reuse)."""
    import psycopg

    try:
        with psycopg.connect(URL) as conn:
            found = conn.execute(
                "SELECT (SELECT count(*) FROM workflows_workflow WHERE name LIKE 'Workflow %%'),"
                " (SELECT count(*) FROM governance_incident WHERE summary LIKE 'Incident %%')"
            ).fetchone()
    except psycopg.Error:
        return False
    return found == (sizes["workflows"], sizes["incidents"])


class StatementCounter:
    """Counts the SQL statements run (connection.execute_wrapper), whatever DEBUG says."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


def throughput(url: str, *, body: bytes | None, headers: dict, seconds: float = 8.0, threads: int = 4) -> float:
    """Requests per second that succeed, from a bounded load generator on 127.0.0.1."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    parsed = urlparse(url)
    deadline = time.perf_counter() + seconds

    def worker() -> int:
        done = 0
        while time.perf_counter() < deadline and done < 5_000:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
            conn.request("POST" if body else "GET", parsed.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status < 300:
                done += 1
        return done

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(lambda _: worker(), range(threads)))
    return total / (time.perf_counter() - start)


def api_under_gunicorn(token: str, step, reporter_id: int) -> dict:
    """4. Incident creation through the API against the bare Django JSON endpoint (bench/urls.py) that
    stores the same incident, both served by the same gunicorn."""
    import socket
    import subprocess

    with socket.socket() as probe:  # a free port: 8765 may be taken by a server someone left running
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "marops.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ
        | {"DJANGO_SETTINGS_MODULE": "bench.settings", "MAROPS_BENCH": "1", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"},
    )
    try:
        for _ in range(50):
            try:
                throughput(f"http://127.0.0.1:{port}/healthz", body=None, headers={}, seconds=0.1, threads=1)
                break
            except OSError:
                time.sleep(0.2)
        incident = {
            "agent_id": step.agent_id,
            "step_id": step.pk,
            "summary": "Bench incident",
            "description": "Load test",
            "severity": "low",
        }
        bare_body = json.dumps(incident | {"reporter_id": reporter_id}).encode()
        json_headers = {"Content-Type": "application/json"}

        def load(path: str, body: bytes, headers: dict) -> float:
            return throughput(f"http://127.0.0.1:{port}{path}", body=body, headers=headers, seconds=API_ROUND_S)

        api_headers = json_headers | {"Authorization": f"Bearer {token}"}
        api_body = json.dumps(incident).encode()

        def api() -> float:
            return load("/api/v1/incidents", api_body, api_headers)

        # Rounds of a few seconds, API and bare view taking turns, so a busy spell hits both.
        share = compare(api, lambda: load("/bench/incidents", bare_body, json_headers), timed=False, repeat=5, warmup=1)
        row_share = compare(
            api, lambda: load("/bench/incident-rows", bare_body, json_headers), timed=False, repeat=3, warmup=0
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    if not (share.a and share.b and row_share.b):
        raise SystemExit(f"measure 4: a run answered nothing ({share.as_dict()}, {row_share.as_dict()})")
    return {
        "share": share,
        "row_share": row_share,
        "api_rps": round(share.a, 1),
        "bare_rps": round(share.b, 1),
        "row_only_rps": round(row_share.b, 1),
        "goal": ">= 50%",
    }


API_ROUND_S = 2.0
ASSIGNMENTS = 30  # measure 5: interleaved pairs of the service and the plain UPDATE


def owner_assignment() -> dict[str, Any]:
    """5. Assigning an owner through the service (the row, its history record, and the flags of that
    workflow opened or resolved by ownership_refresh, all in one transaction) against a plain UPDATE
    that assigns an owner to the same row, each committed, interleaved so the machine's noise falls on
    both alike.

    The service's owner alternates between a MarOps person (the workflow's flags resolve) and nobody
    (they open again), so every assignment writes flags. The UPDATE changes the owner too, to one of
    two other people in turn: an UPDATE writing the value already there would be cheaper than any
    real assignment (no index entry, no trigger). Where the service's time goes is reported beside it,
    per kind of statement (median ms per assignment)."""
    from django.db import connection, transaction

    from roles.models import Person
    from workflows.models import Workflow
    from workflows.scan import ownership_scan
    from workflows.services import workflow_assign_owner

    marops = Person.objects.filter(is_active=True, positions__chart__status="live", positions__team="marops").first()
    others = list(Person.objects.filter(is_active=True).exclude(pk=getattr(marops, "pk", None)).order_by("pk")[:2])
    # A workflow with buyer-facing AI steps, so each assignment moves several flags.
    workflow = Workflow.objects.filter(steps__is_buyer_facing=True, steps__agent__isnull=False).order_by("pk").first()
    assert marops is not None and workflow is not None and len(others) == 2
    turn = [0]
    breakdown: list[dict[str, float]] = []

    def kind_of(sql: str) -> str:
        sql = sql.lstrip()
        if sql.startswith("UPDATE"):
            return "update_row"
        if sql.startswith("INSERT") and "historical" in sql:
            return "history_row"
        if "pg_advisory" in sql:
            return "scan_lock"
        if sql.startswith("WITH"):
            return "flags_diff"
        return "other_sql"

    def service() -> None:
        turn[0] += 1
        timed = TimedStatements()
        start = time.perf_counter()
        with connection.execute_wrapper(timed):
            workflow_assign_owner(workflow=workflow, owner=marops if turn[0] % 2 else None)
        total = time.perf_counter() - start
        parts: dict[str, float] = {}
        for sql, _, seconds in timed.statements:
            parts[kind_of(sql)] = parts.get(kind_of(sql), 0.0) + seconds
        breakdown.append(parts | {"commit_and_python": total - sum(parts.values())})

    def update() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE workflows_workflow SET owner_id = %s, updated_at = now() WHERE id = %s",
                [others[turn[0] % 2].pk, workflow.pk],
            )

    figure = compare(service, update, repeat=ASSIGNMENTS, warmup=4)
    statements = StatementCounter()
    with connection.execute_wrapper(statements):
        service()  # also leaves the flags as the owner it writes asks (the UPDATEs did not refresh them)
    if ownership_scan().changed:
        raise SystemExit("measure 5: the refresh left flags the scan had to change")
    kinds = sorted({kind for parts in breakdown for kind in parts})
    where = {kind: round(statistics.median(parts.get(kind, 0.0) for parts in breakdown) * 1000, 2) for kind in kinds}
    return {"figure": figure, "goal": "<= 5x", "statements": len(statements.statements), "service_ms_by_part": where}


# Who is accountable (workflows/accountability.py, with_gap), by hand: the owner of the step's
# workflow, if active and holding a seat in the live chart's MarOps team; otherwise the first reason.
# `p` is the owner (LEFT JOINed from `w`, the workflow).
LIVE_SEAT = """SELECT 1 FROM roles_position pos JOIN roles_chart c ON c.id = pos.chart_id
               WHERE pos.person_id = w.owner_id AND c.status = 'live'"""
MAROPS_SEAT = f"{LIVE_SEAT} AND pos.team = 'marops'"
GAP = f"""CASE WHEN w.owner_id IS NULL THEN 'no-owner' WHEN NOT p.is_active THEN 'owner-inactive'
               WHEN NOT EXISTS ({LIVE_SEAT}) THEN 'owner-without-seat'
               WHEN NOT EXISTS ({MAROPS_SEAT}) THEN 'owner-outside-marops' ELSE '' END"""
ACCOUNTABLE = f"(w.owner_id IS NOT NULL AND p.is_active AND EXISTS ({MAROPS_SEAT}))"

# The dashboard's figures, written by hand: what the page computes, as plain SQL.
DASHBOARD_SQL = [
    """SELECT m.*, c.name FROM marops_migrationplan m LEFT JOIN roles_chart c ON c.id = m.target_chart_id LIMIT 1""",
    f"""SELECT count(*), count(owner_id), count(*) FILTER (WHERE accountable), count(*) FILTER (WHERE is_critical),
              count(*) FILTER (WHERE is_critical AND owner_id IS NOT NULL),
              count(*) FILTER (WHERE is_critical AND accountable),
              count(*) FILTER (WHERE has_roles AND has_steps AND NOT undecided)
       FROM (SELECT w.owner_id, w.is_critical,
               EXISTS (SELECT 1 FROM workflows_step s WHERE s.workflow_id = w.id) AS has_steps,
               EXISTS (SELECT 1 FROM workflows_step s WHERE s.workflow_id = w.id AND s.decision = '') AS undecided,
               EXISTS (SELECT 1 FROM workflows_step s JOIN workflows_step_roles sr ON sr.step_id = s.id
                       WHERE s.workflow_id = w.id) AS has_roles,
               {ACCOUNTABLE} AS accountable
             FROM workflows_workflow w LEFT JOIN roles_person p ON p.id = w.owner_id
             WHERE w.status <> 'retired') AS figures""",
    f"""SELECT w.id, w.name, p.name, p.email, {GAP}
       FROM workflows_workflow w LEFT JOIN roles_person p ON p.id = w.owner_id
       WHERE w.is_critical AND w.status <> 'retired' ORDER BY w.name""",
    f"""SELECT * FROM (
         SELECT s.id, s.name, s."order", w.name AS workflow, p.name AS owner, p.email, a.name AS agent, pl.name AS platform,
                {GAP} AS gap
         FROM workflows_step s JOIN workflows_workflow w ON w.id = s.workflow_id LEFT JOIN roles_person p ON p.id = w.owner_id
         LEFT JOIN workflows_agent a ON a.id = s.agent_id JOIN workflows_platform pl ON pl.id = s.platform_id
         WHERE s.is_buyer_facing AND s.mode <> 'human' AND w.status <> 'retired') AS test
       WHERE gap <> '' ORDER BY workflow, "order" LIMIT 15""",
    """SELECT kind, count(*), min(opened_at) FROM workflows_ownershipflag WHERE resolved_at IS NULL GROUP BY kind""",
    """SELECT count(*), count(*) FILTER (WHERE r.status = 'resolved'),
              count(*) FILTER (WHERE r.status <> 'resolved' AND r.due_on < current_date),
              count(*) FILTER (WHERE i.severity = 'critical'), count(*) FILTER (WHERE i.severity = 'high'),
              count(*) FILTER (WHERE i.severity = 'medium'),
              count(*) FILTER (WHERE i.severity = 'low'),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY r.resolved_at - i.occurred_at) FILTER (WHERE r.status = 'resolved')
       FROM governance_incident i JOIN governance_review r ON r.incident_id = i.id
       WHERE i.occurred_at >= now() - interval '90 days'""",
    """SELECT r.root_cause, p.name, count(*) FROM governance_incident i JOIN governance_review r ON r.incident_id = i.id
       LEFT JOIN roles_person p ON p.id = r.accountable_owner_id
       WHERE i.occurred_at >= now() - interval '90 days' GROUP BY 1, 2""",
    """SELECT p.id, p.title, p.team, p.level, p.person_id, p.salary, p.reports_to_id,
              array_agg(ro.key), max(ro.band_min), max(ro.band_max)
       FROM roles_position p JOIN roles_chart c ON c.id = p.chart_id
       LEFT JOIN roles_positionrole pr ON pr.position_id = p.id LEFT JOIN roles_role ro ON ro.id = pr.role_id
       WHERE c.status = 'live' GROUP BY p.id""",
    """SELECT d.from_position_id, d.to_position_id FROM roles_position_dotted_lines d
       JOIN roles_position p ON p.id = d.from_position_id JOIN roles_chart c ON c.id = p.chart_id
       WHERE c.status = 'live'""",
    f"""SELECT count(*) FILTER (WHERE s.mode = 'human'), count(*) FILTER (WHERE s.mode = 'ai_assisted'),
              count(*) FILTER (WHERE s.mode = 'ai_autonomous'),
              count(*) FILTER (WHERE s.is_buyer_facing AND s.mode <> 'human'),
              count(*) FILTER (WHERE s.is_buyer_facing AND s.mode <> 'human' AND {ACCOUNTABLE})
       FROM workflows_step s JOIN workflows_workflow w ON w.id = s.workflow_id LEFT JOIN roles_person p ON p.id = w.owner_id
       WHERE w.status <> 'retired'""",
    """SELECT id, name FROM workflows_agent WHERE status = 'paused' ORDER BY name""",
]

# The rows each list page shows, 100 a page, written by hand (issue 18: each page against the raw SQL
# of the rows it shows). The workflow list's takes its page's offset.
LIST_ROWS_SQL = {
    "incident list": """SELECT i.id, i.summary, i.occurred_at, i.severity, i.is_buyer_facing, a.name, w.name, p.name,
              r.status, r.due_on, o.name
       FROM governance_incident i JOIN governance_review r ON r.incident_id = i.id
       JOIN workflows_agent a ON a.id = i.agent_id LEFT JOIN workflows_step s ON s.id = i.step_id
       LEFT JOIN workflows_workflow w ON w.id = s.workflow_id
       LEFT JOIN roles_person p ON p.id = i.accountable_when_logged_id LEFT JOIN roles_person o ON o.id = r.accountable_owner_id
       WHERE r.status <> 'resolved' ORDER BY i.occurred_at DESC, i.id DESC LIMIT 100""",
    "flags page": """SELECT f.id, f.kind, f.subject_key, f.message, f.opened_at, w.name, s.name, sw.name, a.name
       FROM workflows_ownershipflag f LEFT JOIN workflows_workflow w ON w.id = f.workflow_id
       LEFT JOIN workflows_step s ON s.id = f.step_id LEFT JOIN workflows_workflow sw ON sw.id = s.workflow_id
       LEFT JOIN workflows_agent a ON a.id = f.agent_id
       WHERE f.resolved_at IS NULL ORDER BY f.opened_at DESC, f.id DESC LIMIT 100""",
    "Test page": f"""SELECT * FROM (
         SELECT s.id, s.name, s."order", w.name AS workflow, p.name AS owner, p.email, a.name AS agent, pl.name AS platform,
                {GAP} AS gap
         FROM workflows_step s JOIN workflows_workflow w ON w.id = s.workflow_id LEFT JOIN roles_person p ON p.id = w.owner_id
         LEFT JOIN workflows_agent a ON a.id = s.agent_id JOIN workflows_platform pl ON pl.id = s.platform_id
         WHERE s.is_buyer_facing AND s.mode <> 'human' AND w.status <> 'retired') AS test
       ORDER BY gap = '', workflow, "order" LIMIT 100""",
    "workflow list": """SELECT w.id, w.name, w.is_critical, w.status, p.name, s.id, s."order", s.name, s.mode, s.decision,
              pl.name, a.name, (SELECT array_agg(sr.role_id) FROM workflows_step_roles sr WHERE sr.step_id = s.id)
       FROM (SELECT * FROM workflows_workflow WHERE archived_at IS NULL ORDER BY name LIMIT 100 OFFSET %s) w
       LEFT JOIN roles_person p ON p.id = w.owner_id LEFT JOIN workflows_step s ON s.workflow_id = w.id
       LEFT JOIN workflows_platform pl ON pl.id = s.platform_id LEFT JOIN workflows_agent a ON a.id = s.agent_id
       ORDER BY w.name, s."order\"""",
}


# The flags the scan finds, as one hand-written statement. An active owner without a MarOps seat in the
# live chart (no seat at all, or seats outside MarOps) is one kind of flag, owner-outside-marops.
SCAN_SQL = f"""
SELECT 'workflow-without-owner', 'workflow:' || id FROM workflows_workflow WHERE owner_id IS NULL AND status <> 'retired'
UNION ALL
SELECT 'owner-inactive', 'workflow:' || w.id FROM workflows_workflow w JOIN roles_person p ON p.id = w.owner_id
 WHERE NOT p.is_active AND w.status <> 'retired'
UNION ALL
SELECT 'owner-outside-marops', 'workflow:' || w.id FROM workflows_workflow w JOIN roles_person p ON p.id = w.owner_id
 WHERE p.is_active AND w.status <> 'retired' AND NOT EXISTS ({MAROPS_SEAT})
UNION ALL
SELECT 'agent-in-no-workflow', 'agent:' || a.id FROM workflows_agent a
 WHERE a.status <> 'retired' AND NOT EXISTS (SELECT 1 FROM workflows_step s WHERE s.agent_id = a.id)
UNION ALL
SELECT 'no-single-accountable', 'step:' || s.id FROM workflows_step s JOIN workflows_workflow w ON w.id = s.workflow_id
 LEFT JOIN roles_person p ON p.id = w.owner_id
 WHERE s.is_buyer_facing AND s.mode <> 'human' AND w.status <> 'retired' AND NOT {ACCOUNTABLE}
"""


class TimedStatements:
    """The statements a request runs, with their parameters and time (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, time.perf_counter() - start))

    def heaviest(self) -> tuple[str, Any, float]:
        return max(self.statements, key=lambda statement: statement[2])


def plan_check(sql: str, params: Any) -> dict[str, Any]:
    """EXPLAIN of one statement: its plan as text, and the sequential scans in it with the size of
    the table each reads (the goal: none over a million-row table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        (plan,) = cursor.fetchone()
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
        plan = json.loads(plan) if isinstance(plan, str) else plan
        scanned: set[str] = set()

        def walk(node: dict[str, Any]) -> None:
            if node.get("Node Type") == "Seq Scan":
                scanned.add(node["Relation Name"])
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        seq_scans = {}
        for table in sorted(scanned):
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            seq_scans[table] = int(cursor.fetchone()[0])
    return {
        "seq_scans": seq_scans,
        "over_a_million": sorted(table for table, rows in seq_scans.items() if rows >= MILLION),
        "plan": text,
    }


def list_pages(client, scale: int) -> dict[str, Any]:
    """The list pages, and a page deep in the workflow list, each against the hand-written SQL of the
    rows it shows (LIST_ROWS_SQL); with EXPLAIN of the page's heaviest statement (issue 18)."""
    from django.db import connection

    from workflows.models import Workflow

    deep_page = int(Workflow.objects.filter(archived_at__isnull=True).count() / 100 * 0.9)
    pages = {
        "incident list": ("/governance/incidents/", "incident list", 0),
        "flags page": ("/workflows/flags/", "flags page", 0),
        "Test page": ("/governance/test/", "Test page", 0),
        "workflow list": ("/workflows/", "workflow list", 0),
        f"workflow list, page {deep_page:,}": (f"/workflows/?page={deep_page}", "workflow list", (deep_page - 1) * 100),
    }

    def rows(sql: str, offset: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [offset] if "%s" in sql else [])
            cursor.fetchall()

    results = {}
    for label, (url, rows_label, offset) in pages.items():
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.status_code)
        statements = TimedStatements()
        with connection.execute_wrapper(statements):
            client.get(url)
        sql = LIST_ROWS_SQL[rows_label]
        figure = compare(
            lambda url=url: client.get(url), lambda sql=sql, offset=offset: rows(sql, offset), budget_s=8 * scale
        )
        heaviest_sql, heaviest_params, heaviest_s = statements.heaviest()
        results[label] = {
            "url": url,
            "figure": figure,
            "goal": "<= 3x",
            "queries": len(statements.statements),
            "heaviest_ms": round(heaviest_s * 1000, 2),
            "heaviest_sql": heaviest_sql,
            **plan_check(heaviest_sql, heaviest_params),
        }
    return results


def scan_in_worker(*, unheard: bool = False) -> dict[str, Any]:
    """The scan task run the way a worker runs it, in a process of its own: its time and the process's
    peak memory (resident set), against the same process's memory before the scan.

    `unheard`: nobody subscribes to what the scan publishes (core.events), so opening a flag queues no
    notification or webhook task; only to set up the flags at 10x, where the first scan opens half a
    million (at 1x the first scan is measured with its subscribers)."""
    code = (
        "import json, time, django\n"
        "def high_water_kb():  # this process's own peak (ru_maxrss would count the parent's, from the fork)\n"
        "    with open('/proc/self/status') as status:\n"
        "        return next(int(line.split()[1]) for line in status if line.startswith('VmHWM:'))\n"
        "django.setup()\n"
        + ("from core.events import happened\nhappened.receivers = []\n" if unheard else "")
        + "from marops.celery import app\n"
        f"app.conf.update(broker_url={BENCH_BROKER!r}, task_always_eager=False)\n"
        "from workflows.tasks import scan_ownership\n"
        "before = high_water_kb()\n"
        "start = time.perf_counter()\n"
        "result = scan_ownership.apply().get()\n"
        "seconds = time.perf_counter() - start\n"
        "peak = high_water_kb()\n"
        "print(json.dumps({'result': result, 's': seconds, 'before_kb': before, 'peak_kb': peak}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=os.environ, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the scan in a worker process failed:\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "s": round(figures["s"], 2),
        "events_heard": not unheard,
        "opened": figures["result"]["opened"],
        "resolved": figures["result"]["resolved"],
        "memory_before_mb": round(figures["before_kb"] / 1024),
        "peak_memory_mb": round(figures["peak_kb"] / 1024),
        "goal": f"< {WORKER_MEMORY_GOAL_MB} MB",
    }


def bench_user(name: str, group: str):
    from django.contrib.auth.models import Group, User

    user, _ = User.objects.get_or_create(username=name)
    user.groups.add(Group.objects.get(name=group))
    return user


def forget_earlier_run() -> None:
    """--reuse: what an earlier run's chart measure added (bench/chart.py creates them each run)."""
    from django.contrib.auth.models import User

    from roles.models import Chart, Person

    for chart in Chart.objects.filter(name="Bench — a wide branch"):
        while chart.positions.exists():  # leaves first: a seat's manager may not go before it
            chart.positions.filter(reports__isnull=True).delete()
        chart.delete()
    Person.objects.filter(email__endswith="@bench.example", email__startswith="branch").delete()
    User.objects.filter(username="bench-leader").delete()


def people_import_bench(scale: int) -> dict[str, Any]:
    """An HR export of 5,000 people (x scale) previewed and applied against the demo company's live chart,
    in its own scratch database (bench/people_import.py), against the raw SQL of the same writes."""
    import subprocess
    import tempfile

    from bench.measure import Comparison

    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = os.environ | {"BENCH_DATABASE_URL": f"{URL}_hr"}
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "people_import.py"), "--scale", str(scale), "--json-to", out.name],
            env=env,
            check=True,
        )
        figures = json.loads(Path(out.name).read_text())
    for name in ("preview", "apply"):
        figures[name] = Comparison.from_dict(figures[name])
    return figures


def serialise(value: Any) -> Any:
    if isinstance(value, Comparison):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: serialise(v) for k, v in value.items()}
    return value


def main(argv: list[str] | None = None) -> None:
    args = options(argv)
    import django

    django.setup()  # reads no database yet
    from marops.celery import app

    app.conf.update(broker_url=BENCH_BROKER, task_always_eager=False)
    from bench.generate import scaled_sizes

    expected = scaled_sizes(args.scale)
    reusing = args.reuse and database_holds(expected)
    if not reusing:
        recreate_database()
    from django.conf import settings

    # No collectstatic here: plain static storage, as DEBUG would use, with DEBUG itself off.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.generate import generate
    from roles.models import Chart
    from workflows.scan import ownership_scan

    call_command("migrate", verbosity=0)
    generated_in = None
    if reusing:
        forget_earlier_run()
        sizes = expected
    else:
        start = time.perf_counter()
        sizes = generate(args.scale)
        generated_in = round(time.perf_counter() - start, 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would have done by the time anyone reads the data

    def raw(statements):
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "scale": args.scale,
        "sizes": sizes,
        "generated_in_s": generated_in,
        "reused_database": reusing,
    }
    only = args.only

    if "scan" in only:
        # 3. The ownership scan: the first run (fresh data) in a worker process, for its time and memory.
        from workflows.models import OwnershipFlag

        first = None
        if not reusing or not OwnershipFlag.objects.exists():
            first = scan_in_worker(unheard=args.scale > 1)
        with connection.cursor() as cursor:
            # Autovacuum analyses a table that grew from nothing at once; our PostgreSQL may run without it.
            # With the empty table's statistics the planner takes 55,000 open flags for one.
            cursor.execute("ANALYZE workflows_ownershipflag")

        def flag_table():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*), max(id), count(resolved_at), max(resolved_at) FROM workflows_ownershipflag"
                )
                return cursor.fetchone()

        ownership_scan()  # whatever an earlier run of the bench left (--reuse)
        before = flag_table()
        steady_changes = []
        steady = compare(
            lambda: steady_changes.append(ownership_scan()), lambda: raw([SCAN_SQL]), repeat=15, budget_s=20
        )
        rows_written = sum(len(r.opened) + len(r.resolved) for r in steady_changes) + (flag_table() != before)
        results["scan"] = {
            "first_run": first,
            "steady": steady,
            "goal": "<= 1.5x",
            "writes_when_unchanged": rows_written,
            "worker": scan_in_worker(),  # nothing changed: the memory of the scan that runs every time
        }
    if "assign" in only:
        results["assign_owner"] = owner_assignment()

    client = Client()
    if "dashboard" in only:
        # 1. The dashboard against the raw SQL of its figures.
        client.force_login(bench_user("bench-cmo", "Executives"))
        assert client.get("/dashboard/").status_code == 200
        dashboard = compare(lambda: client.get("/dashboard/"), lambda: raw(DASHBOARD_SQL), repeat=15, budget_s=30)
        statements = TimedStatements()
        with connection.execute_wrapper(statements):
            client.get("/dashboard/")
        heaviest_sql, heaviest_params, heaviest_s = statements.heaviest()
        results["dashboard"] = {
            "figure": dashboard,
            "goal": "<= 2x",
            "queries": len(statements.statements),
            "heaviest_ms": round(heaviest_s * 1000, 2),
            "heaviest_sql": heaviest_sql,
            **plan_check(heaviest_sql, heaviest_params),
        }
    if "lists" in only:
        client.force_login(bench_user("bench-lists", "Leaders"))
        results["lists"] = list_pages(client, args.scale)
    if "chart" in only:
        # 2. The graphical org chart: the enterprise chart's page and a branch of 200 seats (bench/chart.py).
        from bench.chart import chart_measures

        results["chart_page"] = chart_measures(Chart.objects.get(name="Bench — enterprise"))
    if "api" in only:
        from marops.tokens import api_token_create
        from workflows.models import Step

        staff = bench_user("bench-staff", "MarOps staff")
        _, token = api_token_create(user=staff, name="bench")
        connection.close()  # gunicorn's workers open their own connections
        # The usual report: an agent got a buyer-facing step wrong, and that workflow has an active owner.
        step = (
            Step.objects.filter(is_buyer_facing=True, agent__isnull=False, workflow__owner__is_active=True)
            .exclude(mode="human")
            .first()
        )
        results["api_throughput"] = api_under_gunicorn(token, step, staff.pk)
    if "imports" in only:
        from bench.imports import imports_bench

        results["imports"] = imports_bench()  # the CSV imports against the raw SQL of their writes
    if "people" in only:
        results["people_import"] = people_import_bench(args.scale)

    serialised = serialise(results)
    path = ROOT / "bench" / "results.json"
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        kept = {}
    kept = {key: value for key, value in kept.items() if key.startswith("scale_")}  # one entry per scale
    entry = f"scale_{args.scale}"
    # A run of some measures only (--only) updates those and keeps the others' latest figures.
    kept[entry] = (kept.get(entry, {}) if len(only) < len(MEASURES) else {}) | serialised
    path.write_text(json.dumps(kept, indent=2) + "\n")
    print_plans(results)
    print_table(results)


def print_plans(results: dict[str, Any]) -> None:
    pages = ({"dashboard": results["dashboard"]} if "dashboard" in results else {}) | results.get("lists", {})
    for label, page in pages.items():
        print(f"--- plan of the heaviest query of {label} ({page['heaviest_ms']} ms)")
        print(page["plan"])
    if pages:
        print()


def print_table(results: dict[str, Any]) -> None:
    scale = results["scale"]
    sizes = results["sizes"]
    print(f"make bench, scale {scale}: {sizes}")
    print(f"{'measure':<42}{'median':>14}  {'goal':<8} (spread of the per-pair ratios; medians)")
    if dashboard := results.get("dashboard"):
        print(format_row("dashboard / raw SQL (server time)", dashboard["figure"], "<= 2x"))
        print(f"{'dashboard queries':<42}{dashboard['queries']:>14}  <= 15")
    if lists := results.get("lists"):
        for label, page in lists.items():
            print(format_row(f"{label} / SQL of its rows", page["figure"], "<= 3x"))
            print(f"{'   queries':<42}{page['queries']:>14}")
    if chart := results.get("chart_page"):
        from bench.chart import print_chart_measures

        print_chart_measures(chart)
    if scan := results.get("scan"):
        print(format_row("scan (nothing changed) / one SQL", scan["steady"], "<= 1.5x"))
        if scan["first_run"]:
            first = scan["first_run"]
            label = f"scan: first run over {sizes['workflows']:,} workflows"
            heard = "" if first["events_heard"] else ", nobody subscribed to its events"
            print(f"{label:<42}{first['s']:>13}s"
                  f"  (opened {first['opened']:,} flags; worker peak {first['peak_memory_mb']} MB{heard})")  # fmt: skip
        print(f"{'scan: rows written when nothing changed':<42}{scan['writes_when_unchanged']:>14}  0")
        worker = scan["worker"]
        print(f"{'scan: worker peak memory (nothing changed)':<42}{worker['peak_memory_mb']:>11} MB  "
              f"< {WORKER_MEMORY_GOAL_MB} MB  ({worker['memory_before_mb']} MB before the scan)")  # fmt: skip
    if assign := results.get("assign_owner"):
        print(format_row("owner assignment / plain UPDATE", assign["figure"], "<= 5x"))
        parts = ", ".join(f"{kind} {ms}" for kind, ms in assign["service_ms_by_part"].items())
        print(f"{'   (service, median ms by part)':<42}  {parts}")
    if api := results.get("api_throughput"):
        print(format_row("API incident creation / bare Django view", api["share"], ">= 50%", percent=True))
        print(format_row("   API / storing the incident row alone", api["row_share"], "info", percent=True))
    if imports := results.get("imports"):
        from bench.imports import print_imports

        print_imports(imports)
    if people := results.get("people_import"):
        from bench.people_import import print_people_import

        print_people_import(people)
    pages = ({"dashboard": results["dashboard"]} if "dashboard" in results else {}) | results.get("lists", {})
    for label, page in pages.items():
        scans = ", ".join(f"{t} ({rows:,} rows)" for t, rows in page["seq_scans"].items()) or "none"
        verdict = "FAILS: " + ", ".join(page["over_a_million"]) if page["over_a_million"] else "ok"
        print(f"EXPLAIN {label}: sequential scans {scans} -> {verdict}")
    generated = f"generated in {results['generated_in_s']} s" if results["generated_in_s"] else "database reused"
    print(f"{generated}; {results['machine']}")


if __name__ == "__main__":
    main()
