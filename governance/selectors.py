"""Reads for governance pages, each in a fixed number of queries."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from core.ids import is_id
from roles.models import Person

from .choices import ReviewStatus, RootCause, Severity
from .models import CorrectiveAction, DataSource, Incident, KnowledgeAsset


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


def incident_get(pk: int) -> Incident:
    return incident_list().prefetch_related("review__actions__assignee").get(pk=pk)


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
    entries = []
    for record in incident.history.select_related("history_user"):
        if record.history_type == "+":
            named = people.get(record.accountable_when_logged_id) if record.accountable_when_logged_id else None
            what = (
                f"Logged. Accountable: {named}."
                if named
                else f"Logged. Nobody could be named: {record.accountability_reason}"
            )
            entries.append(TimelineEntry(record.history_date, _who(record), what))
    review = incident.review
    records = list(review.history.select_related("history_user").order_by("history_date", "history_id"))
    for older, record in zip([None, *records], records, strict=False):
        if older is None:
            continue
        delta = record.diff_against(older, included_fields=["status", "root_cause", "analysis", "accountable_owner"])
        for change in delta.changes:
            if change.field == "status":
                what = f"Status: {statuses.get(change.old, change.old)} → {statuses.get(change.new, change.new)}"
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
