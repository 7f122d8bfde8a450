"""`make bench`: enterprise-scale figures, each a ratio taken in the same run so machine noise cancels.

Runs against a scratch PostgreSQL database (BENCH_DATABASE_URL, default marops_bench on 127.0.0.1),
which it drops and re-creates. Prints a table and writes bench/results.json.
"""

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
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
    CELERY_TASK_ALWAYS_EAGER="1",
)


def recreate_database() -> None:
    import psycopg

    parsed = urlparse(URL)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path[1:]}"')
        conn.execute(f'CREATE DATABASE "{parsed.path[1:]}"')


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
        bare = throughput(f"http://127.0.0.1:{port}/bench/incidents", body=bare_body, headers=json_headers)
        row = throughput(f"http://127.0.0.1:{port}/bench/incident-rows", body=bare_body, headers=json_headers)
        api = throughput(
            f"http://127.0.0.1:{port}/api/v1/incidents",
            body=json.dumps(incident).encode(),
            headers=json_headers | {"Authorization": f"Bearer {token}"},
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
    if not (bare and row and api):
        raise SystemExit(f"measure 4: a run answered nothing (bare {bare}, row {row}, API {api} requests/s)")
    return {
        "bare_rps": round(bare, 1),
        "api_rps": round(api, 1),
        "share": round(api / bare, 2),
        "goal": ">= 50%",
        "row_only_rps": round(row, 1),
        "share_of_row_only": round(api / row, 2),
    }


ASSIGNMENTS = 50  # measure 5: alternating repetitions of the service and the plain UPDATE


def owner_assignment() -> dict:
    """5. Assigning an owner through the service (the row, its history record, and the flags of that
    workflow opened or resolved by ownership_refresh, all in one transaction) against the plain UPDATE
    of the same row, each committed, interleaved so the machine's noise falls on both alike.

    The owner alternates between a MarOps person (the workflow's flags resolve) and nobody (they open
    again), so every assignment writes flags; the UPDATE writes the value the service just wrote."""
    from django.db import connection, transaction

    from roles.models import Person
    from workflows.models import Workflow
    from workflows.scan import ownership_scan
    from workflows.services import workflow_assign_owner

    marops = Person.objects.filter(is_active=True, positions__chart__status="live", positions__team="marops").first()
    # A workflow with buyer-facing AI steps, so each assignment moves several flags.
    workflow = Workflow.objects.filter(steps__is_buyer_facing=True, steps__agent__isnull=False).order_by("pk").first()
    service, update = [], []
    for i in range(ASSIGNMENTS):
        owner = marops if i % 2 == 0 else None
        start = time.perf_counter()
        workflow_assign_owner(workflow=workflow, owner=owner)
        service.append(time.perf_counter() - start)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE workflows_workflow SET owner_id = %s, updated_at = now() WHERE id = %s",
                [owner and owner.pk, workflow.pk],
            )
        update.append(time.perf_counter() - start)
    if ownership_scan().changed:
        raise SystemExit("measure 5: the refresh left flags the scan had to change")
    service_s, update_s = statistics.median(service), statistics.median(update)
    return {
        "service_ms": round(service_s * 1000, 2),
        "update_ms": round(update_s * 1000, 2),
        "ratio": round(service_s / update_s, 2),
        "goal": "<= 5x",
        "repetitions": ASSIGNMENTS,
    }


def timed(fn, repeat: int = 5) -> float:
    """Median wall time of `fn` in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic here: plain static storage, as DEBUG would use, with DEBUG itself off.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.generate import generate
    from roles.models import Chart
    from workflows.scan import ownership_scan

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    sizes = generate()
    generated_in = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum would have done by the time anyone reads the data

    def raw(statements):
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    # 3. The ownership scan over 100,000 workflows, then again with nothing changed.
    first_scan = timed(ownership_scan, repeat=1)
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

    before = flag_table()
    steady_changes = []
    steady_scan = timed(lambda: steady_changes.append(ownership_scan()), repeat=3)
    rows_written = sum(len(r.opened) + len(r.resolved) for r in steady_changes) + (flag_table() != before)
    scan_sql = timed(lambda: raw([SCAN_SQL]), repeat=3)
    assignment = owner_assignment()

    # 1. The dashboard against the raw SQL of its figures.
    client = Client()
    cmo = User.objects.create_user("bench-cmo")
    cmo.groups.add(Group.objects.get(name="Executives"))
    client.force_login(cmo)
    assert client.get("/dashboard/").status_code == 200
    dashboard = timed(lambda: client.get("/dashboard/"), repeat=9)
    dashboard_sql = timed(lambda: raw(DASHBOARD_SQL), repeat=9)
    dash_queries = StatementCounter()
    with connection.execute_wrapper(dash_queries):
        client.get("/dashboard/")

    # 2. The graphical org chart: the 2,000-seat chart's page and a branch of 200 seats (bench/chart.py).
    from bench.chart import chart_measures, print_chart_measures

    chart_page = chart_measures(Chart.objects.get(name="Bench — enterprise"))

    from marops.tokens import api_token_create
    from workflows.models import Step

    staff = User.objects.create_user("bench-staff")
    staff.groups.add(Group.objects.get(name="MarOps staff"))
    _, token = api_token_create(user=staff, name="bench")
    connection.close()  # gunicorn's workers open their own connections
    # The usual report: an agent got a buyer-facing step wrong, and that workflow has an active owner.
    step = (
        Step.objects.filter(is_buyer_facing=True, agent__isnull=False, workflow__owner__is_active=True)
        .exclude(mode="human")
        .first()
    )
    api = api_under_gunicorn(token, step, staff.pk)

    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "sizes": sizes | {"scan_workflows": sizes["workflows"]},
        "generated_in_s": round(generated_in, 1),
        "dashboard": {
            "server_s": round(dashboard, 3),
            "raw_sql_s": round(dashboard_sql, 3),
            "ratio": round(dashboard / dashboard_sql, 2),
            "goal": "<= 2x",
            "queries": len(dash_queries.statements),
        },
        "chart_page": chart_page,
        "scan": {
            "first_s": round(first_scan, 2),
            "steady_s": round(steady_scan, 3),
            "one_sql_s": round(scan_sql, 3),
            "ratio": round(steady_scan / scan_sql, 2),
            "goal": "<= 1.5x",
            "writes_when_unchanged": rows_written,
        },
        "assign_owner": assignment,
        "api_throughput": api,
    }
    from bench.imports import imports_bench, print_imports

    results["imports"] = imports_bench()  # the CSV imports against the raw SQL of their writes
    Path(ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'measure':<42}{'value':>14}  goal")
    print(f"{'dashboard / raw SQL (server time)':<42}{results['dashboard']['ratio']:>13}x  <= 2x")
    print(f"{'dashboard queries':<42}{results['dashboard']['queries']:>14}  <= 15")
    print_chart_measures(results["chart_page"])
    print(f"{'scan (nothing changed) / one SQL':<42}{results['scan']['ratio']:>13}x  <= 1.5x")
    print(f"{'scan: first run over 100,000 workflows':<42}{results['scan']['first_s']:>13}s")
    print(f"{'scan: rows written when nothing changed':<42}{results['scan']['writes_when_unchanged']:>14}  0")
    print(f"{'owner assignment / plain UPDATE':<42}{assignment['ratio']:>13}x  <= 5x")
    print(f"{'   (median ms: service, UPDATE)':<42}{assignment['service_ms']:>7} {assignment['update_ms']:>6}")
    print(f"{'API incident creation / bare Django view':<42}{api['share'] * 100:>13.0f}%  >= 50%")
    print(f"{'   (requests per second: API, bare)':<42}{api['api_rps']:>7} {api['bare_rps']:>6}")
    print(f"{'   API / storing the incident row alone':<42}{api['share_of_row_only'] * 100:>13.0f}%  (information)")
    print_imports(results["imports"])
    print(f"sizes: {sizes}; generated in {generated_in:.0f} s; {results['machine']}")


if __name__ == "__main__":
    main()
