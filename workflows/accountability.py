"""Who is accountable? The one definition, in Python for one step and in SQL for many.

The Test of “The MarOps Org Chart for the AI Era”: "If a buyer-facing marketing decision was made
wrongly by an AI agent yesterday, who *in your MarOps team* is responsible for understanding why and
fixing it?", and step 2 of its migration: "Assign one MarOps person as owner per workflow". So the
accountable person for a step is the owner of its workflow, and only if that owner is an active
person holding a seat in the live chart's MarOps team. Otherwise nobody is, and the `Gap` says which part fails.

Every screen, command, task and API endpoint asks here: `steps_accountable` (Python, a fixed number of
queries for any number of steps) and `with_gap` (the same in the database, for lists and counts).
A property-based test proves the two agree (tests/workflows/test_accountability_property.py).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db import models
from django.db.models import Case, CharField, F, FilteredRelation, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from core.db import Switch
from roles.choices import ChartStatus, Team
from roles.models import Chart, Person, Position

from .choices import StepMode, WorkflowStatus
from .models import Step, Workflow

if TYPE_CHECKING:  # django-stubs is a dev dependency
    from django_stubs_ext import WithAnnotations


class Gap(models.TextChoices):
    """Why nobody is accountable, in the order the definition checks (the first that fails)."""

    NONE = "", "accountable"
    NO_OWNER = "no-owner", "no owner"
    OWNER_INACTIVE = "owner-inactive", "owner inactive"
    OWNER_WITHOUT_SEAT = "owner-without-seat", "owner holds no seat"
    OWNER_OUTSIDE_MAROPS = "owner-outside-marops", "owner outside MarOps"


# Each reason, written once as parts: plain text, or one of the names below, filled in from the
# workflow (Python) or its columns (SQL). The chart is "the live chart" unless a scenario is asked.
WORKFLOW, OWNER, CHART = object(), object(), object()
REASONS: dict[str, tuple[object, ...]] = {
    Gap.NO_OWNER: ("The workflow “", WORKFLOW, "” has no owner."),
    Gap.OWNER_INACTIVE: ("The owner of “", WORKFLOW, "”, ", OWNER, ", is inactive."),
    Gap.OWNER_WITHOUT_SEAT: ("The owner of “", WORKFLOW, "”, ", OWNER, ", holds no seat in ", CHART, "."),
    Gap.OWNER_OUTSIDE_MAROPS: ("The owner of “", WORKFLOW, "”, ", OWNER, ", holds no MarOps seat in ", CHART, "."),
}


def chart_label(chart: Chart | None) -> str:
    return "the live chart" if chart is None or chart.is_live else f"“{chart.name}”"


def reason_text(gap: str, *, workflow: str, owner: str, chart: Chart | None = None) -> str:
    values = {WORKFLOW: workflow, OWNER: owner, CHART: chart_label(chart)}
    return "".join(values[part] if not isinstance(part, str) else part for part in REASONS[gap])


def reason_expression(*, workflow: str = "name", owner: str = "owner", chart: Chart | None = None) -> Switch:
    """The same reasons as SQL text, for rows annotated with `accountability_gap` (flag messages)."""
    values: dict[object, F | Value] = {
        WORKFLOW: F(workflow),
        OWNER: F(f"{owner}__name"),
        CHART: Value(chart_label(chart)),
    }

    def text(gap: str) -> Concat:
        parts = [Value(part) if isinstance(part, str) else values[part] for part in REASONS[gap]]
        return Concat(*parts, output_field=CharField())

    return Switch(F("accountability_gap"), {gap: text(gap) for gap in REASONS}, default=Value(""))


@dataclass(frozen=True)
class Accountability:
    """The Test of “The MarOps Org Chart for the AI Era” for one step: exactly one person, or the
    reason there is none."""

    person: Person | None
    reason: str = ""
    gap: str = Gap.NONE

    @property
    def passes(self) -> bool:
        return self.person is not None

    @property
    def gap_label(self) -> str:
        return Gap(self.gap).label


_live_chart = Chart.objects.filter(status=ChartStatus.LIVE)


def _chart_seats(chart: Chart | None) -> QuerySet[Position]:
    if chart is None:
        return Position.objects.filter(chart__status=ChartStatus.LIVE)
    return Position.objects.filter(chart_id=chart.pk)


def owner_gap(owner: Person | None, seat_teams: Iterable[str]) -> str:
    """The definition itself, for an owner whose seats in the chart are in `seat_teams`."""
    if owner is None:
        return Gap.NO_OWNER
    if not owner.is_active:
        return Gap.OWNER_INACTIVE
    teams = set(seat_teams)
    if not teams:
        return Gap.OWNER_WITHOUT_SEAT
    if Team.MAROPS not in teams:
        return Gap.OWNER_OUTSIDE_MAROPS
    return Gap.NONE


def seat_teams_of(person_ids: Iterable[int | None], chart: Chart | None = None) -> dict[int | None, set[str]]:
    """The teams of each person's seats in the chart (the live one by default): one query. No one
    (None) is among the ids it takes, and among the keys, to look up, with no seats."""
    teams: dict[int | None, set[str]] = {}
    ids = {pk for pk in person_ids if pk is not None}
    if ids:
        for person_id, team in _chart_seats(chart).filter(person_id__in=ids).values_list("person_id", "team"):
            teams.setdefault(person_id, set()).add(team)
    return teams


def workflows_accountable(workflows: Sequence[Workflow], chart: Chart | None = None) -> list[Accountability]:
    """For each workflow (with its owner loaded), who is accountable for its steps: one query in all."""
    teams = seat_teams_of((w.owner_id for w in workflows), chart)
    return [_from_gap(w, owner_gap(w.owner, teams.get(w.owner_id, ())), chart) for w in workflows]


def workflow_accountable(workflow: Workflow, chart: Chart | None = None) -> Accountability:
    return workflows_accountable([workflow], chart)[0]


def steps_accountable(steps: Sequence[Step], chart: Chart | None = None) -> list[Accountability]:
    """For each step (with `workflow__owner` loaded), the one accountable person or the reason."""
    return workflows_accountable([step.workflow for step in steps], chart)


def step_accountable(step: Step, chart: Chart | None = None) -> Accountability:
    """ "Exactly one person in MarOps is responsible for understanding why and fixing it": the owner of
    the step's workflow, if active and seated in the (live) chart's MarOps team."""
    return steps_accountable([step], chart)[0]


def with_accountability(rows: Sequence[Step], chart: Chart | None = None) -> list[tuple[Step, Accountability]]:
    """Steps paired with their answers, for the pages that list them. Rows selected with
    `with_gap` (annotated `accountability_gap`) are answered from it, with no query."""
    if rows and all(hasattr(step, "accountability_gap") for step in rows):
        annotated = cast("Sequence[WithAnnotations[Step, GapAnnotated]]", rows)  # as checked just above
        answers = [_from_gap(step.workflow, step.accountability_gap, chart) for step in annotated]
    else:
        answers = steps_accountable(rows, chart)
    return list(zip(rows, answers, strict=True))


def workflows_with_accountability(
    rows: "Sequence[WithAnnotations[Workflow, GapAnnotated]]",
    chart: Chart | None = None,
    name: str = "accountability_gap",
) -> list[tuple[Workflow, Accountability]]:
    """Workflows selected with `with_gap(…, "owner", chart, name)` paired with their answers, with no query."""
    return [(workflow, _from_gap(workflow, getattr(workflow, name), chart)) for workflow in rows]


def _from_gap(workflow: Workflow, gap: str, chart: Chart | None) -> Accountability:
    owner = workflow.owner
    if gap == Gap.NONE:
        return Accountability(owner)
    return Accountability(
        None, reason_text(gap, workflow=workflow.name, owner=owner.name if owner else "", chart=chart), gap
    )


# --- the same definition, for many rows at once -------------------------------------------------


def with_gap(
    queryset: "QuerySet[Any]", owner: str = "owner", chart: Chart | None = None, name: str = "accountability_gap"
) -> "QuerySet[Any]":  # the annotation's name is chosen by the caller: no static row type to give
    """Annotate each row with its `Gap` as `name`: the database form of `owner_gap`, for rows whose
    workflow owner is reached by `owner` ("owner" on workflows, "workflow__owner" on steps).

    A person holds at most one seat per chart (a unique constraint), so the owner's seat in the chart
    (the live one, found once per query, unless `chart` is given) is one LEFT JOIN, not a subquery
    per row: lists and counts over 100,000 workflows stay a hash join."""
    chart_id: Combinable = Value(chart.pk) if chart is not None else Subquery(_live_chart.order_by().values("pk")[:1])
    seat = f"{name}_seat"
    return queryset.annotate(
        **{
            seat: FilteredRelation(f"{owner}__positions", condition=Q(**{f"{owner}__positions__chart_id": chart_id})),
            name: Case(
                When(**{f"{owner}__isnull": True}, then=Value(Gap.NO_OWNER)),
                When(**{f"{owner}__is_active": False}, then=Value(Gap.OWNER_INACTIVE)),
                When(**{f"{seat}__team__isnull": True}, then=Value(Gap.OWNER_WITHOUT_SEAT)),
                When(**{f"{seat}__team": Team.MAROPS}, then=Value(Gap.NONE)),
                default=Value(Gap.OWNER_OUTSIDE_MAROPS),
                output_field=CharField(),
            ),
        }
    )


class GapAnnotated(TypedDict):
    """What `with_gap` adds to the rows it annotates."""

    accountability_gap: str


ACCOUNTABLE = Q(accountability_gap=Gap.NONE)  # on rows annotated with accountability_gap
BUYER_FACING_AI = Q(is_buyer_facing=True) & ~Q(mode=StepMode.HUMAN)  # the steps the Test asks about


def buyer_facing_ai_steps(chart: Chart | None = None) -> "QuerySet[WithAnnotations[Step, GapAnnotated]]":
    """Every buyer-facing AI step of a workflow in use, annotated with its `accountability_gap`."""
    steps = Step.objects.filter(BUYER_FACING_AI).exclude(workflow__status=WorkflowStatus.RETIRED)
    return with_gap(steps, "workflow__owner", chart)


# --- the same definition, as of a past moment -----------------------------------------------------
# docs/design.md: "The answer as of any past moment comes from the recorded history of owners, seats and
# people." Each record django-simple-history keeps says what a row was from its `history_date` until
# the next record; before an object's first record it did not exist (data migrations roles 0005 and
# workflows 0007 gave the rows that predate their history a first record).

NOT_YET = "not-yet"  # the step (or what it hangs on) had no record yet at that moment: it did not exist


@dataclass(frozen=True)
class PastAccountability(Accountability):
    """An answer as of a past moment, which may also be that there was nothing to answer about yet."""

    @property
    def gap_label(self) -> str:
        return "did not exist yet" if self.gap == NOT_YET else super().gap_label


def _in_force(history: Any, at: datetime.datetime) -> Any:
    """The record of `history` (one object's records) in force at `at`: the latest made at or before
    it; None if there was none yet or the latest says the object was deleted. (simple-history builds
    its historical models at run time and has no types: its records are Any here.)"""
    record = history.filter(history_date__lte=at).order_by("-history_date", "-history_id").first()
    return None if record is None or record.history_type == "-" else record


def live_chart_at(at: datetime.datetime) -> int | None:
    """The id of the chart that was the real organisation at `at`. A chart only ever goes scenario →
    live (adoption stamps `adopted_at`) → archived, and former live charts are kept, so the live chart
    then is the live or archived one that became live last before it (created live: when created)."""
    return (
        Chart.objects.filter(status__in=[ChartStatus.LIVE, ChartStatus.ARCHIVED])
        .annotate(live_from=Coalesce("adopted_at", "created_at"))
        .filter(live_from__lte=at)
        .order_by("-live_from", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def seat_teams_at(person_id: int, chart_id: int | None, at: datetime.datetime) -> set[str]:
    """The teams of the seats `person_id` held in the chart at `at`, from the seats' history: one query
    (every record, up to `at`, of the seats they ever held there; the latest of each seat counts)."""
    if chart_id is None:
        return set()
    HistoricalPosition = Position.history.model
    theirs = HistoricalPosition.objects.filter(chart_id=chart_id, person_id=person_id).values("id")
    records = (
        HistoricalPosition.objects.filter(chart_id=chart_id, id__in=theirs, history_date__lte=at)
        .order_by("history_date", "history_id")
        .values_list("id", "person_id", "team", "history_type")
    )
    latest = {seat: (person, team, kind) for seat, person, team, kind in records}
    return {team for person, team, kind in latest.values() if person == person_id and kind != "-"}


def step_accountable_at(step: Step, at: datetime.datetime) -> Accountability:
    """Who was accountable for the step at `at`: the same definition (the owner of its workflow, if
    active and seated in the then live chart's MarOps team), asked of the records in force then.
    Five queries at most: the step's, its workflow's and its owner's records, the chart, the seats."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    step_then = _in_force(step.history, at)
    workflow_then = _in_force(Workflow.history.filter(id=step_then.workflow_id), at) if step_then else None
    if workflow_then is None:
        return PastAccountability(None, f"The step “{step.name}” did not exist yet then.", NOT_YET)
    owner_then: Any = None
    if workflow_then.owner_id is not None:
        owner_then = _in_force(Person.history.filter(id=workflow_then.owner_id), at)
        if owner_then is None:
            return PastAccountability(
                None, f"The owner of “{workflow_then.name}” did not exist yet then (no record of them).", NOT_YET
            )
    teams = seat_teams_at(owner_then.id, live_chart_at(at), at) if owner_then else set()
    gap = owner_gap(owner_then, teams)
    if gap == Gap.NONE:
        return PastAccountability(owner_then.instance)  # the person as they were then
    owner_name = owner_then.name if owner_then else ""
    return PastAccountability(None, reason_text(gap, workflow=workflow_then.name, owner=owner_name), gap)
