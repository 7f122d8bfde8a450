"""The workflow inventory to and from CSV: one row per step.

    workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles

`critical` and `buyer_facing` are true/false; mode is human, ai_assisted or ai_autonomous; roles are
separated by semicolons; platforms and agents are created when new; an empty owner_email means no
owner. Workflow names are unique: importing one that exists replaces its owner, critical flag and
steps (steps are matched by their order, so incidents logged against them keep their link). Any
bad row and nothing is written; every bad row is listed with its number and reason.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower

from core.imports import CsvImportError, RowError, read_csv_rows, too_long
from roles.models import Person, Role

from .choices import MODES_ALLOWED, AgentStatus, AllowedMode, PlatformCategory, StepMode
from .history import IMPORTED
from .models import Agent, Platform, Step, Workflow
from .scan import ownership_refresh

COLUMNS = [
    "workflow",
    "critical",
    "owner_email",
    "step_order",
    "step_name",
    "platform",
    "mode",
    "agent",
    "decision",
    "buyer_facing",
    "roles",
]
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}


class InventoryImportError(CsvImportError):
    pass


@dataclass
class _Step:
    row: int
    order: int
    name: str
    platform: str
    mode: str
    agent: str
    decision: str
    buyer_facing: bool
    roles: list[Role]


@dataclass
class _Workflow:
    name: str
    first_row: int
    critical: bool
    owner: Person | None
    steps: list[_Step] = field(default_factory=list)


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    steps: int = 0
    new_platforms: list[str] = field(default_factory=list)
    new_agents: list[str] = field(default_factory=list)


def _bool(value: str, column: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"{column} “{value}” is not true or false")


def _parse(text: str) -> tuple[dict[str, _Workflow], list[RowError]]:
    raw_rows, errors = read_csv_rows(text, COLUMNS)
    if errors:
        return {}, errors
    people = {p.email.lower(): p for p in Person.objects.all()}
    roles = Role.objects.all()
    role_lookup = {r.key.lower(): r for r in roles} | {r.name.lower(): r for r in roles}
    agents = {a.name.lower(): a for a in Agent.objects.all()}
    # What is stored already may be re-imported as it is (the scan and governance flag it); only
    # new input has to pass the checks the screens make.
    stored_owner = dict(Workflow.objects.annotate(lname=Lower("name")).values_list("lname", "owner_id"))
    stored_steps = {
        (lname, order): (mode, agent_id)
        for lname, order, mode, agent_id in Step.objects.annotate(lname=Lower("workflow__name")).values_list(
            "lname", "order", "mode", "agent_id"
        )
    }
    workflows: dict[str, _Workflow] = {}
    for number, get in raw_rows:
        problems = too_long(get, {"workflow": 150, "step_name": 150, "platform": 120, "agent": 120})
        name = get["workflow"]
        if not name:
            problems.append("workflow is empty")
        try:
            critical = _bool(get["critical"], "critical")
        except ValueError as exc:
            problems.append(str(exc))
            critical = False
        owner = None
        if get["owner_email"]:
            owner = people.get(get["owner_email"].lower())
            if owner is None:
                problems.append(f"owner_email {get['owner_email']} matches no person")
            elif not owner.is_active and stored_owner.get(name.lower()) != owner.pk:
                problems.append(f"owner_email {get['owner_email']} is {owner.name}, who is inactive")
        current = workflows.get(name.lower()) if name else None
        if current is None and name:
            current = workflows[name.lower()] = _Workflow(name, number, critical, owner)
        elif current is not None:
            if current.critical != critical:
                problems.append(f"critical differs from row {current.first_row} for the same workflow")
            if current.owner != owner:
                problems.append(f"owner_email differs from row {current.first_row} for the same workflow")
        step_fields = ("step_order", "step_name", "platform", "mode", "agent", "decision", "roles")
        if any(get[c] for c in step_fields):
            step, step_problems = _parse_step(number, get, role_lookup, agents, current, stored_steps)
            problems += step_problems
            if step is not None and current is not None:
                current.steps.append(step)
        errors += [RowError(number, p) for p in problems]
    return workflows, errors


def _parse_step(
    number: int,
    get: dict[str, str],
    role_lookup: dict[str, Role],
    agents: dict[str, Agent],
    workflow: _Workflow | None,
    stored_steps: Mapping[tuple[str, int], tuple[str, int | None]],  # (workflow, order) → (mode, agent_id)
) -> tuple[_Step | None, list[str]]:
    problems = []
    try:
        order = int(get["step_order"])
        if order < 1:
            raise ValueError
    except ValueError:
        problems.append(f"step_order “{get['step_order']}” is not a whole number from 1")
        order = 0
    if workflow is not None and order and any(s.order == order for s in workflow.steps):
        other = next(s.row for s in workflow.steps if s.order == order)
        problems.append(f"step_order {order} is already used by row {other} for the same workflow")
    if not get["step_name"]:
        problems.append("step_name is empty")
    if not get["platform"]:
        problems.append("platform is empty: every step runs on a platform")
    mode = get["mode"].lower()
    if mode not in StepMode.values:
        problems.append(f"mode “{get['mode']}” is not human, ai_assisted or ai_autonomous")
    if mode == StepMode.HUMAN and get["agent"]:
        problems.append("a human step has no agent")
    if mode in {StepMode.AI_ASSISTED, StepMode.AI_AUTONOMOUS}:
        agent = agents.get(get["agent"].lower()) if get["agent"] else None
        if not get["agent"]:
            problems.append(f"mode {mode} needs an agent")
        elif (
            agent is not None
            and agent.status == AgentStatus.RETIRED
            and stored_steps.get((get["workflow"].lower(), order)) != (mode, agent.pk)
        ):
            problems.append(f"agent {agent.name} is retired")
        elif (
            agent is not None
            and mode not in MODES_ALLOWED[agent.allowed_mode]
            and stored_steps.get((get["workflow"].lower(), order)) != (mode, agent.pk)
        ):
            problems.append(f"governance allows {agent.name} “{agent.get_allowed_mode_display()}”, not {mode}")
    try:
        buyer_facing = _bool(get["buyer_facing"], "buyer_facing")
    except ValueError as exc:
        problems.append(str(exc))
        buyer_facing = False
    step_roles = []
    for role_name in [r.strip() for r in get["roles"].split(";") if r.strip()]:
        role = role_lookup.get(role_name.lower())
        if role is None:
            problems.append(f"unknown role “{role_name}”")
        else:
            step_roles.append(role)
    step = _Step(
        number, order, get["step_name"], get["platform"], mode, get["agent"], get["decision"], buyer_facing, step_roles
    )
    return (None if problems else step), problems


def _check_replacements(workflows: dict[str, _Workflow]) -> list[RowError]:
    """Steps that a re-import would remove must not carry incidents."""
    existing = {w.name.lower(): w for w in Workflow.objects.annotate(lname=Lower("name")).filter(lname__in=workflows)}
    errors = []
    for key, parsed in workflows.items():
        workflow = existing.get(key)
        if workflow is None:
            continue
        kept = {s.order for s in parsed.steps}
        for step in workflow.steps.exclude(order__in=kept):
            if step.incidents.exists():
                errors.append(
                    RowError(
                        parsed.first_row,
                        f"“{workflow.name}” step {step.order} “{step.name}” has incidents logged against it; "
                        "keep a row with that step_order",
                    )
                )
    return errors


@transaction.atomic
def inventory_import_csv(*, text: str) -> ImportSummary:
    """Create or replace every workflow in the file. All or nothing."""
    workflows, errors = _parse(text)
    if not errors:
        errors = _check_replacements(workflows)
    if errors:
        raise InventoryImportError(sorted(errors, key=lambda e: e.row))
    summary = ImportSummary()
    platforms = {p.name.lower(): p for p in Platform.objects.all()}
    agents = {a.name.lower(): a for a in Agent.objects.all()}
    modes_by_agent: defaultdict[str, set[str]] = defaultdict(set)
    for parsed in workflows.values():
        for s in parsed.steps:
            if s.agent:
                modes_by_agent[s.agent.lower()].add(s.mode)
    touched_workflows: set[int] = set()
    touched_agents: set[int | None] = set()  # None for a human step: ownership_refresh skips it
    for parsed in workflows.values():
        workflow = Workflow.objects.filter(name__iexact=parsed.name).first()
        if workflow is not None:
            touched_agents.update(workflow.steps.values_list("agent_id", flat=True))
        (summary.replaced if workflow else summary.created).append(parsed.name)
        workflow = workflow or Workflow(name=parsed.name)
        workflow.is_critical, workflow.owner = parsed.critical, parsed.owner
        # History says how: the user, if any, comes from the request. (simple-history's attribute, unknown
        # to the stubs, as below.)
        workflow._change_reason = IMPORTED  # type: ignore[attr-defined]
        workflow.save()
        touched_workflows.add(workflow.pk)
        for gone in workflow.steps.exclude(order__in=[s.order for s in parsed.steps]):
            gone._change_reason = IMPORTED  # type: ignore[attr-defined]
            gone.delete()
        for s in parsed.steps:
            platform = platforms.get(s.platform.lower())
            if platform is None:
                platform = platforms[s.platform.lower()] = Platform.objects.create(
                    name=s.platform, category=PlatformCategory.OTHER
                )
                summary.new_platforms.append(s.platform)
            agent = None
            if s.agent:
                agent = agents.get(s.agent.lower())
                if agent is None:
                    # A new agent is allowed what the inventory says it does; governance reviews it next.
                    autonomous = StepMode.AI_AUTONOMOUS in modes_by_agent[s.agent.lower()]
                    agent = agents[s.agent.lower()] = Agent.objects.create(
                        name=s.agent, allowed_mode=AllowedMode.AUTONOMOUS if autonomous else AllowedMode.ASSISTED
                    )
                    summary.new_agents.append(s.agent)
            step = Step.objects.select_for_update().filter(workflow=workflow, order=s.order).first()
            step = step or Step(workflow=workflow, order=s.order)
            step.name, step.platform, step.mode, step.agent = s.name, platform, s.mode, agent
            step.decision, step.is_buyer_facing = s.decision, s.buyer_facing
            step._change_reason = IMPORTED  # type: ignore[attr-defined]
            step.save()
            step.roles.set(s.roles)
            touched_agents.add(step.agent_id)
            summary.steps += 1
    ownership_refresh(workflow_ids=touched_workflows, agent_ids=touched_agents)
    return summary


def inventory_export_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    workflows = (
        Workflow.objects.select_related("owner")
        .prefetch_related("steps__platform", "steps__agent", "steps__roles")
        .order_by("name")
    )
    for w in workflows:
        head = [w.name, str(w.is_critical).lower(), w.owner.email if w.owner else ""]
        steps = sorted(w.steps.all(), key=lambda s: s.order)
        if not steps:
            writer.writerow(head + [""] * 8)
        for s in steps:
            writer.writerow(
                head
                + [
                    s.order,
                    s.name,
                    s.platform.name,
                    s.mode,
                    s.agent.name if s.agent else "",
                    s.decision,
                    str(s.is_buyer_facing).lower(),
                    ";".join(r.key for r in s.roles.all()),
                ]
            )
    return out.getvalue()
