"""Writes for governance: incidents and their reviews."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workflows.models import Agent, Step
from workflows.selectors import agent_accountable, step_accountable

from .choices import Severity
from .models import Incident, Review

REVIEW_DAYS = {Severity.CRITICAL: 3, Severity.HIGH: 5}  # high counts business days
DEFAULT_REVIEW_DAYS = 10


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


@transaction.atomic
def incident_create(
    *,
    reporter,
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
    """Log an incident and name who the article's test says is accountable, or why nobody can be."""
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
        accountable_person=accountability.person,
        accountability_reason=accountability.reason,
    )
    incident.full_clean()
    incident.save()
    Review.objects.create(
        incident=incident,
        accountable_owner=accountability.person,
        due_on=review_due_on(severity=severity, logged_on=timezone.localdate()),
    )
    return incident
