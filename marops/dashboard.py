"""The CMO's ownership dashboard: every figure from the three apps in a fixed number of queries.

Each section is one query (or three for the two charts' seats), whatever the size of the data:
aggregates and grouped counts in the database, never a row per workflow or incident in Python.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from governance.selectors import Bar, incident_figures
from roles import rules
from roles.choices import CoreRole
from roles.cost import ChartCost, CostRange, TeamCostDifference, chart_cost, cost_difference
from roles.selectors import ChartSeats, ChartShown, live_and_target_seats
from workflows.selectors import (
    AgentNamed,
    FlagCount,
    StepAccountability,
    WorkflowAccountability,
    WorkflowFigures,
    accountability_test_failures,
    critical_workflows,
    open_flag_counts,
    paused_agents,
    step_mode_figures,
    workflow_figures,
)

from .models import MigrationPlan

FAILURES_SHOWN = 15
FINDINGS_SHOWN = 10  # chart findings listed; the org chart page has them all
AGENTS_SHOWN = 10  # paused agents named

# The chart rules the dashboard shows: reporting lines, missing roles, hiring order.
DASHBOARD_RULES = [
    rules.head_reports_to_cmo,
    rules.steward_dotted_to_cdo,
    rules.pkd_inside_marops,
    rules.head_level,
    rules.missing_role,
    rules.hiring_order,
]


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
    critical: list[WorkflowAccountability]
    test_total: int
    test_passed: int
    test_failures_shown: list[StepAccountability]
    flags: list[FlagCount]
    incidents: dict[str, int]  # total, resolved, overdue and one per severity
    by_root_cause: list[Bar]
    by_owner: list[Bar]
    median_resolve: datetime.timedelta | None
    findings: list[rules.Finding]
    live: ChartShown | None
    target: ChartShown | None
    live_cost: ChartCost
    target_cost: ChartCost | None
    team_costs: list[TeamCostDifference]
    modes: dict[str, int]
    paused_agents: list[AgentNamed]
    plan: MigrationPlan
    plan_steps: list[PlanStep] = field(default_factory=list)

    @property
    def findings_shown(self) -> list[rules.Finding]:
        return self.findings[:FINDINGS_SHOWN]

    @property
    def findings_more(self) -> int:
        return len(self.findings) - len(self.findings_shown)

    @property
    def cost_change(self) -> CostRange | None:
        """What the target costs against the live chart (the total of the per-team differences)."""
        return self.target_cost.total - self.live_cost.total if self.target_cost is not None else None

    @property
    def paused_agents_shown(self) -> list[AgentNamed]:
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


def _plan_steps(plan: MigrationPlan, figures: WorkflowFigures, seats: ChartSeats) -> list[PlanStep]:
    filled = {
        role.key for p in seats.live_positions if p.person_id for role in p.role_list() if role.key in CoreRole.values
    }
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
    critical = critical_workflows()
    # The Test: counted in the database; only the first failures are fetched to show.
    test_failures = accountability_test_failures(limit=FAILURES_SHOWN)
    flags = open_flag_counts()
    incidents = incident_figures(since)
    seats = live_and_target_seats(plan.target_chart_id)
    live, target = seats.live, plan.target_chart
    findings = []
    if live is not None:
        facts = rules.ChartFacts(chart=live, positions=seats.live_positions)
        findings = sorted(
            (f for rule in DASHBOARD_RULES for f in rule(facts)), key=lambda f: rules.FindingSeverity.ORDER[f.severity]
        )
    live_cost = chart_cost(seats.live_positions)
    target_cost = chart_cost(seats.target_positions) if target is not None else None
    steps = step_mode_figures()
    board = Dashboard(
        period_days=period_days,
        workflows=figures,
        critical=critical,
        test_total=steps["test_total"],
        test_passed=steps["test_passed"],
        test_failures_shown=test_failures,
        flags=flags,
        incidents=incidents.counts,
        by_root_cause=incidents.by_root_cause,
        by_owner=incidents.by_owner,
        median_resolve=incidents.median_resolve,
        findings=findings,
        live=live,
        target=target,
        live_cost=live_cost,
        target_cost=target_cost,
        team_costs=cost_difference(live_cost, target_cost) if target_cost else [],
        modes=steps["modes"],
        paused_agents=paused_agents(),
        plan=plan,
    )
    board.plan_steps = _plan_steps(plan, figures, seats)
    return board
