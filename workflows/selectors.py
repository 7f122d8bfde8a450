"""Reads for workflows. `step_accountable` is the one answer to "who is accountable for this step?"."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from roles.models import Person

from .models import Agent, OwnershipFlag, Step, Workflow


@dataclass(frozen=True)
class Accountability:
    """The article's test for one step: exactly one person, or the reason there is none."""

    person: Person | None
    reason: str = ""

    @property
    def passes(self) -> bool:
        return self.person is not None


def _owner_accountability(workflow: Workflow) -> Accountability:
    owner = workflow.owner
    if owner is None:
        return Accountability(None, f"The workflow “{workflow.name}” has no owner.")
    if not owner.is_active:
        return Accountability(None, f"The owner of “{workflow.name}”, {owner.name}, is inactive.")
    return Accountability(owner)


def step_accountable(step: Step) -> Accountability:
    """The owner of the step's workflow is accountable: "exactly one person in MarOps is
    responsible for understanding why and fixing it"."""
    return _owner_accountability(step.workflow)


def agent_accountable(agent: Agent) -> Accountability:
    """When the step is unknown: the single owner of the workflows where the agent makes
    buyer-facing decisions, if there is exactly one."""
    steps = list(
        agent.steps.filter(is_buyer_facing=True).select_related("workflow__owner")
        or agent.steps.select_related("workflow__owner")
    )
    if not steps:
        return Accountability(None, f"{agent.name} acts in no workflow step, so no workflow owner can be named.")
    workflows = {step.workflow_id: step.workflow for step in steps}
    owners = {workflow.owner_id for workflow in workflows.values()}
    if len(owners) > 1:
        names = ", ".join(sorted(w.name for w in workflows.values()))
        return Accountability(
            None,
            f"No step was given and {agent.name}'s steps belong to workflows with different "
            f"owners ({names}); name the step to find the one accountable owner.",
        )
    return _owner_accountability(next(iter(workflows.values())))


def workflow_list() -> QuerySet[Workflow]:
    return Workflow.objects.select_related("owner").prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("platform", "agent"))
    )


def agent_list() -> QuerySet[Agent]:
    return Agent.objects.all()


def flag_list(*, open_only: bool = True) -> QuerySet[OwnershipFlag]:
    flags = OwnershipFlag.objects.select_related("workflow", "step__workflow", "agent")
    return flags.filter(resolved_at__isnull=True) if open_only else flags
