"""Writes for governance: incidents and their reviews."""

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from core.events import publish
from core.validators import EARLIEST_YEAR, text_errors
from roles.models import Person
from roles.selectors import head_of_marops
from workflows.accountability import step_accountable
from workflows.choices import AgentStatus, FlagKind, WorkflowStatus
from workflows.models import Agent, OwnershipFlag, Step
from workflows.scan import ownership_refresh
from workflows.selectors import agent_accountable

from .choices import KillSwitchAction, ReviewStatus, Severity
from .models import (
    CorrectiveAction,
    DataSource,
    Incident,
    KillSwitchEvent,
    KnowledgeAsset,
    OutputAudit,
    PolicyDecision,
    Review,
)

EARLIEST_INCIDENT_YEAR = EARLIEST_YEAR  # an AI agent's incident cannot be older; earlier dates are typing slips
REASON_LENGTH = 100  # django-simple-history's history_change_reason column
DEFAULT_REVIEW_DAYS = 10  # critical: 3 days, high: 5 business days (review_due_on)


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def review_due_on(*, severity: str, logged_on: datetime.date) -> datetime.date:
    """Critical: 3 days; high: 5 business days; others: 10 days."""
    if severity == Severity.CRITICAL:
        return logged_on + datetime.timedelta(days=3)
    if severity == Severity.HIGH:
        return add_business_days(logged_on, 5)
    return logged_on + datetime.timedelta(days=DEFAULT_REVIEW_DAYS)


def incident_create(
    *,
    reporter: User,
    agent: Agent,
    summary: str,
    description: str,
    severity: str,
    occurred_at: datetime.datetime,
    step: Step | None = None,
    is_buyer_facing: bool = True,
    harm_category: str = "other",
    affected: str = "",
) -> Incident:
    """Log an incident and name who the Test (of “The MarOps Org Chart for the AI Era”) says is
    accountable, or why nobody can be.
    The page and the API both come here, so the checks on what it says and when it happened exist once."""
    if errors := text_errors({"summary": summary, "affected": affected}, {"description": description}):
        raise ValidationError(errors)
    if timezone.is_naive(occurred_at):  # without an offset: in the server's time zone
        occurred_at = timezone.make_aware(occurred_at)
    # Compared before any conversion: the calendar's edges (year 9999 west of Greenwich, year 1 east
    # of it) cannot be moved to UTC, and both are refused here.
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "That is in the future."})
    if occurred_at.year < EARLIEST_INCIDENT_YEAR:
        raise ValidationError({"occurred_at": f"That is before {EARLIEST_INCIDENT_YEAR}."})
    occurred_at = occurred_at.astimezone(datetime.UTC)  # as stored, and as the API answers it
    if step is not None and step.agent_id != agent.pk:
        raise ValidationError({"step": f"{agent.name} does not act in the step “{step.name}”."})
    accountability = step_accountable(step) if step is not None else agent_accountable(agent)
    incident = Incident(
        reporter=reporter,
        agent=agent,
        step=step,
        summary=summary,
        description=description,
        severity=severity,
        occurred_at=occurred_at,
        is_buyer_facing=is_buyer_facing,
        harm_category=harm_category,
        affected=affected,
        accountable_when_logged=accountability.person,
        accountability_reason=accountability.reason,
    )
    # The related objects are in hand and the choices are checked field by field, so skip the
    # per-field existence queries and the re-check of the choice constraints the database enforces.
    incident.full_clean(exclude=["agent", "step", "reporter", "accountable_when_logged"], validate_constraints=False)
    # Everything is checked: the writes need no savepoint of their own (a failure fails the whole request).
    with transaction.atomic(savepoint=False):
        incident.save()
        Review.objects.create(
            incident=incident,
            accountable_owner=accountability.person,
            due_on=review_due_on(severity=severity, logged_on=timezone.localdate()),
        )
        if accountability.person is None:
            _open_incident_flag(incident)
    publish(
        "incident.logged",
        incident_id=incident.pk,
        agent_id=agent.pk,
        step_id=getattr(step, "pk", None),
        severity=severity,
        accountable_id=getattr(accountability.person, "pk", None),
    )
    return incident


def _incident_flag_key(incident: Incident) -> str:
    return f"incident:{incident.pk}"


def _open_incident_flag(incident: Incident, reason: str = "", *, is_new: bool = True) -> None:
    """The Test (of “The MarOps Org Chart for the AI Era”) failed for this incident: an ownership flag
    says so until a review names one owner. `is_new`: the caller knows no flag was open (it says so)."""
    if is_new:
        publish(
            "flag.opened", flag_kind=FlagKind.INCIDENT_WITHOUT_OWNER.value, subject_key=_incident_flag_key(incident)
        )
    OwnershipFlag.objects.bulk_create(
        [
            OwnershipFlag(
                kind=FlagKind.INCIDENT_WITHOUT_OWNER,
                subject_key=_incident_flag_key(incident),
                agent_id=incident.agent_id,
                step_id=incident.step_id,
                workflow_id=incident.step.workflow_id if incident.step is not None else None,
                message=f"Nobody is accountable for the incident “{incident.summary}”: "
                f"{reason or incident.accountability_reason}",
            )
        ],
        ignore_conflicts=True,
    )


class ReviewConflict(Exception):
    """Someone else saved the review first (not a ValidationError: the input was fine)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.messages = [message]


def _guarded_update(
    review: Review, expected_version: int, *, by: User | None, change_reason: str = "", **fields: object
) -> Review:
    """Save `fields` only if nobody saved the review since `expected_version` was read; the history
    records `by` (the page's user or the API token's) and the reason."""
    updated = Review.objects.filter(pk=review.pk, version=expected_version).update(version=F("version") + 1, **fields)
    if not updated:
        current = Review.objects.select_related("resolved_by").get(pk=review.pk)
        who = f" ({current.get_status_display().lower()})" if current.status == ReviewStatus.RESOLVED else ""
        raise ReviewConflict(
            f"Someone else changed this review while you were editing it{who}. "
            "Nothing you entered was lost: it is still in the form; reload the review to see their changes."
        )
    review.refresh_from_db()
    # Our UPDATE holds the row until commit, so this save cannot overwrite anyone; it is here so that
    # django-simple-history records the change, with its user and reason, for the incident's timeline.
    review._change_reason = change_reason or None  # type: ignore[attr-defined]  # simple-history reads it on save
    if by is not None:
        review._history_user = by  # type: ignore[attr-defined]  # simple-history prefers it to the request's user
    review.save()
    return review


@transaction.atomic
def review_save(
    *,
    review: Review,
    expected_version: int,
    root_cause: str,
    analysis: str,
    accountable_owner: Person | None,
    owner_change_reason: str = "",
    by: User,
) -> Review:
    """Record the analysis and the one accountable owner. The incident has exactly one accountable
    person at every moment: named from its step when logged, changed only here, and a change of a
    named person needs its reason, which the incident's timeline keeps with who made it."""
    if errors := text_errors({"owner_change_reason": owner_change_reason}, {"analysis": analysis}):
        raise ValidationError(errors)
    if review.status == ReviewStatus.RESOLVED:
        raise ValidationError("This review is resolved; it can no longer be changed.")
    if accountable_owner is not None and not accountable_owner.is_active:
        raise ValidationError({"accountable_owner": f"{accountable_owner.name} is inactive."})
    owner_change_reason = owner_change_reason.strip()
    if len(owner_change_reason) > REASON_LENGTH:
        raise ValidationError({"owner_change_reason": f"Keep the reason within {REASON_LENGTH} characters."})
    changes_owner = getattr(accountable_owner, "pk", None) != review.accountable_owner_id
    if changes_owner and not owner_change_reason and review.accountable_owner is not None:
        raise ValidationError(
            {
                "owner_change_reason": f"Say why {review.accountable_owner.name} is no longer accountable: "
                "the incident's timeline keeps the reason."
            }
        )
    status = ReviewStatus.IN_REVIEW if (root_cause or analysis or accountable_owner) else review.status
    previous_owner_id = review.accountable_owner_id
    review = _guarded_update(
        review,
        expected_version,
        by=by,
        change_reason=owner_change_reason if changes_owner else "",
        root_cause=root_cause,
        analysis=analysis,
        accountable_owner=accountable_owner,
        status=status,
    )
    incident_flag_sync(review, owner_changed=changes_owner)
    if changes_owner:
        ids = {"incident_id": review.incident_id, "review_id": review.pk, "version": review.version}
        publish(
            "incident.accountable_changed",
            **ids,
            previous_id=previous_owner_id,
            accountable_id=review.accountable_owner_id,
            reason=owner_change_reason,
        )
        if accountable_owner is not None:
            publish("review.accountable", **ids, accountable_id=accountable_owner.pk)
    return review


def incident_flag_sync(review: Review, *, owner_changed: bool = False) -> None:
    """An incident's ownership flag is open exactly while its review names nobody accountable (the Test
    of “The MarOps Org Chart for the AI Era” fails for it until someone is named)."""
    if review.accountable_owner_id is not None:
        _close_incident_flag(review.incident)
    else:
        _open_incident_flag(review.incident, reason="the review names nobody accountable.", is_new=owner_changed)


@transaction.atomic
def review_resolve(*, review: Review, expected_version: int, by: User) -> Review:
    """Resolve the review. It needs exactly one accountable owner (the database refuses it too)
    and a root cause."""
    if review.status == ReviewStatus.RESOLVED:
        raise ValidationError("This review is already resolved.")
    errors = {}
    if review.accountable_owner is not None and not review.accountable_owner.is_active:
        errors["accountable_owner"] = f"{review.accountable_owner.name} is inactive and cannot be accountable."
    if review.accountable_owner_id is None:
        errors["accountable_owner"] = "A review cannot be resolved without exactly one accountable owner."
    if not review.root_cause:
        errors["root_cause"] = "Name the root cause before resolving."
    if errors:
        raise ValidationError(errors)
    review = _guarded_update(
        review, expected_version, by=by, status=ReviewStatus.RESOLVED, resolved_at=timezone.now(), resolved_by=by
    )
    _close_incident_flag(review.incident)
    publish(
        "review.resolved",
        incident_id=review.incident_id,
        review_id=review.pk,
        accountable_id=review.accountable_owner_id,
        root_cause=review.root_cause,
    )
    return review


@transaction.atomic
def review_submit(
    *,
    review: Review,
    expected_version: int,
    root_cause: str,
    analysis: str,
    accountable_owner: Person | None,
    owner_change_reason: str = "",
    resolve: bool = False,
    by: User,
) -> Review:
    """The review form's one step, from the page or the API: save what the reviewer sees and, when
    asked, resolve exactly that (all or nothing)."""
    review = review_save(
        review=review,
        expected_version=expected_version,
        root_cause=root_cause,
        analysis=analysis,
        accountable_owner=accountable_owner,
        owner_change_reason=owner_change_reason,
        by=by,
    )
    if resolve:
        review = review_resolve(review=review, expected_version=review.version, by=by)
    return review


def _close_incident_flag(incident: Incident) -> None:
    key = _incident_flag_key(incident)
    if OwnershipFlag.objects.filter(
        kind=FlagKind.INCIDENT_WITHOUT_OWNER, subject_key=key, resolved_at__isnull=True
    ).update(resolved_at=timezone.now()):
        publish("flag.resolved", flag_kind=FlagKind.INCIDENT_WITHOUT_OWNER.value, subject_key=key)


SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


@transaction.atomic
def incident_escalate(*, incident: Incident, severity: str, by: User, reason: str) -> Incident:
    """Raise an incident's severity (never lower it here): its review's deadline moves earlier if the new
    severity's is (counted from the day it was logged), the timeline keeps who and why, and the
    accountable person is told."""
    incident = Incident.objects.select_for_update(of=("self",)).select_related("review").get(pk=incident.pk)
    if severity not in SEVERITY_ORDER:
        raise ValidationError({"severity": f"Choose one of: {', '.join(SEVERITY_ORDER)}."})
    if SEVERITY_ORDER.index(Severity(severity)) <= SEVERITY_ORDER.index(Severity(incident.severity)):
        raise ValidationError({"severity": f"The incident is already {incident.get_severity_display().lower()}."})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the incident is more severe: the timeline keeps it."})
    previous = incident.severity
    incident.severity = severity
    incident._change_reason = reason.strip()[:REASON_LENGTH]  # type: ignore[attr-defined]  # simple-history reads it
    incident._history_user = by  # type: ignore[attr-defined]  # simple-history prefers it to the request's user
    incident.save(update_fields=["severity"])
    review = incident.review
    due_on = review_due_on(severity=severity, logged_on=timezone.localdate(incident.created_at))
    if not review.is_resolved and due_on < review.due_on:
        Review.objects.filter(pk=review.pk).update(due_on=due_on)
    publish("incident.escalated", incident_id=incident.pk, previous=previous, severity=severity)
    return incident


@transaction.atomic
def review_reopen(*, review: Review, expected_version: int, by: User, reason: str) -> Review:
    """Reopen a resolved review (the fix did not hold): it is in review again, with a new deadline from
    today, and the accountable person is told. The timeline keeps who and why."""
    if review.status != ReviewStatus.RESOLVED:
        raise ValidationError("This review is not resolved.")
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the incident is reopened: the timeline keeps it."})
    review = _guarded_update(
        review,
        expected_version,
        by=by,
        change_reason=f"Reopened: {reason.strip()}"[:REASON_LENGTH],
        status=ReviewStatus.IN_REVIEW,
        resolved_at=None,
        resolved_by=None,
        due_on=review_due_on(severity=review.incident.severity, logged_on=timezone.localdate()),
    )
    publish("incident.reopened", incident_id=review.incident_id, review_id=review.pk, version=review.version)
    return review


@transaction.atomic
def corrective_action_add(
    *, review: Review, description: str, assignee: Person, due_on: datetime.date
) -> CorrectiveAction:
    if not review.accepts_actions:
        raise ValidationError("This review is resolved; add follow-up actions to a new incident.")
    if not description.strip():
        raise ValidationError({"description": "Describe the action."})
    return CorrectiveAction.objects.create(
        review=review, description=description.strip(), assignee=assignee, due_on=due_on
    )


@transaction.atomic
def corrective_action_set_done(*, action: CorrectiveAction, done: bool, by: User) -> CorrectiveAction:
    """Tick a corrective action off (or reopen it), before or after the review is resolved: the work
    often finishes after the incident is closed. The incident's timeline records who, when and which
    way; setting the state it already has records nothing (a second click of a stale page)."""
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if action.is_done == done:
        return action
    action.is_done = done
    action._history_user = by  # type: ignore[attr-defined]  # simple-history prefers it to the request's user
    action.save(update_fields=["is_done"])
    return action


@transaction.atomic
def corrective_action_assign(*, action: CorrectiveAction, assignee: Person, by: User, reason: str) -> CorrectiveAction:
    """Give an open corrective action to someone else (its assignee left, or is overloaded); the
    incident's timeline keeps who did it and why."""
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if not assignee.is_active or assignee.is_planned:
        raise ValidationError({"assignee": f"{assignee.name} is not an active member of the organisation."})
    if errors := text_errors({"reason": reason}):
        raise ValidationError(errors)
    action.assignee = assignee
    action._change_reason = reason.strip()[:REASON_LENGTH] or None  # type: ignore[attr-defined]  # simple-history reads it
    action._history_user = by  # type: ignore[attr-defined]  # simple-history prefers it to the request's user
    action.save(update_fields=["assignee"])
    return action


@transaction.atomic
def policy_decide(*, agent: Agent, allowed_mode: str, rationale: str, by: User) -> PolicyDecision:
    """The AI governance call: "Makes the AI governance call when there is one to make" is the Head
    of Marketing Operations' job, so only the person holding that role in the live chart may."""
    if Agent.objects.select_for_update().get(pk=agent.pk).is_retired:  # locked: not retired meanwhile
        raise ValidationError(f"{agent.name} is retired: it acts nowhere, so there is no call to make.")
    head = head_of_marops()
    person = getattr(by, "person", None)
    if head is None:
        raise ValidationError(
            "Nobody holds the Head of Marketing Operations role in the live chart, so nobody may "
            "make the AI governance call. Fill the role first."
        )
    if person is None or person.pk != head.pk:
        who = person.name if person else "your login is linked to no person"
        raise ValidationError(
            f"Only the Head of Marketing Operations ({head.name}) may make the AI governance call ({who})."
        )
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the rationale for the call."})
    decision = PolicyDecision.objects.create(
        agent=agent,
        allowed_mode=allowed_mode,
        rationale=rationale.strip(),
        decided_by=head,
        decided_on=timezone.localdate(),
    )
    Agent.objects.filter(pk=agent.pk).update(allowed_mode=allowed_mode)
    agent.allowed_mode = allowed_mode
    return decision


def _agent_switch(
    *, agent: Agent, by: User, reason: str, refusal: Callable[[Agent], str | None], why: str, to: str, action: str
) -> KillSwitchEvent:
    """The kill switch's one shape: lock the agent, refuse if `refusal(agent)` says why, require a
    reason, then change its status and record who, when and why."""
    if errors := text_errors({}, {"reason": reason}):
        raise ValidationError(errors)
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if message := refusal(agent):
        raise ValidationError(message)
    if not reason.strip():
        raise ValidationError({"reason": why})
    Agent.objects.filter(pk=agent.pk).update(status=to)
    ownership_refresh(agent_ids=[agent.pk])
    event = KillSwitchEvent.objects.create(agent=agent, action=action, by=by, reason=reason.strip())
    if action in SWITCH_EVENTS:
        publish(SWITCH_EVENTS[action], agent_id=agent.pk, event_id=event.pk, reason=event.reason)
    return event


# What the kill switch tells the subscribers (retiring is a Leader's housekeeping, not an event).
SWITCH_EVENTS: dict[str, str] = {KillSwitchAction.PAUSE: "agent.paused", KillSwitchAction.RESUME: "agent.resumed"}


@transaction.atomic
def agent_pause(*, agent: Agent, reason: str, by: User) -> KillSwitchEvent:
    """Pull the plug: the agent stops, and who, when and why are recorded."""
    return _agent_switch(
        agent=agent,
        by=by,
        reason=reason,
        refusal=lambda a: (
            None if a.status == AgentStatus.ACTIVE else f"{a.name} is {a.get_status_display().lower()}, not active."
        ),
        why="Say why you are pausing the agent.",
        to=AgentStatus.PAUSED,
        action=KillSwitchAction.PAUSE,
    )


@transaction.atomic
def agent_resume(*, agent: Agent, reason: str, by: User) -> KillSwitchEvent:
    """Resuming is a Leader's decision (the view checks workflows.resume_agent); it is recorded too."""
    return _agent_switch(
        agent=agent,
        by=by,
        reason=reason,
        refusal=lambda a: None if a.status == AgentStatus.PAUSED else f"{a.name} is not paused.",
        why="Say why the agent may run again.",
        to=AgentStatus.ACTIVE,
        action=KillSwitchAction.RESUME,
    )


STEPS_NAMED = 3  # steps named when refusing to retire an agent that still acts in some


def _retire_refusal(agent: Agent) -> str | None:
    if agent.status == AgentStatus.RETIRED:
        return f"{agent.name} is already retired."
    steps = list(
        agent.steps.exclude(workflow__status=WorkflowStatus.RETIRED)
        .select_related("workflow")
        .order_by("workflow__name", "order")[: STEPS_NAMED + 1]
    )
    if not steps:
        return None
    named = "; ".join(f"“{s.workflow.name}” step {s.order}" for s in steps[:STEPS_NAMED])
    more = " and more" if len(steps) > STEPS_NAMED else ""
    return f"{agent.name} still acts in {named}{more}. Give those steps another agent, or make them human, first."


@transaction.atomic
def agent_retire(*, agent: Agent, reason: str, by: User) -> KillSwitchEvent:
    """Retire an agent for good (a Leader's decision, recorded like the kill switch). Only an agent that
    acts in no step of a workflow in use: its steps need another agent, or a human, first. Its incidents
    and history stay; the ownership scan stops flagging it."""
    event = _agent_switch(
        agent=agent,
        by=by,
        reason=reason,
        refusal=_retire_refusal,
        why="Say why the agent is retired.",
        to=AgentStatus.RETIRED,
        action=KillSwitchAction.RETIRE,
    )
    return event  # its "acts in no workflow" flag closed with the switch's flag refresh


# --- the registers: data sources, knowledge assets and their output audits -------------------------


Entry = TypeVar("Entry", bound=models.Model)


def _register_entry_save(instance: Entry, data: dict[str, Any], m2m: tuple[str, ...] = ("agents",)) -> Entry:
    """Save a register entry from its form's cleaned data, its many-to-many links included."""
    for name, value in data.items():
        if name not in m2m:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name in m2m:
        if name in data:
            getattr(instance, name).set(data[name])
    return instance


@transaction.atomic
def data_source_save(*, source: DataSource | None, data: dict[str, Any]) -> DataSource:
    """Add a data source to the Data Steward's register, or change one."""
    return _register_entry_save(source or DataSource(), data)


@transaction.atomic
def knowledge_asset_save(*, asset: KnowledgeAsset | None, data: dict[str, Any]) -> KnowledgeAsset:
    """Add a prompt, knowledge base or instruction to the designer's register, or change one."""
    return _register_entry_save(asset or KnowledgeAsset(), data)


@transaction.atomic
def output_audit_create(*, asset: KnowledgeAsset, data: dict[str, Any]) -> OutputAudit:
    """Record an audit of an asset's outputs (accuracy and brand consistency on a sample)."""
    return _register_entry_save(OutputAudit(asset=asset), data, m2m=())
