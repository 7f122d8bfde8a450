"""Writes to platforms, workflows and steps. Each validates first, so a refused write changes nothing."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from roles.models import Person, Role

from .choices import MODES_ALLOWED, AgentStatus, StepMode, WorkflowStatus
from .models import Agent, Platform, Step, Workflow
from .scan import ownership_refresh


@transaction.atomic
def platform_create(*, name: str, category: str) -> Platform:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the platform a name."})
    if Platform.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"{name} is already a platform."})
    platform = Platform(name=name, category=category)
    platform.full_clean()
    platform.save()
    return platform


def _check_editable(workflow: Workflow) -> None:
    """An archived (deleted) workflow is kept as history and never changed again."""
    if workflow.is_archived:
        raise ValidationError(
            f"“{workflow.name}” was deleted on {timezone.localtime(workflow.archived_at):%d %b %Y}; "
            "it is kept, read-only, as history."
        )


@transaction.atomic
def workflow_save(
    *,
    name: str,
    description: str = "",
    is_critical: bool = False,
    status: str = "active",
    workflow: Workflow | None = None,
) -> Workflow:
    """Create a workflow, or rename and describe one. Names are unique whatever their case."""
    if workflow is not None:
        _check_editable(workflow)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the workflow a name."})
    same_name = Workflow.objects.filter(name__iexact=name)
    clash = (same_name.exclude(pk=workflow.pk) if workflow is not None else same_name).first()
    if clash is not None:
        deleted = " (deleted, kept as history)" if clash.is_archived else ""
        raise ValidationError({"name": f"There is already a workflow called “{clash.name}”{deleted}."})
    if workflow is not None and workflow.status == WorkflowStatus.RETIRED and status != WorkflowStatus.RETIRED:
        stale = workflow.steps.filter(agent__status=AgentStatus.RETIRED).select_related("agent").first()
        if stale is not None and stale.agent is not None:  # found by its agent's status: it has one
            raise ValidationError(
                {
                    "status": f"Step {stale.order} “{stale.name}” uses {stale.agent.name}, which is retired: "
                    "give it another agent, or make it human, before the workflow is used again."
                }
            )
    workflow = workflow or Workflow()
    workflow.name, workflow.description, workflow.is_critical, workflow.status = name, description, is_critical, status
    workflow.full_clean(exclude=["owner"])
    workflow.save()
    ownership_refresh(workflow_ids=[workflow.pk])
    return workflow


@transaction.atomic
def workflow_assign_owner(*, workflow: Workflow, owner: Person | None) -> Workflow:
    """Exactly one owner (or none, which the scan flags). An owner outside MarOps is allowed and
    flagged: "Assign one MarOps person as owner per workflow"."""
    _check_editable(workflow)
    if owner is not None and owner.is_planned:
        raise ValidationError({"owner": f"{owner.name} is a planned hire: they can own workflows once they join."})
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": f"{owner.name} is inactive and cannot own a workflow."})
    workflow.owner = owner
    workflow.save(update_fields=["owner", "updated_at"])
    ownership_refresh(workflow_ids=[workflow.pk])
    return workflow


@dataclass
class StepData:
    name: str
    platform: Platform | None
    mode: str
    agent: Agent | None = None
    decision: str = ""
    is_buyer_facing: bool = False
    roles: list[Role] = field(default_factory=list)
    order: int | None = None  # None: at the end


def _check_step(data: StepData) -> None:
    errors = {}
    if not data.name.strip():
        errors["name"] = "Give the step a name."
    if data.platform is None:
        errors["platform"] = "Every step runs on a platform: choose one (add it on the Platforms page if new)."
    if data.mode == StepMode.HUMAN:
        if data.agent is not None:
            errors["agent"] = "A human step has no agent: remove the agent or choose an AI mode."
    elif data.agent is None:
        errors["agent"] = f"An {StepMode(data.mode).label} step needs the agent acting in it."
    elif data.agent.status == AgentStatus.RETIRED:
        errors["agent"] = f"{data.agent.name} is retired."
    elif data.mode not in MODES_ALLOWED[data.agent.allowed_mode]:
        errors["mode"] = (
            f"Governance allows {data.agent.name} “{data.agent.get_allowed_mode_display()}”; "
            f"it may not act in {StepMode(data.mode).label} mode."
        )
    if errors:
        raise ValidationError(errors)


def _place(workflow: Workflow, step: Step | None, order: int | None) -> int:
    """Make room at `order` among the other steps (numbered 1..n first) and return the order to use."""
    if step is not None:
        Step.objects.filter(pk=step.pk).update(order=0)  # out of the way while the others are renumbered
    _close_gaps(workflow, exclude=step)
    others = workflow.steps.exclude(pk=step.pk) if step is not None else workflow.steps.all()
    count = others.count()
    order = count + 1 if order is None or order < 1 or order > count else order
    # Shift in two passes so the unique (workflow, order) pair never clashes mid-update.
    shifting = others.filter(order__gte=order)
    shifting.update(order=F("order") + 100_000)
    workflow.steps.filter(order__gte=100_000).update(order=F("order") - 100_000 + 1)
    return order


def _close_gaps(workflow: Workflow, exclude: Step | None = None) -> None:
    steps = (workflow.steps.exclude(pk=exclude.pk) if exclude is not None else workflow.steps.all()).order_by("order")
    for index, step in enumerate(steps, start=1):
        if step.order != index:
            Step.objects.filter(pk=step.pk).update(order=index)


@transaction.atomic
def step_save(*, workflow: Workflow, data: StepData, step: Step | None = None) -> Step:
    """Add a step (at the end, or at `order`) or change one; steps stay numbered 1, 2, 3…"""
    _check_editable(workflow)
    _check_step(data)
    Workflow.objects.select_for_update().filter(pk=workflow.pk).first()  # one editor of the steps at a time
    if data.agent is not None:  # locked, as agent_retire does, so a step never lands on an agent being retired
        status = Agent.objects.select_for_update().filter(pk=data.agent.pk).values_list("status", flat=True).first()
        if status == AgentStatus.RETIRED:
            raise ValidationError({"agent": f"{data.agent.name} is retired."})
    order = _place(workflow, step, data.order)
    previous_agent = step.agent_id if step is not None else None
    step = step or Step(workflow=workflow)
    assert data.platform is not None  # _check_step refused a step without one
    step.order, step.name, step.platform, step.mode = order, data.name.strip(), data.platform, data.mode
    step.agent, step.decision, step.is_buyer_facing = data.agent, data.decision.strip(), data.is_buyer_facing
    step.save()
    step.roles.set(data.roles)
    _close_gaps(workflow)
    step.refresh_from_db(fields=["order"])
    Workflow.objects.filter(pk=workflow.pk).update(updated_at=timezone.now())
    # ownership_refresh skips the None of a human step.
    ownership_refresh(workflow_ids=[workflow.pk], agent_ids=[previous_agent, step.agent_id])
    return step


@transaction.atomic
def step_delete(*, step: Step) -> None:
    _check_editable(step.workflow)
    if step.incidents.exists():
        raise ValidationError(
            f"“{step.name}” has incidents logged against it; it stays so their history holds. Change it instead."
        )
    workflow = step.workflow
    Workflow.objects.select_for_update().filter(pk=workflow.pk).first()
    agent_id = step.agent_id
    step.delete()
    _close_gaps(workflow)
    ownership_refresh(workflow_ids=[workflow.pk], agent_ids=[agent_id])


@transaction.atomic
def workflow_archive(*, workflow: Workflow) -> Workflow:
    """What deleting a workflow does: it is retired for good and marked archived, so it leaves the lists,
    the Test, the dashboard and the scan as a retired one does, and its open flags resolve; its steps,
    incidents, flags and history stay (the system of record keeps who owned what, and when). Archiving
    an archived workflow changes nothing."""
    workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
    if workflow.is_archived:
        return workflow
    agents = set(workflow.steps.values_list("agent_id", flat=True))
    workflow.status, workflow.archived_at = WorkflowStatus.RETIRED, timezone.now()
    workflow._change_reason = "Deleted: archived"  # type: ignore[attr-defined]  # simple-history reads it on save
    workflow.save(update_fields=["status", "archived_at", "updated_at"])
    ownership_refresh(workflow_ids=[workflow.pk], agent_ids=agents)
    return workflow
