"""Generate an enterprise-scale organisation for `make bench`, set-based (INSERT … SELECT generate_series).

At scale 1: 2,000 positions (all in marketing), 100,000 workflows (5,000 of them with 40,000 steps),
500 agents, 100,000 incidents (each with its review). At `--scale 10` (BENCH_SCALE=10): 20,000 seats
of which 2,000 in marketing (the rest in sales, finance and HR, holding no catalogue role), 1,000,000
workflows with 400,000 steps, 5,000 agents and 1,000,000 incidents over thirteen years.

Owners fail each part of who is accountable: some are inactive, some hold no seat in the live chart, a
third of the marketing seats are outside MarOps. Every row is written by one statement per table,
inside the database, so 10x takes minutes; columns a statement does not name get their model
field's default, so a field added later does not break the bench.
"""

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

from governance.models import Incident, Review
from roles.models import Chart, Person, Position, PositionRole, Role
from workflows.models import Agent, Platform, Step, Workflow

MARKETING_SEATS = 2_000
# Per unit of scale.
SIZES = {"positions": 2_000, "workflows": 5_000, "steps": 40_000, "agents": 500, "incidents": 100_000}
SCAN_WORKFLOWS = 100_000
PEOPLE, SEATED = 1_900, 1_800  # the last people hold no seat (hired, not placed yet)
PLATFORMS = 40
STEPS_PER_WORKFLOW = SIZES["steps"] // SIZES["workflows"]
OUTSIDE_MARKETING = ("sales", "finance", "people")


def scaled_sizes(scale: int) -> dict[str, int]:
    """What `generate(scale)` builds (the figures `run.py --reuse` checks an existing database against)."""
    return {
        "positions": SIZES["positions"] * scale,
        "workflows": SCAN_WORKFLOWS * scale,
        "steps": SIZES["steps"] * scale,
        "agents": SIZES["agents"] * scale,
        "incidents": SIZES["incidents"] * scale,
    }


def _insert_select(model: type[models.Model], values: dict[str, str], source: str) -> int:
    """INSERT INTO model's table (columns) SELECT values FROM source. `values` maps a column to its SQL
    (integers inlined, no parameters); every other non-null column gets its field's default."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        column = field.column
        if column in values:
            expression = values[column].replace("%", "%%")  # a modulo, not a placeholder
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expression = "now()"
        elif field.null:
            continue
        else:
            default = field.get_default()
            if default is None:
                raise ValueError(f"bench/generate.py: give {model.__name__}.{field.name} a value")
            expression = "%s"
            params.append(field.get_db_prep_save(default, connection))
        columns.append(connection.ops.quote_name(column))
        expressions.append(expression)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _first_id(model: type[models.Model], count: int) -> int:
    """The id of the first of `count` rows just written by one INSERT … SELECT in order: their ids are
    consecutive (checked), so row i is first + i."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id), count(*) FROM {model._meta.db_table}")
        low, high, total = cursor.fetchone()
    if total != count or high - low + 1 != count:
        raise RuntimeError(f"{model.__name__}: expected {count} consecutive ids, found {total} from {low} to {high}")
    return int(low)


def _execute(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@transaction.atomic
def generate(scale: int = 1) -> dict[str, int]:
    sizes = scaled_sizes(scale)
    people, seated, seats = PEOPLE * scale, SEATED * scale, sizes["positions"]
    workflows, mapped = sizes["workflows"], SIZES["workflows"] * scale
    agents, incidents = sizes["agents"], sizes["incidents"]

    _insert_select(
        Person,
        {"name": "'Person ' || i", "email": "'p' || i || '@bench.example'", "is_active": "i % 50 <> 0"},
        f"generate_series(0, {people - 1}) AS i ORDER BY i",
    )
    person0 = _first_id(Person, people)

    # The live chart: a tree eight wide (seat i reports to seat (i - 1) / 8), the first 2,000 seats in
    # marketing (two in three in MarOps), the rest outside it; the first people hold the first seats.
    chart = Chart.objects.create(name="Bench — enterprise", status="live")
    teams = "ARRAY[" + ", ".join(f"'{t}'" for t in OUTSIDE_MARKETING) + "]"

    def seats_from(first: int, last: int, reports_to: str) -> None:
        _insert_select(
            Position,
            {
                "chart_id": str(chart.pk),
                "key": "'b' || i",
                "title": "'Seat ' || i",
                "team": f"CASE WHEN i >= {MARKETING_SEATS} THEN ({teams})[i % 3 + 1] "
                "WHEN i % 3 <> 0 THEN 'marops' ELSE 'demand_gen' END",
                "level": "'specialist'",
                "person_id": f"CASE WHEN i < {seated} THEN {person0} + i END",
                "reports_to_id": reports_to,
            },
            f"generate_series({first}, {last}) AS i ORDER BY i",
        )

    seats_from(0, 0, "NULL")  # the root first: one root a chart, checked at once
    seat0 = Position.objects.get(chart=chart).pk
    seats_from(1, seats - 1, f"{seat0} + (i - 1) / 8")  # ids follow the root's, checked next
    if (
        _first_id(Position, seats) != seat0
        or Position.objects.exclude(key=Concat(Value("b"), F("id") - seat0)).exists()
    ):
        raise RuntimeError("roles_position: the seats' ids are not consecutive; reports_to would be wrong")
    roles = "(SELECT array_agg(id ORDER BY key) FROM roles_role)"
    role_count = Role.objects.count()
    _insert_select(
        PositionRole,
        {"position_id": f"{seat0} + i", "role_id": f"(r.ids)[i % {role_count} + 1]"},
        f"generate_series(0, {min(seats, MARKETING_SEATS) - 1}) AS i, {roles} AS r(ids)",
    )

    Platform.objects.bulk_create(Platform(name=f"Platform {i}", category="other") for i in range(PLATFORMS))
    platform0 = _first_id(Platform, PLATFORMS)
    _insert_select(
        Agent,
        {
            "name": "'Agent ' || i",
            "allowed_mode": "'autonomous'",
            "status": "CASE WHEN i % 40 = 0 THEN 'paused' ELSE 'active' END",
        },
        f"generate_series(0, {agents - 1}) AS i ORDER BY i",
    )
    agent0 = _first_id(Agent, agents)
    # One workflow in seven has no owner; the others' owners spread over everyone (7919 is prime).
    _insert_select(
        Workflow,
        {
            "name": "'Workflow ' || i",
            "owner_id": f"CASE WHEN i % 7 <> 0 THEN {person0} + (i::bigint * 7919 + 13) % {people} END",
            "is_critical": "i < 6",
        },
        f"generate_series(0, {workflows - 1}) AS i ORDER BY i",
    )
    workflow0 = _first_id(Workflow, workflows)
    # The first workflows are mapped: eight steps each, one human, two AI, the odd ones buyer-facing.
    _insert_select(
        Step,
        {
            "workflow_id": f"{workflow0} + w",
            "order": "o + 1",
            "name": "'Step ' || (o + 1)",
            "platform_id": f"{platform0} + (w + o) % {PLATFORMS}",
            "mode": "(ARRAY['human', 'ai_assisted', 'ai_autonomous'])[o % 3 + 1]",
            "agent_id": f"CASE WHEN o % 3 <> 0 THEN {agent0} + (w * {STEPS_PER_WORKFLOW} + o) % {agents - 20} END",
            "decision": "CASE WHEN (w + o) % 11 = 0 THEN '' ELSE 'Decide' END",
            "is_buyer_facing": "o % 2 = 1",
        },
        f"generate_series(0, {mapped - 1}) AS w, generate_series(0, {STEPS_PER_WORKFLOW - 1}) AS o ORDER BY w, o",
    )
    step0 = _first_id(Step, mapped * STEPS_PER_WORKFLOW)
    # The human roles touching a step (migration step 1 needs them): three workflows in four name some.
    _insert_select(
        Step.roles.through,
        {"step_id": "s.id", "role_id": f"(r.ids)[(s.id - {step0}) % {role_count} + 1]"},
        f"workflows_step s, {roles} AS r(ids) WHERE s.workflow_id % 4 <> 0 ORDER BY s.id",
    )

    reporter = User.objects.create_user("bench-reporter")
    _execute(
        "CREATE TEMPORARY TABLE bench_ai_step ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, "
        "id, agent_id FROM workflows_step WHERE agent_id IS NOT NULL"
    )
    ai_steps = Step.objects.filter(agent__isnull=False).count()
    _insert_select(
        Incident,
        {
            "summary": "'Incident ' || i",
            "agent_id": "s.agent_id",
            "step_id": "s.id",
            "occurred_at": "now() - make_interval(mins => 7 * i)",
            "severity": "(ARRAY['critical', 'high', 'medium', 'low'])[i % 4 + 1]",
            "description": "'Generated'",
            "reporter_id": str(reporter.pk),
        },
        f"generate_series(0, {incidents - 1}) AS i JOIN bench_ai_step s ON s.n = i % {ai_steps} ORDER BY i",
    )
    incident0 = _first_id(Incident, incidents)
    resolved = f"(i.id - {incident0}) % 3 = 0"
    _insert_select(
        Review,
        {
            "incident_id": "i.id",
            "due_on": "(i.occurred_at + interval '10 days')::date",
            "status": f"CASE WHEN {resolved} THEN 'resolved' ELSE 'open' END",
            "root_cause": f"CASE WHEN {resolved} THEN 'data' ELSE '' END",
            "accountable_owner_id": f"CASE WHEN {resolved} THEN {person0} + (i.id - {incident0}) % {people} END",
            "resolved_at": f"CASE WHEN {resolved} THEN i.occurred_at "
            f"+ make_interval(hours => 30 + ((i.id - {incident0}) % 50)::int) END",
        },
        "governance_incident i ORDER BY i.id",
    )
    return {
        "positions": Position.objects.count(),
        "workflows": Workflow.objects.count(),
        "steps": Step.objects.count(),
        "agents": Agent.objects.count(),
        "incidents": Incident.objects.count(),
    }
