"""Reminders from beat: each stage once, to whoever holds the thing, and to their manager in the live
chart once it is overdue beyond the grace period (MAROPS_REMINDER_GRACE_DAYS, 3 here)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from governance.models import CorrectiveAction
from notifications.models import Notification, Preference
from notifications.services import reminders_send, summaries_due
from tests.factories import IncidentFactory, ReviewFactory, WorkflowFactory
from tests.notifications.conftest import at, deliver, sent_to
from workflows.models import OwnershipFlag
from workflows.scan import ownership_scan

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def grace(settings):
    settings.MAROPS_REMINDER_GRACE_DAYS = 3
    settings.MAROPS_FLAG_REMINDER_DAYS = 7


def beat(day: datetime.date, hour: int = 9) -> None:
    """One run of the reminder task on `day` (the real task's work: record, then e-mail)."""
    deliver(reminders_send(at(day, hour)))


def review_due(org, due_on, owner="tom"):
    incident = IncidentFactory(step=org.step, summary="Wrong price quoted")
    return ReviewFactory(incident=incident, due_on=due_on, accountable_owner=getattr(org, owner) if owner else None)


def test_a_review_due_tomorrow_reminds_its_owner_once(org):
    review = review_due(org, TODAY + datetime.timedelta(days=1))
    beat(TODAY - datetime.timedelta(days=1))  # two days before: nothing yet
    assert mail.outbox == []
    beat(TODAY)
    [message] = mail.outbox
    assert message.to == ["tom@example.com"] and message.subject == "Due tomorrow: The review of “Wrong price quoted”"
    assert f"/governance/incidents/{review.incident_id}/" in message.body and "resolve the review" in message.body
    beat(TODAY)
    beat(TODAY, hour=15)  # later beats the same day
    assert len(mail.outbox) == 1


def test_an_overdue_review_reminds_the_owner_then_their_manager_after_the_grace_period(org):
    due = TODAY - datetime.timedelta(days=1)
    review = review_due(org, due)
    beat(TODAY)
    [message] = mail.outbox
    assert message.to == ["tom@example.com"] and message.subject.startswith("Overdue:")
    assert "was due on 9 March: 1 day ago" in message.body
    beat(TODAY + datetime.timedelta(days=2))  # overdue 3 days: still within the grace
    assert len(mail.outbox) == 1 and sent_to("dana@example.com") == []
    beat(TODAY + datetime.timedelta(days=3))  # 4 days: beyond it
    [to_manager] = sent_to("dana@example.com")  # Tom reports to Dana in the live chart
    assert "held by Tom Nguyen, who reports to you" in to_manager.body
    assert f"/governance/incidents/{review.incident_id}/" in to_manager.body
    beat(TODAY + datetime.timedelta(days=4))
    assert len(mail.outbox) == 2
    stages = set(Notification.objects.values_list("recipient__name", "stage"))
    assert stages == {("Tom Nguyen", f"overdue-{due}"), ("Dana Whitfield", f"manager-{due}")}


def test_a_resolved_review_is_not_reminded(org):
    review = review_due(org, TODAY - datetime.timedelta(days=5))
    review.status, review.resolved_at, review.root_cause = "resolved", timezone.now(), "data"
    review.save()
    beat(TODAY)
    assert mail.outbox == []


def test_a_review_nobody_is_accountable_for_reminds_the_head(org):
    review_due(org, TODAY - datetime.timedelta(days=1), owner=None)
    beat(TODAY)
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]


def test_a_new_deadline_is_a_new_set_of_stages(org):
    review = review_due(org, TODAY + datetime.timedelta(days=1))
    beat(TODAY)
    review.due_on = TODAY + datetime.timedelta(days=5)
    review.save()
    beat(TODAY + datetime.timedelta(days=4))
    assert [m.subject for m in mail.outbox] == ["Due tomorrow: The review of “Wrong price quoted”"] * 2


def test_corrective_actions_due_and_overdue_remind_the_assignee_and_then_their_manager(org):
    review = review_due(org, TODAY + datetime.timedelta(days=30))
    action = CorrectiveAction.objects.create(
        review=review, description="Refresh the price list", assignee=org.tom, due_on=TODAY
    )
    beat(TODAY)
    [due] = mail.outbox
    assert due.to == ["tom@example.com"] and due.subject == "Due today: The corrective action “Refresh the price list”"
    beat(TODAY + datetime.timedelta(days=1))
    assert mail.outbox[1].subject == "Overdue: The corrective action “Refresh the price list”"
    beat(TODAY + datetime.timedelta(days=4))
    [to_manager] = sent_to("dana@example.com")
    assert "Refresh the price list" in to_manager.subject and len(mail.outbox) == 3
    action.is_done = True
    action.save()
    beat(TODAY + datetime.timedelta(days=9))
    assert len(mail.outbox) == 3


def test_a_flag_open_longer_than_the_set_days_goes_to_the_head_then_the_cmo(org):
    workflow = WorkflowFactory(name="Webinars", owner=None)
    ownership_scan()
    flag = OwnershipFlag.objects.get(workflow=workflow)
    OwnershipFlag.objects.filter(pk=flag.pk).update(opened_at=at(TODAY - datetime.timedelta(days=6)))
    beat(TODAY)
    assert mail.outbox == []
    beat(TODAY + datetime.timedelta(days=1))
    [message] = mail.outbox
    assert message.to == ["dana@example.com"] and "Open for 7 days" in message.subject
    assert f"/workflows/{workflow.pk}/" in message.body and "Assign an owner" in message.body
    beat(TODAY + datetime.timedelta(days=2))
    assert len(mail.outbox) == 1
    beat(TODAY + datetime.timedelta(days=5))  # open 11 days: beyond 7 + 3
    [to_cmo] = sent_to("carla@example.com")
    assert "with Dana Whitfield, who reports to you" in to_cmo.body


def test_one_e_mail_per_person_per_run_lists_every_reminder(org):
    review = review_due(org, TODAY - datetime.timedelta(days=1))
    for name in ("Refresh the price list", "Tell the buyers"):
        CorrectiveAction.objects.create(review=review, description=name, assignee=org.tom, due_on=TODAY)
    beat(TODAY)
    [message] = mail.outbox
    assert message.subject == "MarOps: 3 things need you"
    assert "Refresh the price list" in message.body and "Tell the buyers" in message.body
    assert message.body.count(f"/governance/incidents/{review.incident_id}/") == 3
    assert Notification.objects.filter(sent_at__isnull=False).count() == 3


def test_a_topic_switched_off_is_not_sent_and_the_others_still_are(org):
    Preference.objects.create(person=org.tom, topic="action-due", delivery="off")
    review = review_due(org, TODAY - datetime.timedelta(days=1))
    CorrectiveAction.objects.create(review=review, description="Refresh", assignee=org.tom, due_on=TODAY)
    beat(TODAY)
    [message] = mail.outbox
    assert message.subject.startswith("Overdue: The review")
    assert not Notification.objects.filter(kind="action-due").exists()


def test_a_daily_summary_topic_waits_for_the_summary_hour_then_goes_once(org, settings):
    settings.MAROPS_SUMMARY_HOUR = 8
    Preference.objects.create(person=org.tom, topic="review-due", delivery="summary")
    review_due(org, TODAY - datetime.timedelta(days=1))
    beat(TODAY, hour=9)
    assert mail.outbox == []
    assert summaries_due(at(TODAY, 10)) == []  # recorded after today's summary hour: tomorrow's summary
    assert summaries_due(at(TODAY + datetime.timedelta(days=1), 7)) == []  # before the hour
    deliver(summaries_due(at(TODAY + datetime.timedelta(days=1), 8)))
    [message] = mail.outbox
    assert message.to == ["tom@example.com"] and message.subject.startswith("Overdue: The review")
    deliver(summaries_due(at(TODAY + datetime.timedelta(days=1), 9)))
    assert len(mail.outbox) == 1


def test_the_reminder_run_reads_in_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    for _ in range(5):
        review_due(org, TODAY - datetime.timedelta(days=1))
    beat(TODAY)  # recorded once: a second run finds everything sent
    with django_assert_max_num_queries(8):
        assert reminders_send(at(TODAY, 10)) == []
