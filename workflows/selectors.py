"""Reads for workflows. Who is accountable is answered in `accountability.py`, once."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from roles.choices import ChartStatus, Team
from roles.models import Chart, Person

from .accountability import (
    ACCOUNTABLE,
    BUYER_FACING_AI,
    Accountability,
    GapAnnotated,
    buyer_facing_ai_steps,
    with_accountability,
    with_gap,
    workflow_accountable,
    workflows_with_accountability,
)
from .choices import AgentStatus, FlagKind, StepMode, WorkflowStatus
from .models import Agent, OwnershipFlag, Platform, Step, Workflow

if TYPE_CHECKING:  # django-stubs is a dev dependency
    from django_stubs_ext import WithAnnotations

NAMES_SHOWN = 5  # workflows named in a reason; the rest are counted


def agent_accountable(agent: Agent) -> Accountability:
    """When the step is unknown: the single owner of the workflows where the agent makes
    buyer-facing decisions (or, if it makes none, of all its workflows), if there is exactly one,
    judged by the same definition as a step (`accountability.workflow_accountable`)."""
    workflows = list(
        Workflow.objects.filter(steps__agent=agent)
        .select_related("owner")
        .only("name", "owner_id", "owner__name", "owner__email", "owner__is_active")
        .annotate(buyer_facing=Max(Case(When(steps__is_buyer_facing=True, then=1), default=0)))
        .order_by("name", "pk")
    )
    if not workflows:
        return Accountability(None, f"{agent.name} acts in no workflow step, so no workflow owner can be named.")
    workflows = [w for w in workflows if w.buyer_facing] or workflows
    if len({workflow.owner_id for workflow in workflows}) > 1:
        names = ", ".join(w.name for w in workflows[:NAMES_SHOWN])
        if len(workflows) > NAMES_SHOWN:
            names += f" and {len(workflows) - NAMES_SHOWN} more"
        return Accountability(
            None,
            f"No step was given and {agent.name}'s steps belong to workflows with different "
            f"owners ({names}); name the step to find the one accountable owner.",
        )
    return workflow_accountable(workflows[0])


class WorkflowFigures(TypedDict):
    total: int
    owned: int
    accountable: int
    critical: int
    critical_owned: int
    critical_marops: int
    mapped: int


def workflow_figures() -> WorkflowFigures:
    """Counts over the workflows in use (not retired), in one query: total, owned, accountable (owned by
    someone who passes the Test's definition), critical (owned, and accountably owned: migration step 2,
    "one MarOps person as owner per workflow"), and mapped (migration step 1: steps, each decided, and
    roles named)."""
    steps = Step.objects.filter(workflow_id=OuterRef("pk"))
    figures = (
        with_gap(Workflow.objects.exclude(status=WorkflowStatus.RETIRED))
        .annotate(
            has_steps=Exists(steps),
            undecided=Exists(steps.filter(decision="")),
            has_roles=Exists(steps.filter(roles__isnull=False)),
        )
        .aggregate(
            total=Count("pk"),
            owned=Count("pk", filter=Q(owner__isnull=False)),
            accountable=Count("pk", filter=ACCOUNTABLE),
            critical=Count("pk", filter=Q(is_critical=True)),
            critical_owned=Count("pk", filter=Q(is_critical=True, owner__isnull=False)),
            critical_marops=Count("pk", filter=Q(is_critical=True) & ACCOUNTABLE),
            mapped=Count("pk", filter=Q(has_steps=True, undecided=False, has_roles=True)),
        )
    )
    return cast(WorkflowFigures, figures)  # aggregate() is typed dict[str, Any]; its keys are these


# What the dashboard's selectors return, named so that a page can type them without the models.
WorkflowAccountability = tuple[Workflow, Accountability]
StepAccountability = tuple[Step, Accountability]
AgentNamed = Agent  # an agent with only its name loaded


def critical_workflows() -> list[WorkflowAccountability]:
    """The critical workflows in use, by name, each with its owner and who is accountable: one query."""
    return workflows_with_accountability(
        list(
            with_gap(
                Workflow.objects.filter(is_critical=True).exclude(status=WorkflowStatus.RETIRED).select_related("owner")
            ).order_by("name")
        )
    )


class FlagCount(TypedDict):
    kind: str
    label: str
    n: int
    oldest: datetime.datetime


def open_flag_counts() -> list[FlagCount]:
    """The open ownership flags by kind, most first: how many, and when the oldest was opened. One query."""
    kinds = dict(FlagKind.choices)
    return [
        cast(FlagCount, row | {"label": kinds.get(row["kind"], row["kind"])})
        for row in OwnershipFlag.objects.filter(resolved_at__isnull=True)
        .values("kind")
        .annotate(n=Count("pk"), oldest=Min("opened_at"))
        .order_by("-n")
    ]


class StepModeFigures(TypedDict):
    test_total: int  # the Test: buyer-facing AI steps
    test_passed: int  # ... of which one person is accountable
    modes: dict[str, int]  # steps per mode (human, AI-assisted, AI-autonomous)


def step_mode_figures() -> StepModeFigures:
    """Over the steps of workflows in use, in one query: the Test's score, and how many steps run in each mode."""
    modes = with_gap(Step.objects.exclude(workflow__status=WorkflowStatus.RETIRED), "workflow__owner").aggregate(
        test_total=Count("pk", filter=BUYER_FACING_AI),
        test_passed=Count("pk", filter=BUYER_FACING_AI & ACCOUNTABLE),
        **{mode: Count("pk", filter=Q(mode=mode)) for mode in StepMode.values},
    )
    test_total, test_passed = modes.pop("test_total"), modes.pop("test_passed")
    return {"test_total": test_total, "test_passed": test_passed, "modes": modes}


def paused_agents() -> list[AgentNamed]:
    """The paused agents by name, with only their name loaded: one query."""
    return list(Agent.objects.filter(status=AgentStatus.PAUSED).only("name").order_by("name"))


class WorkflowListed(TypedDict):
    pk: int
    name: str
    owner: str | None  # the owner's name


def platform_workflows(*, per_platform: int) -> dict[int, list[WorkflowListed]]:
    """Per platform, its first workflows by name (id, name, owner's name): one query, however many
    workflows run through each platform."""
    rows = (
        Step.objects.values("platform_id", "workflow_id", "workflow__name", "workflow__owner__name")
        .annotate(steps=Count("pk"))
        .annotate(
            rank=Window(RowNumber(), partition_by=F("platform_id"), order_by=[F("workflow__name"), F("workflow_id")])
        )
        .filter(rank__lte=per_platform)
        .order_by("platform_id", "rank")
    )
    shown: dict[int, list[WorkflowListed]] = {}
    for row in rows:
        shown.setdefault(row["platform_id"], []).append(
            {"pk": row["workflow_id"], "name": row["workflow__name"], "owner": row["workflow__owner__name"]}
        )
    return shown


def workflow_list() -> QuerySet[Workflow]:
    return Workflow.objects.select_related("owner").prefetch_related(
        Prefetch("steps", queryset=Step.objects.select_related("platform", "agent").prefetch_related("roles"))
    )


ARTICLE = "“The MarOps Org Chart for the AI Era”"  # the source article, named wherever users read of it
CRITICAL_RANGE = range(5, 8)  # “The MarOps Org Chart for the AI Era”: "Pick the 5-7 most important workflows"


def critical_count_note(count: int) -> str:
    """Say so when the number of critical workflows is outside the 5–7 of “The MarOps Org Chart for the AI Era”."""
    if count in CRITICAL_RANGE:
        return ""
    if count < CRITICAL_RANGE.start:
        marked = f"{count} workflow{'s are' if count != 1 else ' is'}"
        return f"Only {marked} marked critical; {ARTICLE} picks the 5–7 most important."
    return f"{count} workflows are marked critical; {ARTICLE} picks only the 5–7 most important."


@dataclass(frozen=True)
class Completeness:
    """Migration step 1 for one workflow: steps, each with a platform, a mode and a decision,
    and the human roles touching it."""

    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def workflow_completeness(workflow: Workflow) -> Completeness:
    """From prefetched steps (and their roles): no queries."""
    steps = list(workflow.steps.all())
    if not steps:
        return Completeness(("no steps mapped yet",))
    missing = [f"step {s.order} “{s.name}” has no decision" for s in steps if not s.decision.strip()]
    if not any(step.roles.all() for step in steps):
        missing.append("no human roles named on any step")
    return Completeness(tuple(missing))


@dataclass(frozen=True)
class Lane:
    platform: Platform
    cells: list[Step | None]  # one per step, in order: the step if it runs on this platform, else None


def workflow_swimlane(workflow: Workflow) -> list[Lane]:
    """Platforms as lanes (in order of first use), steps in order across them."""
    steps = sorted(workflow.steps.all(), key=lambda s: s.order)
    platforms = list(dict.fromkeys(step.platform for step in steps))
    return [Lane(p, [step if step.platform_id == p.pk else None for step in steps]) for p in platforms]


def marops_people() -> QuerySet[Person]:
    """Active people with a MarOps seat in the live chart: offered first as workflow owners."""
    return Person.objects.filter(
        is_active=True, positions__chart__status=ChartStatus.LIVE, positions__team=Team.MAROPS
    ).distinct()


def agent_list() -> QuerySet[Agent]:
    return Agent.objects.all()


def agents_by_name() -> QuerySet[Agent]:
    return Agent.objects.order_by("name", "pk")


def agent_get(pk: int) -> Agent | None:
    return Agent.objects.filter(pk=pk).first()


def workflows_by_name(*, include_deleted: bool = False) -> QuerySet[Workflow]:
    """Workflows with their owners, in a stable order (the API's pages). A deleted (archived) workflow
    is history: found by its id, never listed."""
    workflows = Workflow.objects.select_related("owner").order_by("name", "pk")
    return workflows if include_deleted else workflows.filter(archived_at__isnull=True)


def steps_with_owner() -> QuerySet[Step]:
    """Steps with their workflow and its owner: what `step_accountable` reads."""
    return Step.objects.select_related("workflow__owner")


# What logging an incident reads of its step: the incident service and the accountability answer.
STEP_FIELDS_FOR_INCIDENT = [
    "name",
    "agent__name",
    "workflow__name",
    "workflow__owner__name",
    "workflow__owner__email",
    "workflow__owner__is_active",
]


def step_for_incident(pk: int) -> Step | None:
    """The step an incident is logged against, with its agent, workflow and owner, in one query (the
    API's hot path: only the columns the service and the answer read)."""
    return (
        Step.objects.select_related("workflow__owner", "agent")
        .only(*STEP_FIELDS_FOR_INCIDENT)
        .filter(pk=pk)
        .order_by()
        .first()
    )


def flag_list(*, open_only: bool = True) -> QuerySet[OwnershipFlag]:
    flags = OwnershipFlag.objects.select_related("workflow", "step__workflow", "agent").order_by("-opened_at", "-pk")
    return flags.filter(resolved_at__isnull=True) if open_only else flags


@dataclass(frozen=True)
class TestResult:
    """The Test of “The MarOps Org Chart for the AI Era” over every buyer-facing AI step."""

    rows: list[tuple[Step, Accountability]]

    @property
    def passed(self) -> int:
        return sum(1 for _, result in self.rows if result.passes)

    @property
    def total(self) -> int:
        return len(self.rows)


class TestStepAnnotated(GapAnnotated):
    fails: bool


def accountability_test_steps(chart: Chart | None = None) -> "QuerySet[WithAnnotations[Step, TestStepAnnotated]]":
    """Every buyer-facing AI step of a workflow in use, failing ones first (`fails`), then by workflow."""
    return (
        buyer_facing_ai_steps(chart)
        .select_related("workflow__owner", "agent", "platform")
        .annotate(fails=ExpressionWrapper(~ACCOUNTABLE, output_field=BooleanField()))
        .order_by("-fails", "workflow__name", "order")
    )


def accountability_test_failures(*, limit: int) -> list[StepAccountability]:
    """The Test's first `limit` failing steps, each with why nobody is accountable: one query."""
    return with_accountability(list(accountability_test_steps().filter(fails=True)[:limit]))


def accountability_test_score(chart: Chart | None = None) -> tuple[int, int]:
    """(passed, total) over the same steps, counted in the database."""
    counts = buyer_facing_ai_steps(chart).aggregate(total=Count("pk"), passed=Count("pk", filter=ACCOUNTABLE))
    return counts["passed"], counts["total"]


def accountability_test(chart: Chart | None = None) -> TestResult:
    """ "If a buyer-facing marketing decision was made wrongly by an AI agent yesterday, who in your
    MarOps team is responsible for understanding why and fixing it?" — for every such step."""
    steps = list(accountability_test_steps(chart).order_by("workflow__name", "order"))
    return TestResult(with_accountability(steps, chart))
