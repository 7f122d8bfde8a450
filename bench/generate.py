"""Generate an enterprise-scale organisation with bulk inserts (for `make bench`).

2,000 positions, 5,000 workflows, 40,000 steps, 500 agents, 100,000 incidents (each with its review),
plus enough extra workflows to scan 100,000 in all. Owners fail each part of who is accountable: some
are inactive, some hold no seat in the live chart, a third of the seats are outside MarOps.
"""

import datetime
import random

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from governance.models import Incident, Review
from roles.models import Chart, Person, Position, PositionRole, Role
from workflows.models import Agent, Platform, Step, Workflow

SIZES = {"positions": 2_000, "workflows": 5_000, "steps": 40_000, "agents": 500, "incidents": 100_000}
SCAN_WORKFLOWS = 100_000
PEOPLE, SEATED = 1_900, 1_800  # the last 100 people hold no seat (hired, not placed yet)
BATCH = 5_000


def _chart(people: list[Person]) -> Chart:
    chart = Chart.objects.create(name="Bench — enterprise", status="live")
    roles = list(Role.objects.order_by("key"))
    made, level, index = [], [None], 0
    while index < SIZES["positions"]:
        new_level = []
        for manager in level:
            for _ in range(1 if manager is None else 8):
                if index >= SIZES["positions"]:
                    break
                new_level.append(
                    Position(
                        chart=chart,
                        key=f"b{index}",
                        title=f"Seat {index}",
                        team="marops" if index % 3 else "demand_gen",
                        level="specialist",
                        person=people[index] if index < SEATED else None,
                        reports_to=manager,
                    )
                )
                index += 1
        made += Position.objects.bulk_create(new_level, batch_size=BATCH)
        level = new_level
    PositionRole.objects.bulk_create(
        (PositionRole(position=p, role=roles[i % len(roles)]) for i, p in enumerate(made)), batch_size=BATCH
    )
    return chart


@transaction.atomic
def generate(seed: int = 7) -> dict:
    rng = random.Random(seed)
    people = Person.objects.bulk_create(
        (Person(name=f"Person {i}", email=f"p{i}@bench.example", is_active=i % 50 != 0) for i in range(PEOPLE)),
        batch_size=BATCH,
    )
    _chart(people)
    platforms = Platform.objects.bulk_create(Platform(name=f"Platform {i}", category="other") for i in range(40))
    agents = Agent.objects.bulk_create(
        Agent(name=f"Agent {i}", allowed_mode="autonomous", status="paused" if i % 40 == 0 else "active")
        for i in range(SIZES["agents"])
    )
    workflows = Workflow.objects.bulk_create(
        (
            Workflow(
                name=f"Workflow {i}", owner=people[rng.randrange(len(people))] if i % 7 else None, is_critical=i < 6
            )
            for i in range(SCAN_WORKFLOWS)
        ),
        batch_size=BATCH,
    )
    per_workflow = SIZES["steps"] // SIZES["workflows"]
    steps = Step.objects.bulk_create(
        (
            Step(
                workflow=w,
                order=o + 1,
                name=f"Step {o + 1}",
                platform=platforms[(i + o) % len(platforms)],
                mode=("human", "ai_assisted", "ai_autonomous")[o % 3],
                agent=None if o % 3 == 0 else agents[(i * per_workflow + o) % (len(agents) - 20)],
                decision="" if (i + o) % 11 == 0 else "Decide",
                is_buyer_facing=o % 2 == 1,
            )
            for i, w in enumerate(workflows[: SIZES["workflows"]])
            for o in range(per_workflow)
        ),
        batch_size=BATCH,
    )
    # The human roles touching a step (migration step 1 needs them): three workflows in four name some.
    roles = list(Role.objects.order_by("key"))
    Step.roles.through.objects.bulk_create(
        (
            Step.roles.through(step_id=s.pk, role_id=roles[i % len(roles)].pk)
            for i, s in enumerate(steps)
            if s.workflow_id % 4
        ),
        batch_size=BATCH,
    )
    ai_steps = [s for s in steps if s.agent_id]
    reporter = User.objects.create_user("bench-reporter")
    now = timezone.now()
    incidents = Incident.objects.bulk_create(
        (
            Incident(
                summary=f"Incident {i}",
                agent_id=ai_steps[i % len(ai_steps)].agent_id,
                step=ai_steps[i % len(ai_steps)],
                occurred_at=now - datetime.timedelta(minutes=7 * i),
                severity=("critical", "high", "medium", "low")[i % 4],
                description="Generated",
                reporter=reporter,
            )
            for i in range(SIZES["incidents"])
        ),
        batch_size=BATCH,
    )
    Review.objects.bulk_create(
        (
            Review(
                incident=incident,
                due_on=(incident.occurred_at + datetime.timedelta(days=10)).date(),
                status="resolved" if i % 3 == 0 else "open",
                root_cause="data" if i % 3 == 0 else "",
                accountable_owner=people[i % len(people)] if i % 3 == 0 else None,
                resolved_at=incident.occurred_at + datetime.timedelta(hours=30 + i % 50) if i % 3 == 0 else None,
            )
            for i, incident in enumerate(incidents)
        ),
        batch_size=BATCH,
    )
    return {
        "positions": Position.objects.count(),
        "workflows": Workflow.objects.count(),
        "steps": Step.objects.count(),
        "agents": Agent.objects.count(),
        "incidents": Incident.objects.count(),
    }
