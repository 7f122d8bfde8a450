"""What adopting a scenario would do to who is accountable, shown before a Leader confirms it.

docs/design.md: "Adoption shows its accountability impact first." Every answer comes from the one definition
(workflows/accountability.py), asked twice: of the live chart, and "as if" the scenario were live
(`chart=scenario`). roles shows it on the adoption page through `roles.selectors.register_adoption_impact`
(registered in workflows/apps.py), since roles imports no other app.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q

from roles.choices import ChartStatus, Team
from roles.models import Chart, Person, Position

from .accountability import (
    ACCOUNTABLE,
    Accountability,
    Gap,
    steps_accountable,
    with_accountability,
    with_gap,
    workflows_with_accountability,
)
from .choices import WorkflowStatus
from .models import Step, Workflow
from .selectors import accountability_test_score, accountability_test_steps


@dataclass(frozen=True)
class Change:
    """A workflow or a step, with its answer today (live chart) and after adoption."""

    subject: Workflow | Step
    before: Accountability
    after: Accountability

    @property
    def is_new(self) -> bool:
        """The answer flips: it passes after but not before, or fails after but not before."""
        return self.before.passes != self.after.passes


@dataclass(frozen=True)
class OwnerSeats:
    """A workflow owner who would lose their MarOps seat (or every seat) with the adoption."""

    person: Person
    seats_before: list[Position]  # in the live chart
    seats_after: list[Position]  # in the scenario
    workflows: list[Workflow]  # the workflows in use they own

    @property
    def loses_every_seat(self) -> bool:
        return not self.seats_after


@dataclass(frozen=True)
class AdoptionImpact:
    chart: Chart
    score_before: tuple[int, int]  # (passed, total) of the Test with the live chart
    score_after: tuple[int, int]  # the same, as if `chart` were live
    owners_losing_seats: list[OwnerSeats]
    workflows_failing: list[Change]  # nobody accountable after; newly failing ones first
    steps_failing: list[Change]  # buyer-facing AI steps failing the Test after; newly failing first
    workflows_passing_newly: list[Change]

    @property
    def workflows_failing_newly(self) -> list[Change]:
        return [change for change in self.workflows_failing if change.is_new]

    @property
    def steps_failing_newly(self) -> list[Change]:
        return [change for change in self.steps_failing if change.is_new]

    @property
    def score_change(self) -> str:
        """The same steps are asked both times (which steps the Test asks about depends on no chart)."""
        change = self.score_after[0] - self.score_before[0]
        if change == 0:
            return "no change"
        count, more = abs(change), "more" if change > 0 else "fewer"
        return f"1 {more} step passes" if count == 1 else f"{count} {more} steps pass"


def _workflow_changes(chart: Chart) -> tuple[list[Change], list[Change]]:
    """Workflows in use nobody would be accountable for, and those that would newly pass: 1 query."""
    in_use = Workflow.objects.exclude(status=WorkflowStatus.RETIRED).select_related("owner")
    workflows = list(
        with_gap(with_gap(in_use, name="gap_before"), chart=chart, name="gap_after")
        .exclude(gap_before=Gap.NONE, gap_after=Gap.NONE)  # one that passes both ways changes nothing
        .order_by("name", "pk")
    )
    changes = [
        Change(workflow, before, after)
        for (workflow, before), (_, after) in zip(
            workflows_with_accountability(workflows, name="gap_before"),
            workflows_with_accountability(workflows, chart, name="gap_after"),
            strict=True,
        )
    ]
    failing = sorted((c for c in changes if not c.after.passes), key=lambda c: not c.is_new)
    return failing, [c for c in changes if c.after.passes]


def _step_changes(chart: Chart) -> list[Change]:
    """Buyer-facing AI steps that would fail the Test, with today's answer beside: 2 queries."""
    steps = list(accountability_test_steps(chart).exclude(ACCOUNTABLE).order_by("workflow__name", "order"))
    after = with_accountability(steps, chart)  # answered from the chart's `accountability_gap`, no query
    changes = [
        Change(step, before, answer) for (step, answer), before in zip(after, steps_accountable(steps), strict=True)
    ]
    return sorted(changes, key=lambda c: not c.is_new)


def _owners_losing_seats(chart: Chart) -> list[OwnerSeats]:
    """Active owners of workflows in use with a MarOps seat today and none in `chart`, or a seat today
    and none at all in `chart`: 3 queries."""
    live = Position.objects.filter(chart__status=ChartStatus.LIVE, person_id=OuterRef("pk"))
    after = Position.objects.filter(chart_id=chart.pk, person_id=OuterRef("pk"))
    in_use = Workflow.objects.exclude(status=WorkflowStatus.RETIRED).order_by("name")
    seats = Position.objects.filter(Q(chart__status=ChartStatus.LIVE) | Q(chart_id=chart.pk)).order_by("title")
    people = (
        Person.objects.filter(is_active=True)
        .filter(Exists(in_use.filter(owner_id=OuterRef("pk"))))
        .filter(
            (Exists(live.filter(team=Team.MAROPS)) & ~Exists(after.filter(team=Team.MAROPS)))
            | (Exists(live) & ~Exists(after))
        )
        .prefetch_related(
            Prefetch("owned_workflows", in_use, to_attr="workflows_in_use"),
            Prefetch("positions", seats, to_attr="adoption_seats"),
        )
        .order_by("name")
    )
    return [
        OwnerSeats(
            person,
            [seat for seat in person.adoption_seats if seat.chart_id != chart.pk],
            [seat for seat in person.adoption_seats if seat.chart_id == chart.pk],
            person.workflows_in_use,
        )
        for person in people
    ]


def adoption_impact(chart: Chart) -> AdoptionImpact:
    """What adopting `chart` would do to the Test and to who is accountable: at most 10 queries,
    whatever the number of workflows, steps and people."""
    failing, passing_newly = _workflow_changes(chart)
    return AdoptionImpact(
        chart=chart,
        score_before=accountability_test_score(),
        score_after=accountability_test_score(chart=chart),
        owners_losing_seats=_owners_losing_seats(chart),
        workflows_failing=failing,
        steps_failing=_step_changes(chart),
        workflows_passing_newly=passing_newly,
    )
