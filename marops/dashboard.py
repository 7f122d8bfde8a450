"""The CMO's ownership dashboard: every figure from the three apps in a fixed number of queries.

Each section is one query (or three for the two charts' seats), whatever the size of the data:
aggregates and grouped counts in the database, never a row per workflow or incident in Python.
"""

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Min, Q
from django.utils import timezone

from governance.choices import ReviewStatus, RootCause, Severity
from governance.models import Incident
from roles import rules
from roles.choices import ChartStatus, CoreRole
from roles.cost import ChartCost, TeamCostDifference, chart_cost, cost_difference
from roles.models import Chart, Position
from roles.selectors import POSITION_PREFETCH
from workflows.accountability import (
    ACCOUNTABLE,
    BUYER_FACING_AI,
    Accountability,
    with_accountability,
    with_gap,
    workflows_with_accountability,
)
from workflows.choices import AgentStatus, FlagKind, StepMode, WorkflowStatus
from workflows.models import Agent, OwnershipFlag, Step, Workflow
from workflows.selectors import WorkflowFigures, accountability_test_steps, workflow_figures

from .models import MigrationPlan

FAILURES_SHOWN = 15
OWNERS_SHOWN = 10  # bars in "incidents by accountable owner"; the rest share one bar
FINDINGS_SHOWN = 10  # chart findings listed; the org chart page has them all
AGENTS_SHOWN = 10  # paused agents named
POSITION_FIELDS = [field.attname for field in Position._meta.concrete_fields]
NOBODY = "Nobody named"

# The chart rules the dashboard shows: reporting lines, missing roles, hiring order.
DASHBOARD_RULES = [
    rules.head_reports_to_cmo,
    rules.steward_dotted_to_cdo,
    rules.pkd_inside_marops,
    rules.head_level,
    rules.missing_role,
    rules.hiring_order,
]


class Median(Aggregate):
    """PostgreSQL's exact median (percentile_cont); other databases compute it in Python."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


class Bar(NamedTuple):
    """One bar of an incident chart: its label, its count, and the incident-log filter behind it."""

    label: str
    n: int
    filter: dict[str, str | int]


def plan_get() -> MigrationPlan:
    """The migration plan; a default one (start today, 3/6/9 months) until a Leader sets it."""
    plan = MigrationPlan.objects.select_related("target_chart").first()
    if plan is None:
        today = timezone.localdate()
        plan = MigrationPlan(
            started_on=today,
            map_workflows_by=today + datetime.timedelta(days=91),
            assign_owners_by=today + datetime.timedelta(days=182),
            add_roles_by=today + datetime.timedelta(days=273),
        )
    return plan


@dataclass(frozen=True)
class PlanStep:
    number: int
    title: str
    done: int
    total: int
    due: datetime.date
    url: str

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def late(self) -> bool:
        return self.percent < 100 and self.due < timezone.localdate()


@dataclass
class Dashboard:
    period_days: int
    workflows: WorkflowFigures
    critical: list[tuple[Workflow, Accountability]]
    test_total: int
    test_passed: int
    test_failures_shown: list[tuple[Step, Accountability]]
    flags: list[dict[str, Any]]  # kind, label, n, oldest
    incidents: dict[str, int]  # total, resolved, overdue and one per severity
    by_root_cause: list[Bar]
    by_owner: list[Bar]
    median_resolve: datetime.timedelta | None
    findings: list[rules.Finding]
    live: Chart | None
    target: Chart | None
    live_cost: ChartCost
    target_cost: ChartCost | None
    team_costs: list[TeamCostDifference]
    modes: dict[str, int]
    paused_agents: list[Agent]
    plan: MigrationPlan
    plan_steps: list[PlanStep] = field(default_factory=list)

    @property
    def findings_shown(self) -> list[rules.Finding]:
        return self.findings[:FINDINGS_SHOWN]

    @property
    def findings_more(self) -> int:
        return len(self.findings) - len(self.findings_shown)

    @property
    def paused_agents_shown(self) -> list[Agent]:
        return self.paused_agents[:AGENTS_SHOWN]

    @property
    def paused_agents_more(self) -> int:
        return len(self.paused_agents) - len(self.paused_agents_shown)

    @property
    def test_failures_more(self) -> int:
        return self.test_total - self.test_passed - len(self.test_failures_shown)

    @property
    def accountable_percent(self) -> int:
        total = self.workflows["total"]
        return round(100 * self.workflows["accountable"] / total) if total else 0

    @property
    def open_flags(self) -> int:
        return sum(row["n"] for row in self.flags)

    @property
    def missing_roles(self) -> list[rules.Finding]:
        return [f for f in self.findings if f.rule == "missing-role"]


def _incident_figures(
    since: datetime.datetime,
) -> tuple[dict[str, int], list[Bar], list[Bar], datetime.timedelta | None]:
    today = timezone.localdate()
    in_period = Incident.objects.filter(occurred_at__gte=since)
    resolved = Q(review__status=ReviewStatus.RESOLVED)
    figures: dict[str, Aggregate] = dict(
        total=Count("pk"),
        resolved=Count("pk", filter=resolved),
        overdue=Count("pk", filter=~resolved & Q(review__due_on__lt=today)),
        **{severity: Count("pk", filter=Q(severity=severity)) for severity in Severity.values},
    )
    postgres = connection.vendor == "postgresql"
    if postgres:
        figures["median"] = Median(F("review__resolved_at") - F("occurred_at"), filter=resolved)
    incidents = in_period.aggregate(**figures)
    groups = in_period.values(
        "review__root_cause", "review__accountable_owner_id", "review__accountable_owner__name"
    ).annotate(n=Count("pk"))
    by_cause: dict[str, Bar] = {}
    by_owner: dict[int | None, Bar] = {}
    causes = dict(RootCause.choices)
    for row in groups:
        cause, owner = row["review__root_cause"], row["review__accountable_owner_id"]
        before = by_cause.get(cause) or Bar(causes.get(cause, "Not yet known"), 0, {"cause": cause or "none"})
        by_cause[cause] = before._replace(n=before.n + row["n"])
        before = by_owner.get(owner) or Bar(
            row["review__accountable_owner__name"] or NOBODY, 0, {"owner": owner or "none"}
        )
        by_owner[owner] = before._replace(n=before.n + row["n"])
    median = incidents.pop("median", None)
    if not postgres:  # SQLite on a first run: small data, so Python can take the median
        durations = [
            resolved_at - created
            for created, resolved_at in in_period.filter(resolved).values_list("occurred_at", "review__resolved_at")
            if resolved_at is not None  # always: the database refuses a resolved review without it
        ]
        # Timedeltas sort and halve, which is all median() does with them; typeshed asks for numbers.
        median = statistics.median(durations) if durations else None  # type: ignore[type-var]
    by_count = lambda bars: sorted(bars, key=lambda bar: (-bar.n, bar.label))  # noqa: E731
    return incidents, by_count(by_cause.values()), _top_owners(by_count(by_owner.values())), median


def _top_owners(bars: list[Bar]) -> list[Bar]:
    """The owners with the most incidents, "Nobody named" always among them, the rest as one bar."""
    nobody = [bar for bar in bars if bar.filter["owner"] == "none"]
    named = [bar for bar in bars if bar.filter["owner"] != "none"]
    if len(named) <= OWNERS_SHOWN + 1:  # one more owner takes a bar of their own, not "1 other owners"
        return bars
    shown, rest = named[:OWNERS_SHOWN], named[OWNERS_SHOWN:]
    others = Bar(f"{len(rest)} other owners", sum(bar.n for bar in rest), {})
    return sorted(nobody + shown, key=lambda bar: -bar.n) + [others]


def _charts(plan: MigrationPlan) -> tuple[Chart | None, Chart | None, list[Position], list[Position]]:
    """The live chart's and the target's seats, with roles and dotted lines: three queries. Only what
    the rules and the cost read: no people, and of the chart only its name and status."""
    target_id = plan.target_chart_id
    positions = list(
        Position.objects.filter(Q(chart__status=ChartStatus.LIVE) | Q(chart_id=target_id))
        .select_related("chart")
        .only(*POSITION_FIELDS, "chart__name", "chart__status")
        .prefetch_related(*(p for p in POSITION_PREFETCH if p.prefetch_through != "platform_expertise"))
    )
    live = [p for p in positions if p.chart.status == ChartStatus.LIVE]
    target = [p for p in positions if p.chart_id == target_id and p.chart.status != ChartStatus.LIVE]
    return live[0].chart if live else None, plan.target_chart, live, target


def _plan_steps(plan: MigrationPlan, figures: WorkflowFigures, live_positions: list[Position]) -> list[PlanStep]:
    filled = {role.key for p in live_positions if p.person_id for role in p.role_list() if role.key in CoreRole.values}
    return [
        PlanStep(
            1,
            "Map workflows, not platforms",
            figures["mapped"],
            figures["total"],
            plan.map_workflows_by,
            "workflows:workflow-list",
        ),
        PlanStep(
            2,
            "Assign workflow owners",
            figures["critical_marops"],
            figures["critical"],
            plan.assign_owners_by,
            "workflows:workflow-list",
        ),
        PlanStep(3, "Add the missing roles", len(filled), len(CoreRole.values), plan.add_roles_by, "roles:live-chart"),
    ]


def dashboard(*, period_days: int = 90) -> Dashboard:
    """Everything on the CMO's dashboard, in a fixed number of queries."""
    since = timezone.now() - datetime.timedelta(days=period_days)
    plan = plan_get()
    figures = workflow_figures()
    critical = workflows_with_accountability(
        list(
            with_gap(
                Workflow.objects.filter(is_critical=True).exclude(status=WorkflowStatus.RETIRED).select_related("owner")
            ).order_by("name")
        )
    )
    # The Test: counted in the database; only the first failures are fetched to show.
    test_failures = with_accountability(list(accountability_test_steps().filter(fails=True)[:FAILURES_SHOWN]))
    kinds = dict(FlagKind.choices)
    flags = [
        row | {"label": kinds.get(row["kind"], row["kind"])}
        for row in OwnershipFlag.objects.filter(resolved_at__isnull=True)
        .values("kind")
        .annotate(n=Count("pk"), oldest=Min("opened_at"))
        .order_by("-n")
    ]
    incidents, by_cause, by_owner, median = _incident_figures(since)
    live, target, live_positions, target_positions = _charts(plan)
    findings = []
    if live is not None:
        facts = rules.ChartFacts(chart=live, positions=live_positions)
        findings = sorted(
            (f for rule in DASHBOARD_RULES for f in rule(facts)), key=lambda f: rules.Severity.ORDER[f.severity]
        )
    live_cost = chart_cost(live_positions)
    target_cost = chart_cost(target_positions) if target is not None else None
    modes = with_gap(Step.objects.exclude(workflow__status=WorkflowStatus.RETIRED), "workflow__owner").aggregate(
        test_total=Count("pk", filter=BUYER_FACING_AI),
        test_passed=Count("pk", filter=BUYER_FACING_AI & ACCOUNTABLE),
        **{mode: Count("pk", filter=Q(mode=mode)) for mode in StepMode.values},
    )
    test_total, test_passed = modes.pop("test_total"), modes.pop("test_passed")
    paused = list(Agent.objects.filter(status=AgentStatus.PAUSED).only("name").order_by("name"))
    board = Dashboard(
        period_days=period_days,
        workflows=figures,
        critical=critical,
        test_total=test_total,
        test_passed=test_passed,
        test_failures_shown=test_failures,
        flags=flags,
        incidents=incidents,
        by_root_cause=by_cause,
        by_owner=by_owner,
        median_resolve=median,
        findings=findings,
        live=live,
        target=target,
        live_cost=live_cost,
        target_cost=target_cost,
        team_costs=cost_difference(live_cost, target_cost) if target_cost else [],
        modes=modes,
        paused_agents=paused,
        plan=plan,
    )
    board.plan_steps = _plan_steps(plan, figures, live_positions)
    return board
