import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.services import incident_create, review_due_on
from tests.factories import AgentFactory, PersonFactory, StepFactory, UserFactory, WorkflowFactory, marops_person

pytestmark = pytest.mark.django_db


def log(step=None, agent=None, severity="high"):
    return incident_create(
        reporter=UserFactory(),
        agent=agent or step.agent,
        step=step,
        summary="Wrong price quoted",
        description="Quoted a retired tier.",
        severity=severity,
        occurred_at=timezone.now(),
    )


def test_logging_an_incident_names_the_workflow_owner_and_proposes_them_for_the_review():
    owner = marops_person(name="Tom Nguyen")
    incident = log(step=StepFactory(workflow=WorkflowFactory(owner=owner)))
    assert incident.accountable_when_logged == owner
    assert incident.accountability_reason == ""
    assert incident.review.accountable_owner == owner == incident.accountable
    assert incident.review.status == "open"


def test_an_owner_outside_marops_is_not_named_and_the_incident_says_why():
    outsider = PersonFactory(name="Tom Nguyen")
    incident = log(step=StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=outsider)))
    assert incident.accountable is None and incident.accountable_when_logged is None
    assert incident.accountable_reason == "The owner of “Lead routing”, Tom Nguyen, holds no seat in the live chart."


def test_logging_against_an_unowned_workflow_says_plainly_why_nobody_is_named():
    incident = log(step=StepFactory(workflow=WorkflowFactory(name="Event follow-up", owner=None)))
    assert incident.accountable_when_logged is None
    assert incident.accountability_reason == "The workflow “Event follow-up” has no owner."


def test_a_step_the_agent_does_not_act_in_is_refused():
    with pytest.raises(ValidationError, match="does not act in the step"):
        log(step=StepFactory(), agent=AgentFactory())


@pytest.mark.parametrize(
    ("severity", "logged_on", "due_on"),
    [
        ("critical", datetime.date(2026, 11, 20), datetime.date(2026, 11, 23)),  # Fri + 3 days
        ("high", datetime.date(2026, 11, 20), datetime.date(2026, 11, 27)),  # Fri + 5 business days
        ("medium", datetime.date(2026, 11, 20), datetime.date(2026, 11, 30)),
        ("low", datetime.date(2026, 11, 20), datetime.date(2026, 11, 30)),
    ],
)
def test_review_deadlines_follow_severity(severity, logged_on, due_on):
    assert review_due_on(severity=severity, logged_on=logged_on) == due_on
