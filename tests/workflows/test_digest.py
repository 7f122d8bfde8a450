import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import ChartFactory, PersonFactory, PositionFactory, WorkflowFactory, role
from workflows.digest import flag_digest_send
from workflows.scan import ownership_scan

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 9) -> datetime.datetime:
    """A local time after the digest hour (8:00) on day `day` of a month."""
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour))


@pytest.fixture
def head():
    person = PersonFactory(name="Dana Whitfield", email="dana@example.com")
    PositionFactory(chart=ChartFactory(status="live"), person=person, roles=[role("head-of-marops")])
    return person


def test_the_head_of_marops_gets_each_new_flag_once(head):
    WorkflowFactory(name="Webinars", owner=None)
    ownership_scan()
    assert flag_digest_send(at(2)) == 1
    [message] = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject == "MarOps: 1 new ownership flag"
    assert "“Webinars” has no owner." in message.body and "/workflows/flags/" in message.body

    assert flag_digest_send(at(2, 10)) == 0  # the day's digest is sent
    WorkflowFactory(name="Events", owner=None)
    ownership_scan()
    assert flag_digest_send(at(3)) == 1
    assert "“Events” has no owner." in mail.outbox[1].body and "Webinars" not in mail.outbox[1].body


def test_flags_resolved_before_the_digest_are_not_sent(head):
    workflow = WorkflowFactory(owner=None)
    ownership_scan()
    workflow.owner = head
    workflow.save()
    ownership_scan()
    assert flag_digest_send(at(2)) == 0 and mail.outbox == []


def test_without_a_head_of_marops_no_digest_is_sent():
    WorkflowFactory(owner=None)
    ownership_scan()
    assert flag_digest_send(at(2)) == 0 and mail.outbox == []
