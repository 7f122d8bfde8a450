"""Governance publishes every kind of core.events where the change happens, once it commits."""

import pytest
from django.dispatch import receiver

from core.events import KINDS, happened
from governance.leavers import person_leave
from governance.services import (
    agent_pause,
    agent_resume,
    incident_escalate,
    review_reopen,
    review_resolve,
    review_save,
)
from tests.factories import PersonFactory, UserFactory, WorkflowFactory
from tests.notifications.conftest import log_incident
from workflows.scan import ownership_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    @receiver(happened, dispatch_uid="test-heard")
    def listen(sender, kind, payload, **kwargs):
        events.append((kind, payload))

    yield events
    happened.disconnect(dispatch_uid="test-heard")


def test_every_kind_is_published_by_the_change_that_makes_it(org, heard, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        incident = log_incident(org.step, severity="low")
        review = review_save(
            review=incident.review, expected_version=incident.review.version, root_cause="", analysis="",
            accountable_owner=None, owner_change_reason="Tom is away", by=user,
        )  # fmt: skip
        review = review_save(
            review=review, expected_version=review.version, root_cause="data", analysis="Stale",
            accountable_owner=org.tom, by=user,
        )  # fmt: skip
        incident_escalate(incident=incident, severity="high", by=user, reason="Worse")
        review = review_resolve(review=review, expected_version=review.version, by=user)
        review_reopen(review=review, expected_version=review.version, by=user, reason="Again")
        agent_pause(agent=org.step.agent, reason="Misbehaving", by=user)
        agent_resume(agent=org.step.agent, reason="Fixed", by=user)
        WorkflowFactory(owner=None)
        ownership_scan()
        leaver = PersonFactory()
        person_leave(person=leaver, successors={}, by=user, reason="Left the company")
    kinds = [kind for kind, _ in heard]
    assert set(kinds) == set(KINDS)
    payloads = dict(heard)
    assert payloads["incident.logged"]["incident_id"] == incident.pk
    assert payloads["review.accountable"]["accountable_id"] == org.tom.pk
    assert payloads["incident.escalated"] == {"incident_id": incident.pk, "previous": "low", "severity": "high"}
    assert payloads["agent.paused"]["agent_id"] == org.step.agent_id
    assert payloads["person.left"]["person_id"] == leaver.pk


def test_a_rolled_back_change_publishes_nothing(org, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log_incident(org.step)
    assert heard == [] and callbacks  # waits for the commit, which the test never makes


def test_a_flag_opened_and_resolved_by_the_scan_is_published_once(org, heard, django_capture_on_commit_callbacks):
    workflow = WorkflowFactory(name="Webinars", owner=None)
    with django_capture_on_commit_callbacks(execute=True):
        ownership_scan()
        ownership_scan()  # nothing new
    opened = [p for k, p in heard if k == "flag.opened" and p["workflow_id"] == workflow.pk]
    assert [p["flag_kind"] for p in opened] == ["workflow-without-owner"]
    workflow.owner = org.tom
    workflow.save()
    with django_capture_on_commit_callbacks(execute=True):
        ownership_scan()
    assert [p["flag_kind"] for k, p in heard if k == "flag.resolved"] == ["workflow-without-owner"]
