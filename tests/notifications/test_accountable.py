"""The accountable person is told at once, by e-mail, with a link, what is expected and by when; when
nobody can be named, the Head of MarOps is told instead, with the reason."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.services import incident_escalate, review_reopen, review_resolve, review_save
from notifications.models import Notification
from notifications.services import logged_unannounced
from notifications.tasks import notify_event
from tests.factories import PersonFactory, StepFactory, UserFactory, WorkflowFactory
from tests.notifications.conftest import log_incident, sent_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (core.events), as production does once the request commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_logging_an_incident_tells_the_accountable_person_at_once_with_link_and_deadline(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step, severity="critical"))
    [message] = mail.outbox
    assert message.to == ["tom@example.com"]
    assert message.subject == "You are accountable: Wrong price quoted"
    link = f"http://127.0.0.1:8000/governance/incidents/{incident.pk}/"
    due = incident.review.due_on.strftime("%A %-d %B %Y")
    assert link in message.body and f"by {due}" in message.body and "resolve the review" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and f'href="{link}"' in html and due in html
    assert "cannot be switched off" in message.body and "List-Unsubscribe" not in message.extra_headers
    row = Notification.objects.get()
    assert (row.recipient, row.kind, row.subject_key, row.stage) == (
        org.tom,
        "accountable",
        f"incident:{incident.pk}",
        "logged",
    )
    assert row.sent_at is not None and row.attempts == 1


def test_the_same_event_handled_twice_sends_one_e_mail(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step))
    notify_event.delay("incident.logged", {"incident_id": incident.pk})  # a redelivered task
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_when_nobody_can_be_named_the_head_of_marops_is_told_with_the_reason(org, on_commit):
    step = StepFactory(workflow=WorkflowFactory(name="Event follow-up", owner=None))
    incident = on_commit(lambda: log_incident(step))
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject == "Nobody is accountable: Wrong price quoted"
    assert "Why nobody: The workflow “Event follow-up” has no owner." in message.body
    assert f"/governance/incidents/{incident.pk}/" in message.body and "name one accountable owner" in message.body
    assert sent_to("tom@example.com") == []


def test_an_owner_outside_marops_is_not_told_the_head_is(org, on_commit):
    outsider = PersonFactory(name="Sam Outside", email="sam@example.com")
    on_commit(lambda: log_incident(StepFactory(workflow=WorkflowFactory(name="Webinars", owner=outsider))))
    assert sent_to("sam@example.com") == []
    [message] = sent_to("dana@example.com")
    assert "Sam Outside, holds no seat in the live chart." in message.body


def test_without_a_head_of_marops_nobody_is_told_and_nothing_breaks(org, on_commit):
    org.head.positions.get().roles.clear()
    incident = on_commit(lambda: log_incident(StepFactory(workflow=WorkflowFactory(owner=None))))
    assert mail.outbox == [] and incident.pk


def test_a_review_that_names_someone_tells_them_and_only_them(org, on_commit):
    incident = on_commit(lambda: log_incident(StepFactory(workflow=WorkflowFactory(owner=None))))
    mail.outbox.clear()
    review = incident.review
    on_commit(
        lambda: review_save(
            review=review, expected_version=review.version, root_cause="", analysis="", accountable_owner=org.tom,
            by=UserFactory(),
        )
    )  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["tom@example.com"] and "Its review has just named you the accountable owner." in message.body


def test_a_review_that_clears_the_owner_tells_the_head(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step))
    mail.outbox.clear()
    review = incident.review
    on_commit(
        lambda: review_save(
            review=review, expected_version=review.version, root_cause="", analysis="", accountable_owner=None,
            owner_change_reason="Tom is on leave", by=UserFactory(),
        )
    )  # fmt: skip
    [message] = mail.outbox
    assert message.to == ["dana@example.com"] and "Nobody is accountable" in message.subject
    assert "The review cleared the owner named when the incident was logged" in message.body


def test_escalating_tells_the_accountable_person_once_per_severity(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step, severity="low"))
    mail.outbox.clear()
    on_commit(lambda: incident_escalate(incident=incident, severity="high", by=UserFactory(), reason="Buyers complain"))
    [message] = mail.outbox
    assert message.to == ["tom@example.com"] and "severity has just been raised to high" in message.body
    incident.refresh_from_db()
    assert incident.review.due_on < incident.created_at.date() + datetime.timedelta(days=10)
    with pytest.raises(ValidationError, match="already high"):
        incident_escalate(incident=incident, severity="medium", by=UserFactory(), reason="Lower it")
    on_commit(lambda: incident_escalate(incident=incident, severity="critical", by=UserFactory(), reason="Press"))
    assert len(mail.outbox) == 2 and "raised to critical" in mail.outbox[1].body


def test_reopening_a_resolved_review_tells_the_accountable_person(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step))
    review = incident.review
    user = UserFactory()
    review = review_save(
        review=review, expected_version=review.version, root_cause="data", analysis="Stale price list",
        accountable_owner=org.tom, by=user,
    )  # fmt: skip
    review = on_commit(lambda: review_resolve(review=review, expected_version=review.version, by=user))
    mail.outbox.clear()
    review = on_commit(lambda: review_reopen(review=review, expected_version=review.version, by=user, reason="Again"))
    [message] = mail.outbox
    assert message.to == ["tom@example.com"] and "It has just been reopened" in message.body
    assert review.status == "in_review" and review.resolved_at is None


def test_reopening_needs_a_resolved_review_and_a_reason(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step))
    with pytest.raises(ValidationError, match="not resolved"):
        review_reopen(review=incident.review, expected_version=incident.review.version, by=UserFactory(), reason="x")


def test_a_refused_change_tells_nobody(org, on_commit):
    incident = on_commit(lambda: log_incident(org.step, severity="high"))
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        on_commit(lambda: incident_escalate(incident=incident, severity="critical", by=UserFactory(), reason=" "))
    assert mail.outbox == []


def test_an_incident_whose_event_was_lost_is_announced_by_the_next_reminder_run(org):
    incident = log_incident(org.step)  # its commit's event never ran (a broker down at that moment)
    assert mail.outbox == []
    later = timezone.now() + datetime.timedelta(hours=1)
    assert logged_unannounced(later) == [incident.pk]
    notify_event.delay("incident.logged", {"incident_id": incident.pk})
    assert sent_to("tom@example.com") and logged_unannounced(later) == []
    assert logged_unannounced(timezone.now() + datetime.timedelta(days=2)) == []  # a day on, too late to matter
