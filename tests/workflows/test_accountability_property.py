"""Who is accountable, said twice (Python for a step, SQL for many), must give one answer.

Hypothesis generates random organisations — seats in and out of MarOps, vacancies, inactive and
planned people, ownerless and retired workflows, several charts — and checks, for every step and
every chart, that the Python answer, the SQL answer and the definition read straight off the
generated organisation agree, and that the Test, the ownership scan and the dashboard count the
same steps and workflows.

Each example runs in its own transaction, rolled back after it (`hypothesis.extra.django.TestCase`),
so it starts from the migrated database only. Under CI=true the examples are derandomized, so a run
is reproducible; locally they are random and no example database is written.
"""

import os
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from marops.dashboard import FAILURES_SHOWN, dashboard
from roles.choices import ChartStatus, Team
from roles.models import Chart, Person, Position, PositionRole
from tests.factories import (
    AgentFactory,
    ChartFactory,
    PersonFactory,
    PlatformFactory,
    PositionFactory,
    StepFactory,
    WorkflowFactory,
    role,
)
from workflows.accountability import (
    Gap,
    reason_expression,
    reason_text,
    step_accountable,
    steps_accountable,
    with_gap,
    workflow_accountable,
    workflows_accountable,
)
from workflows.choices import AgentStatus, FlagKind, StepMode, WorkflowStatus
from workflows.models import Agent, OwnershipFlag, Step, Workflow
from workflows.scan import GAP_KINDS, ownership_scan
from workflows.selectors import accountability_test, accountability_test_score

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# --- the organisation, as plain data (so Hypothesis can shrink it) ------------------------------


@dataclass(frozen=True)
class PersonSpec:
    kind: str  # "active", "inactive" or "planned"
    name: str


@dataclass(frozen=True)
class ChartSpec:
    name: str
    status: str
    seats: dict[int, str]  # person index -> team of the person's one seat (one seat per person per chart)
    vacancies: tuple[str, ...]  # teams of the empty seats


@dataclass(frozen=True)
class StepSpec:
    name: str
    mode: str
    buyer_facing: bool
    agent: int | None


@dataclass(frozen=True)
class WorkflowSpec:
    name: str
    owner: int | None
    status: str
    steps: tuple[StepSpec, ...]


@dataclass(frozen=True)
class Org:
    people: tuple[PersonSpec, ...]
    charts: tuple[ChartSpec, ...]
    agents: tuple[str, ...]  # statuses
    workflows: tuple[WorkflowSpec, ...]


# MarOps half the time, so that every gap (and no gap) is common.
teams = st.one_of(st.just(Team.MAROPS.value), st.sampled_from(Team.values))
seats = st.one_of(st.none(), teams)  # a person's seat in a chart: none, or in a team
# Any text PostgreSQL stores (no NUL), so the reasons built in SQL and in Python meet quotes, accents…
names = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)


@st.composite
def charts(draw, status: str, people: int) -> ChartSpec:
    held = {person: team for person in range(people) if (team := draw(seats)) is not None}
    return ChartSpec(draw(names), status, held, tuple(draw(st.lists(teams, max_size=2))))


@st.composite
def steps(draw, agents: int) -> StepSpec:
    mode = draw(st.sampled_from(StepMode.values))
    agent = st.integers(0, agents - 1)
    # An AI step must name its agent (a database constraint); a human step may or may not.
    return StepSpec(
        draw(names), mode, draw(st.booleans()), draw(st.none() | agent if mode == StepMode.HUMAN else agent)
    )


@st.composite
def organisations(draw) -> Org:
    kinds = st.sampled_from(["active", "active", "inactive", "planned"])
    people = draw(st.lists(st.builds(PersonSpec, kinds, names), min_size=1, max_size=7))
    statuses = [ChartStatus.LIVE] if draw(st.sampled_from([True, True, True, False])) else []
    statuses += [ChartStatus.SCENARIO] * draw(st.integers(1, 2)) + [ChartStatus.ARCHIVED] * draw(st.integers(0, 1))
    agents = draw(st.lists(st.sampled_from(AgentStatus.values), min_size=1, max_size=3))
    workflows = st.builds(
        WorkflowSpec,
        name=names,
        owner=st.sampled_from([*range(len(people)), None]),
        status=st.sampled_from(WorkflowStatus.values),
        steps=st.lists(steps(len(agents)), max_size=4).map(tuple),
    )
    return Org(
        people=tuple(people),
        charts=tuple(draw(charts(status, len(people))) for status in statuses),
        agents=tuple(agents),
        workflows=tuple(draw(st.lists(workflows, min_size=1, max_size=6))),
    )


@dataclass
class Built:
    """The organisation in the database, and the definition's answer read off the spec."""

    org: Org
    charts: list[Chart]
    workflows: list[Workflow]
    workflow_specs: dict[int, WorkflowSpec]  # by workflow pk
    agent_statuses: dict[int, str]  # by agent pk

    def expected_gap(self, spec: WorkflowSpec, chart: Chart | None) -> str:
        """The definition, from the generated data: the owner, active, seated in the chart's MarOps."""
        if spec.owner is None:
            return Gap.NO_OWNER
        if self.org.people[spec.owner].kind != "active":
            return Gap.OWNER_INACTIVE
        chart_spec = self.chart_spec(chart)
        team = chart_spec.seats.get(spec.owner) if chart_spec else None
        if team is None:
            return Gap.OWNER_WITHOUT_SEAT
        return Gap.NONE if team == Team.MAROPS else Gap.OWNER_OUTSIDE_MAROPS

    def chart_spec(self, chart: Chart | None) -> ChartSpec | None:
        """The chart asked about; `None` is the live chart, if there is one."""
        for built, spec in zip(self.charts, self.org.charts, strict=True):
            if (built.pk == chart.pk) if chart is not None else built.is_live:
                return spec
        return None


def build(org: Org) -> Built:
    """The organisation in the database: the factories' defaults, saved in bulk (a few queries, so
    that Hypothesis can afford the hundreds of examples shrinking a failure takes)."""
    assert not Person.objects.exists() and not Workflow.objects.exists()  # each example starts clean
    note(repr(org))  # printed with a failure (Hypothesis prints the arguments of a TestCase method empty)
    people = Person.objects.bulk_create(
        PersonFactory.build(name=p.name, is_active=p.kind == "active", is_planned=p.kind == "planned")
        for p in org.people
    )
    # Chart and workflow names are unique: the generated text, numbered.
    built_charts = Chart.objects.bulk_create(
        ChartFactory.build(name=f"{spec.name} ({n})", status=spec.status) for n, spec in enumerate(org.charts)
    )
    seats = [
        [PositionFactory.build(chart=chart, team=team, person=people[i]) for i, team in spec.seats.items()]
        + [PositionFactory.build(chart=chart, team=team, person=None) for team in spec.vacancies]
        for chart, spec in zip(built_charts, org.charts, strict=True)
    ]
    # One root per chart (the first seat); the others report to it.
    Position.objects.bulk_create(chart_seats[0] for chart_seats in seats if chart_seats)
    for chart_seats in seats:
        for position in chart_seats[1:]:
            position.reports_to = chart_seats[0]
    Position.objects.bulk_create(position for chart_seats in seats for position in chart_seats[1:])
    specialist = role("marops-specialist")
    PositionRole.objects.bulk_create(
        PositionRole(position=position, role=specialist) for chart_seats in seats for position in chart_seats
    )
    agents = Agent.objects.bulk_create(AgentFactory.build(status=status) for status in org.agents)
    platform = PlatformFactory()
    workflows = Workflow.objects.bulk_create(
        WorkflowFactory.build(
            name=f"{spec.name} ({n})",
            owner=None if spec.owner is None else people[spec.owner],
            status=spec.status,
        )
        for n, spec in enumerate(org.workflows)
    )
    Step.objects.bulk_create(
        StepFactory.build(
            name=step.name,
            workflow=workflow,
            platform=platform,
            mode=step.mode,
            is_buyer_facing=step.buyer_facing,
            agent=None if step.agent is None else agents[step.agent],
        )
        for workflow, spec in zip(workflows, org.workflows, strict=True)
        for step in spec.steps
    )
    specs = {workflow.pk: spec for workflow, spec in zip(workflows, org.workflows, strict=True)}
    return Built(org, built_charts, workflows, specs, {a.pk: a.status for a in agents})


def in_the_test(step: Step) -> bool:
    """The steps the Test asks about: buyer-facing AI steps of workflows in use."""
    return step.is_buyer_facing and step.mode != StepMode.HUMAN and step.workflow.status != WorkflowStatus.RETIRED


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=CI,
    database=None,
    print_blob=True,
    report_multiple_bugs=False,  # shrink one failure, not each: a failing example is enough to act on
    # No "explain" phase: it traces every line while shrinking, which makes shrinking take minutes.
    phases=[phase for phase in Phase if phase != Phase.explain],
    suppress_health_check=[HealthCheck.too_slow],
)


class AccountabilityAgreesEverywhere(TestCase):
    @PROPERTY
    @given(org=organisations())
    def test_python_sql_and_the_definition_agree_on_every_step_in_every_chart(self, org):
        built = build(org)
        steps = list(Step.objects.select_related("workflow__owner").order_by("pk"))
        for chart in [None, *built.charts]:
            python = steps_accountable(steps, chart)
            sql = {
                pk: (gap, reason)
                for pk, gap, reason in with_gap(Step.objects.all(), "workflow__owner", chart)
                .annotate(reason=reason_expression(workflow="workflow__name", owner="workflow__owner", chart=chart))
                .values_list("pk", "accountability_gap", "reason")
            }
            for step, answer in zip(steps, python, strict=True):
                workflow, owner = step.workflow, step.workflow.owner
                expected = built.expected_gap(built.workflow_specs[workflow.pk], chart)
                where = f"step {step.pk} ({step.mode}) of {workflow.name}, chart={chart and chart.name}"
                event(f"gap: {expected or 'accountable'}")
                assert answer.gap == sql[step.pk][0] == expected, where
                assert step_accountable(step, chart) == answer, where
                assert answer.person == (owner if expected == Gap.NONE else None), where
                text = (
                    ""
                    if expected == Gap.NONE
                    else reason_text(expected, workflow=workflow.name, owner=owner.name if owner else "", chart=chart)
                )
                assert answer.reason == sql[step.pk][1] == text, where
            workflows = with_gap(Workflow.objects.select_related("owner"), "owner", chart)
            for workflow in workflows:
                expected = built.expected_gap(built.workflow_specs[workflow.pk], chart)
                assert workflow_accountable(workflow, chart).gap == workflow.accountability_gap == expected

    @PROPERTY
    @given(org=organisations())
    def test_the_test_the_scan_and_the_dashboard_count_what_the_python_answer_says(self, org):
        built = build(org)
        steps = list(Step.objects.select_related("workflow__owner").order_by("pk"))

        for chart in [None, *built.charts]:
            answers = dict(zip((s.pk for s in steps), steps_accountable(steps, chart), strict=True))
            tested = [s for s in steps if in_the_test(s)]
            passed = sum(1 for s in tested if answers[s.pk].passes)
            assert accountability_test_score(chart) == (passed, len(tested))
            result = accountability_test(chart)
            assert sorted(s.pk for s, _ in result.rows) == [s.pk for s in tested]
            assert all(answer == answers[s.pk] for s, answer in result.rows)

        # The scan and the dashboard read the live chart.
        answers = dict(zip((s.pk for s in steps), steps_accountable(steps), strict=True))
        failing = [s for s in steps if in_the_test(s) and not answers[s.pk].passes]
        expected = {(FlagKind.NO_SINGLE_ACCOUNTABLE, f"step:{s.pk}") for s in failing}
        messages = {
            f"step:{s.pk}": f"Nobody is accountable for the buyer-facing AI step “{s.name}”: {answers[s.pk].reason}"
            for s in failing
        }
        workflows = list(Workflow.objects.select_related("owner").order_by("pk"))
        for workflow, answer in zip(workflows, workflows_accountable(workflows), strict=True):
            if workflow.status != WorkflowStatus.RETIRED and not answer.passes:
                expected.add((GAP_KINDS[answer.gap], f"workflow:{workflow.pk}"))
                messages[f"workflow:{workflow.pk}"] = answer.reason
        acting = {s.agent_id for s in steps}
        for agent, status in built.agent_statuses.items():
            if status != AgentStatus.RETIRED and agent not in acting:
                expected.add((FlagKind.AGENT_IN_NO_WORKFLOW, f"agent:{agent}"))

        # One flag for each failing step and each failing workflow (of the gap's kind), and nothing else.
        opened = ownership_scan().opened
        assert Counter(cause.identity for cause in opened) == Counter(expected)
        flags = OwnershipFlag.objects.filter(resolved_at__isnull=True)
        assert Counter(flags.values_list("kind", "subject_key")) == Counter(expected)
        for kind, key, message in flags.exclude(kind=FlagKind.AGENT_IN_NO_WORKFLOW).values_list(
            "kind", "subject_key", "message"
        ):
            assert message == messages[key], (kind, key)
        assert not ownership_scan().changed  # nothing changed: the re-run writes nothing

        board = dashboard()
        in_test = [s for s in steps if in_the_test(s)]
        assert (board.test_passed, board.test_total) == (len(in_test) - len(failing), len(in_test))
        shown = {s.pk for s, answer in board.test_failures_shown if not answer.passes}
        assert shown <= {s.pk for s in failing} and len(shown) == min(len(failing), FAILURES_SHOWN)
        assert {row["kind"]: row["n"] for row in board.flags} == Counter(kind for kind, _ in expected)
