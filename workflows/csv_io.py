"""The workflow inventory to and from CSV: one row per step.

    workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles

`critical` and `buyer_facing` are true/false; mode is human, ai_assisted or ai_autonomous; roles are
separated by semicolons; platforms and agents are created when new; an empty owner_email means no
owner. Workflow names are unique: importing one that exists replaces its owner, critical flag and
steps (steps are matched by their order, so incidents logged against them keep their link). Any
bad row and nothing is written; every bad row is listed with its number and reason.
"""

import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from core.imports import (
    CsvImportError,
    ImportResult,
    Progress,
    RowError,
    bulk_update_rows,
    csv_writer,
    no_progress,
    one_line,
    read_csv_rows,
    too_long,
)
from core.validators import int_problem
from roles.models import Person, Role

from .choices import MODES_ALLOWED, AgentStatus, AllowedMode, PlatformCategory, StepMode
from .history import IMPORTED
from .models import Agent, OwnershipFlag, Platform, Step, Workflow
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
    step_rows: dict[int, int] = field(default_factory=dict)  # order → the row that has it


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


def _parse(text: str, progress: Progress = no_progress) -> tuple[dict[str, _Workflow], list[RowError]]:
    """Every row checked against what is stored, read once (a fixed number of queries)."""
    raw_rows, errors = read_csv_rows(text, COLUMNS)
    if not raw_rows:
        return {}, errors
    emails = {get["owner_email"].lower() for _, get in raw_rows} - {""}
    people = {p.email.lower(): p for p in Person.objects.annotate(lemail=Lower("email")).filter(lemail__in=emails)}
    roles = Role.objects.all()
    role_lookup = {r.key.lower(): r for r in roles} | {r.name.lower(): r for r in roles}
    agents = {a.name.lower(): a for a in Agent.objects.all()}
    # What is stored already may be re-imported as it is (the scan and governance flag it); only
    # new input has to pass the checks the screens make.
    names = {get["workflow"].lower() for _, get in raw_rows}
    stored = Workflow.objects.annotate(lname=Lower("name")).filter(lname__in=names)
    stored_owner, archived = {}, set()
    for lname, owner_id, archived_at in stored.values_list("lname", "owner_id", "archived_at"):
        stored_owner[lname] = owner_id
        if archived_at is not None:
            archived.add(lname)
    stored_steps = {
        (lname, order): (mode, agent_id)
        for lname, order, mode, agent_id in Step.objects.annotate(lname=Lower("workflow__name"))
        .filter(lname__in=names)
        .values_list("lname", "order", "mode", "agent_id")
    }
    workflows: dict[str, _Workflow] = {}
    for done, (number, get) in enumerate(raw_rows):
        progress(done, len(raw_rows))
        problems = too_long(get, {"workflow": 150, "step_name": 150, "platform": 120, "agent": 120})
        problems += one_line(get, ["workflow", "owner_email", "step_name", "platform", "agent"])
        name = get["workflow"]
        if not name:
            problems.append("workflow is empty")
        elif name.lower() in archived:
            problems.append(f"workflow “{name}” was deleted and is kept as history; give the new one another name")
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
                current.step_rows[step.order] = number
        errors += [RowError(number, p) for p in problems]
    progress(len(raw_rows), len(raw_rows))
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
    if order and (problem := int_problem(order, low=1)):
        problems.append(f"step_order {problem}")
        order = 0
    if workflow is not None and order in workflow.step_rows:
        problems.append(f"step_order {order} is already used by row {workflow.step_rows[order]} for the same workflow")
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
        elif role not in step_roles:
            step_roles.append(role)
    step = _Step(
        number, order, get["step_name"], get["platform"], mode, get["agent"], get["decision"], buyer_facing, step_roles
    )
    return (None if problems else step), problems


def _check_replacements(workflows: dict[str, _Workflow]) -> list[RowError]:
    """Steps that a re-import would remove must not carry incidents (one query)."""
    carrying = (
        Step.objects.annotate(lname=Lower("workflow__name"))
        .filter(lname__in=workflows, incidents__isnull=False)
        .select_related("workflow")
        .distinct()
        .order_by("workflow__name", "order")
    )
    errors = []
    for step in carrying:
        parsed = workflows[step.workflow.name.lower()]
        if step.order not in parsed.step_rows:
            errors.append(
                RowError(
                    parsed.first_row,
                    f"“{step.workflow.name}” step {step.order} “{step.name}” has incidents logged against it; "
                    "keep a row with that step_order",
                )
            )
    return errors


def inventory_import_csv(*, text: str, by: User | None = None, progress: Progress = no_progress) -> ImportSummary:
    """Create or replace every workflow in the file. All or nothing.

    Every row is checked first (`progress(rows checked, rows)` as it goes, outside any transaction so
    that a watcher sees it), then everything is written in one transaction, in a fixed number of
    queries whatever the size of the file. History records each change as the inventory import's,
    by `by`."""
    workflows, errors = _parse(text, progress)
    if not errors:
        errors = _check_replacements(workflows)
    if errors:
        raise InventoryImportError(sorted(errors, key=lambda e: e.row))
    return _inventory_write(workflows, by=by)


@transaction.atomic
def _inventory_write(workflows: dict[str, _Workflow], *, by: User | None) -> ImportSummary:
    if errors := _check_replacements(workflows):  # again, in the transaction: incidents may have come since
        raise InventoryImportError(errors)
    summary = ImportSummary()
    now = timezone.now()
    history: dict[str, object] = {"default_user": by, "default_change_reason": IMPORTED, "default_date": now}
    existing: dict[str, Workflow] = {
        w.name.lower(): w
        for w in Workflow.objects.annotate(lname=Lower("name")).filter(lname__in=workflows).select_for_update()
    }
    stored_steps = {
        (s.workflow_id, s.order): s for s in Step.objects.filter(workflow__in=existing.values()).select_for_update()
    }
    touched_agents: set[int | None] = {s.agent_id for s in stored_steps.values()}  # None: ownership_refresh skips it

    # Workflows: the file's owner and critical flag.
    created: list[Workflow] = []
    replaced: list[Workflow] = []
    for key, parsed in workflows.items():
        workflow = existing.get(key)
        (summary.replaced if workflow else summary.created).append(parsed.name)
        if workflow is None:
            workflow = existing[key] = Workflow(name=parsed.name)
            created.append(workflow)
        else:
            replaced.append(workflow)
        workflow.is_critical, workflow.owner, workflow.updated_at = parsed.critical, parsed.owner, now
    Workflow.objects.bulk_create(created)
    bulk_update_rows(Workflow, replaced, ["is_critical", "owner", "updated_at"])
    Workflow.history.bulk_history_create(created, **history)
    Workflow.history.bulk_history_create(replaced, update=True, **history)

    # Platforms and agents the inventory names for the first time.
    platforms = {p.name.lower(): p for p in Platform.objects.all()}
    agents = {a.name.lower(): a for a in Agent.objects.all()}
    modes_by_agent: defaultdict[str, set[str]] = defaultdict(set)
    for parsed in workflows.values():
        for s in parsed.steps:
            if s.agent:
                modes_by_agent[s.agent.lower()].add(s.mode)
    new_platforms, new_agents = [], []
    for parsed in workflows.values():
        for s in parsed.steps:
            if s.platform.lower() not in platforms:
                platforms[s.platform.lower()] = Platform(name=s.platform, category=PlatformCategory.OTHER)
                new_platforms.append(platforms[s.platform.lower()])
                summary.new_platforms.append(s.platform)
            if s.agent and s.agent.lower() not in agents:
                # A new agent is allowed what the inventory says it does; governance reviews it next.
                autonomous = StepMode.AI_AUTONOMOUS in modes_by_agent[s.agent.lower()]
                agents[s.agent.lower()] = Agent(
                    name=s.agent, allowed_mode=AllowedMode.AUTONOMOUS if autonomous else AllowedMode.ASSISTED
                )
                new_agents.append(agents[s.agent.lower()])
                summary.new_agents.append(s.agent)
    Platform.objects.bulk_create(new_platforms)
    Agent.objects.bulk_create(new_agents)

    # Steps: matched by their order (incidents keep their link); those the file leaves out go.
    kept, added = [], []
    for key, parsed in workflows.items():
        workflow = existing[key]
        for s in parsed.steps:
            step = stored_steps.pop((workflow.pk, s.order), None)
            if step is None:
                step = Step(workflow=workflow, order=s.order)
                added.append(step)
            else:
                kept.append(step)
            step.name, step.platform, step.mode = s.name, platforms[s.platform.lower()], s.mode
            step.agent = agents[s.agent.lower()] if s.agent else None
            step.decision, step.is_buyer_facing = s.decision, s.buyer_facing
            step.imported_roles = s.roles  # type: ignore[attr-defined]
            touched_agents.add(step.agent_id)
    _steps_remove(list(stored_steps.values()), history)  # what is left of the replaced workflows' steps
    Step.objects.bulk_create(added)
    bulk_update_rows(Step, kept, ["name", "platform", "mode", "agent", "decision", "is_buyer_facing"])
    StepRole = Step.roles.through
    StepRole.objects.filter(step__in=kept).delete()
    links = StepRole.objects.bulk_create(
        StepRole(step_id=step.pk, role_id=role.pk)
        for step in [*kept, *added]
        for role in step.imported_roles  # type: ignore[attr-defined]
    )
    records = [
        *Step.history.bulk_history_create(added, **history),
        *Step.history.bulk_history_create(kept, update=True, **history),
    ]
    _step_roles_history(records, [(link.pk, link.step_id, link.role_id) for link in links])
    summary.steps = len(kept) + len(added)
    ownership_refresh(workflow_ids={w.pk for w in existing.values()}, agent_ids=touched_agents)
    return summary


def _steps_remove(steps: list[Step], history: dict[str, object]) -> None:
    """Delete steps in bulk, each with its history record ("removed", by the import), as deleting them
    one by one would have made."""
    if not steps:
        return
    ids = [step.pk for step in steps]
    HistoricalStep = Step.history.model
    records = HistoricalStep.objects.bulk_create(
        HistoricalStep(
            history_date=history["default_date"],
            history_user=history["default_user"],
            history_change_reason=history["default_change_reason"],
            history_type="-",
            **{f.attname: getattr(step, f.attname) for f in HistoricalStep.tracked_fields},
        )
        for step in steps
    )
    links = Step.roles.through.objects.filter(step_id__in=ids).values_list("pk", "step_id", "role_id")
    _step_roles_history(records, list(links))
    OwnershipFlag.objects.filter(step_id__in=ids).delete()
    Step.roles.through.objects.filter(step_id__in=ids).delete()
    Step.objects.filter(pk__in=ids)._raw_delete(Step.objects.db)  # related rows are gone: no per-row signals


def _step_roles_history(records: list[Any], links: list[tuple[int, int, int]]) -> None:
    """The roles each new history record of a step saw, `links` being the steps' (id, step, role) rows:
    what simple-history keeps for one step saved on its own, written in bulk."""
    by_step = {record.id: record for record in records}
    HistoricalStepRoles = apps.get_model("workflows", "HistoricalStep_roles")
    HistoricalStepRoles.objects.bulk_create(
        HistoricalStepRoles(id=pk, history=by_step[step_id], step_id=step_id, role_id=role_id)
        for pk, step_id, role_id in links
    )


def inventory_import(*, text: str, params: dict[str, str], by: User | None, progress: Progress) -> ImportResult:
    """The inventory importer the background job runs (core.imports.register_importer)."""
    summary = inventory_import_csv(text=text, by=by, progress=progress)
    return ImportResult(
        message=f"Imported {summary.steps} steps: {len(summary.created)} workflows created, "
        f"{len(summary.replaced)} replaced.",
        lines=[f"New platform: {name}" for name in summary.new_platforms]
        + [f"New agent: {name} (review its governance call)" for name in summary.new_agents],
        link=reverse("workflows:workflow-list"),
        link_text="See the workflows",
    )


def inventory_export_csv() -> str:
    out = io.StringIO()
    writerow = csv_writer(out)
    writerow(list(COLUMNS))
    workflows = (
        Workflow.objects.filter(archived_at__isnull=True)  # deleted workflows are history, not inventory
        .select_related("owner")
        .prefetch_related("steps__platform", "steps__agent", "steps__roles")
        .order_by("name")
    )
    for w in workflows:
        head: list[object] = [w.name, str(w.is_critical).lower(), w.owner.email if w.owner else ""]
        steps = sorted(w.steps.all(), key=lambda s: s.order)
        if not steps:
            writerow(head + [""] * 8)
        for s in steps:
            writerow(
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
