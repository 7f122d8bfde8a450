"""Reads for governance pages, each in a fixed number of queries."""

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import Aggregate, Case, Count, DurationField, F, Q, QuerySet, Value, When
from django.http import QueryDict
from django.utils import timezone

from core.ids import is_id
from roles.choices import ChartStatus
from roles.models import Departure, Person, Position
from workflows.accountability import Accountability, step_accountable
from workflows.models import Agent, Step, Workflow
from workflows.selectors import agent_accountable, step_for_incident

from .choices import ReviewStatus, RootCause, Severity
from .models import CorrectiveAction, DataSource, Incident, KnowledgeAsset, Review


def incident_list() -> QuerySet[Incident]:
    return Incident.objects.select_related(
        "agent", "step__workflow", "accountable_when_logged", "review__accountable_owner", "reporter"
    ).order_by("-occurred_at", "-pk")  # a fixed order, so pages never repeat or skip an incident


def incident_filter(incidents: QuerySet[Incident], params: QueryDict) -> tuple[QuerySet[Incident], list[str]]:
    """The incident log's filters (what the dashboard's bars link to), and a phrase for each one used.
    A value that is not one of the choices is ignored rather than refused: these come from links."""
    said = []
    if (days := params.get("days", "")) and is_id(days) and 0 < int(days) <= 3660:
        incidents = incidents.filter(occurred_at__gte=timezone.now() - datetime.timedelta(days=int(days)))
        said.append(f"the last {int(days)} days")
    if (severity := params.get("severity")) in Severity.values:
        incidents = incidents.filter(severity=severity)
        said.append(f"{Severity(severity).label.lower()} severity")
    cause = params.get("cause")
    if cause == "none":
        incidents = incidents.filter(review__root_cause="")
        said.append("root cause not yet known")
    elif cause in RootCause.values:
        incidents = incidents.filter(review__root_cause=cause)
        said.append(f"root cause: {RootCause(cause).label}")
    owner = params.get("owner", "")
    if owner == "none":
        incidents = incidents.filter(review__accountable_owner__isnull=True)
        said.append("nobody named accountable")
    elif is_id(owner):
        person = Person.objects.filter(pk=owner).first()
        incidents = incidents.filter(review__accountable_owner_id=int(owner))
        said.append(f"accountable: {person.name if person else 'nobody by that id'}")
    return incidents, said


OWNERS_SHOWN = 10  # bars in "incidents by accountable owner"; the rest share one bar
NOBODY = "Nobody named"


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


class IncidentFigures(NamedTuple):
    counts: dict[str, int]  # total, resolved, overdue and one per severity
    by_root_cause: list[Bar]
    by_owner: list[Bar]
    median_resolve: datetime.timedelta | None


def incident_figures(since: datetime.datetime) -> IncidentFigures:
    """The incidents since `since`, for the dashboard: the counts and the median time to resolve in one
    query, the bars by root cause and by accountable owner from one grouped query."""
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
    median = cast(datetime.timedelta | None, incidents.pop("median", None))
    if not postgres:  # SQLite on a first run: small data, so Python can take the median
        durations = [
            resolved_at - created
            for created, resolved_at in in_period.filter(resolved).values_list("occurred_at", "review__resolved_at")
            if resolved_at is not None  # always: the database refuses a resolved review without it
        ]
        # Timedeltas sort and halve, which is all median() does with them; typeshed asks for numbers.
        median = statistics.median(durations) if durations else None  # type: ignore[type-var]
    counts = cast(dict[str, int], incidents)  # aggregate() is typed dict[str, Any]; these are the counts
    return IncidentFigures(counts, _by_count(by_cause.values()), _top_owners(_by_count(by_owner.values())), median)


def _by_count(bars: Iterable[Bar]) -> list[Bar]:
    return sorted(bars, key=lambda bar: (-bar.n, bar.label))


def _top_owners(bars: list[Bar]) -> list[Bar]:
    """The owners with the most incidents, "Nobody named" always among them, the rest as one bar."""
    nobody = [bar for bar in bars if bar.filter["owner"] == "none"]
    named = [bar for bar in bars if bar.filter["owner"] != "none"]
    if len(named) <= OWNERS_SHOWN + 1:  # one more owner takes a bar of their own, not "1 other owners"
        return bars
    shown, rest = named[:OWNERS_SHOWN], named[OWNERS_SHOWN:]
    others = Bar(f"{len(rest)} other owners", sum(bar.n for bar in rest), {})
    return sorted(nobody + shown, key=lambda bar: -bar.n) + [others]


def incident_get(pk: int) -> Incident:
    return incident_list().prefetch_related("review__actions__assignee").get(pk=pk)


def incident_only_step(agent_id: object) -> int | None:
    """The id of the agent's step when it acts in exactly one (the incident form pre-selects it)."""
    if not is_id(agent_id):
        return None
    steps = list(Step.objects.filter(agent_id=agent_id).values_list("pk", flat=True)[:2])
    return steps[0] if len(steps) == 1 else None


def incident_accountable_preview(*, agent_id: object, step_id: object) -> Accountability | None:
    """Who logging an incident against this agent and step would name, before it is saved: the answer
    `incident_create` records (the step's, or the agent's single owner when the step is not known).
    None until an agent is chosen."""
    step = step_for_incident(int(step_id)) if is_id(step_id) else None
    if step is not None and (not is_id(agent_id) or step.agent_id == int(agent_id)):
        return step_accountable(step)
    agent = Agent.objects.filter(pk=agent_id).first() if is_id(agent_id) else None
    return agent_accountable(agent) if agent is not None else None


def data_source_list() -> QuerySet[DataSource]:
    return DataSource.objects.select_related("steward").annotate(
        agent_count=Count("agents"),
        active_reader_count=Count("agents", filter=Q(agents__status="active")),
    )


def knowledge_asset_list() -> QuerySet[KnowledgeAsset]:
    return KnowledgeAsset.objects.select_related("owner").prefetch_related("agents", "audits")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    who: str
    what: str


# simple-history builds its historical models at run time and has no types: its records are Any here.


def _who(record: Any) -> str:
    user = record.history_user
    return (user.get_full_name() or user.get_username()) if user else "system"


def incident_timeline(incident: Incident) -> list[TimelineEntry]:
    """Every change to the incident, its review and its actions: what, who and when (oldest first)."""
    people = dict(Person.objects.values_list("id", "name"))
    causes = dict(RootCause.choices)
    statuses = dict(ReviewStatus.choices)
    severities = dict(Severity.choices)
    entries = []
    severity = None
    for record in incident.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.history_type == "+":
            named = people.get(record.accountable_when_logged_id) if record.accountable_when_logged_id else None
            what = (
                f"Logged. Accountable: {named}."
                if named
                else f"Logged. Nobody could be named: {record.accountability_reason}"
            )
            entries.append(TimelineEntry(record.history_date, _who(record), what))
        elif severity is not None and record.severity != severity:  # raised (incident_escalate)
            what = (
                f"Severity: {severities.get(severity, severity)} → {severities.get(record.severity, record.severity)}"
            )
            if record.history_change_reason:
                what += f" (why: {record.history_change_reason})"
            entries.append(TimelineEntry(record.history_date, _who(record), what))
        severity = record.severity
    review = incident.review
    records = list(review.history.select_related("history_user").order_by("history_date", "history_id"))
    for older, record in zip([None, *records], records, strict=False):
        if older is None:
            continue
        delta = record.diff_against(older, included_fields=["status", "root_cause", "analysis", "accountable_owner"])
        for change in delta.changes:
            if change.field == "status":
                what = f"Status: {statuses.get(change.old, change.old)} → {statuses.get(change.new, change.new)}"
                if record.history_change_reason and "accountable_owner" not in delta.changed_fields:
                    what += f" ({record.history_change_reason})"  # a reopening says why ("Reopened: …")
            elif change.field == "root_cause":
                what = f"Root cause: {causes.get(change.new, 'not known')}"
            elif change.field == "accountable_owner":
                what = f"Accountable: {people.get(change.old, 'nobody')} → {people.get(change.new, 'nobody')}"
                if record.history_change_reason:
                    what += f" (why: {record.history_change_reason})"
            else:
                what = "Analysis updated"
            entries.append(TimelineEntry(record.history_date, _who(record), what))
    action_records = CorrectiveAction.history.filter(review_id=review.pk).select_related("history_user")
    action_records = list(action_records.order_by("history_date", "history_id"))
    seen: dict[int, Any] = {}
    for record in action_records:
        before = seen.get(record.id)
        if record.history_type == "+":
            what = (
                f"Action added: {record.description} ({people.get(record.assignee_id, '?')}, due {record.due_on:%d %b})"
            )
        elif before is not None and before.is_done != record.is_done:
            what = f"Action {'done' if record.is_done else 'reopened'}: {record.description}"
        else:
            what = ""
        if what:
            entries.append(TimelineEntry(record.history_date, _who(record), what))
        seen[record.id] = record
    return sorted(entries, key=lambda e: e.at)


@dataclass(frozen=True)
class PersonHoldings:
    """Everything a person holds that someone must hold after them, and their record (person page)."""

    person: Person
    seats: list[Position]  # in every chart, the live one first
    workflows: list[Workflow]  # owned, not deleted
    reviews: list[Review]  # where they are accountable, open ones first
    actions: list[CorrectiveAction]  # assigned to them, not done
    assets: list[KnowledgeAsset]
    sources: list[DataSource]
    departures: list[Departure]

    @property
    def open_reviews(self) -> list[Review]:
        return [review for review in self.reviews if not review.is_resolved]

    @property
    def live_seats(self) -> list[Position]:
        return [seat for seat in self.seats if seat.chart.is_live]

    @property
    def held_count(self) -> int:
        """What still needs a holder: nonzero for an inactive person is an open finding."""
        return (
            len(self.workflows)
            + len(self.open_reviews)
            + len(self.actions)
            + len(self.assets)
            + len(self.sources)
            + len(self.live_seats)
        )


def person_holdings(person: Person) -> PersonHoldings:
    """A person's seats, workflows, reviews, open actions, assets, data sources and departures: seven
    queries whatever they hold."""
    seats = (
        Position.objects.filter(person=person)
        .select_related("chart", "reports_to__person")
        .order_by(Case(When(chart__status=ChartStatus.LIVE, then=Value(0)), default=Value(1)), "chart__name")
    )
    return PersonHoldings(
        person=person,
        seats=list(seats),
        workflows=list(Workflow.objects.filter(owner=person, archived_at__isnull=True).order_by("name")),
        reviews=list(
            Review.objects.filter(accountable_owner=person)
            .select_related("incident")
            .order_by(Case(When(status=ReviewStatus.RESOLVED, then=Value(1)), default=Value(0)), "due_on", "pk")
        ),
        actions=list(
            CorrectiveAction.objects.filter(assignee=person, is_done=False).select_related("review__incident")
        ),
        assets=list(KnowledgeAsset.objects.filter(owner=person)),
        sources=list(DataSource.objects.filter(steward=person)),
        departures=list(Departure.objects.filter(person=person).select_related("recorded_by")),
    )


def inactive_holders() -> list[tuple[Person, int]]:
    """People who are inactive (deactivated in the admin, by an import…) yet still hold reviews,
    actions, knowledge assets or data sources: each needs a new holder (workflows they own are flagged
    by the ownership scan as `owner-inactive`). One query."""
    open_reviews = Q(accountable_reviews__status__in=[s for s in ReviewStatus.values if s != ReviewStatus.RESOLVED])
    people = (
        Person.objects.filter(is_active=False, is_planned=False)
        .annotate(
            held=Count("accountable_reviews", filter=open_reviews, distinct=True)
            + Count("corrective_actions", filter=Q(corrective_actions__is_done=False), distinct=True)
            + Count("knowledge_assets", distinct=True)
            + Count("stewarded_sources", distinct=True)
        )
        .filter(held__gt=0)
        .order_by("name")
    )
    return [(person, person.held) for person in people]
