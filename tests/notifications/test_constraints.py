"""The database keeps the invariants whatever writes to it: one message per recipient, topic, subject and
stage; what always goes goes by e-mail; nobody can switch "you are accountable" off."""

import pytest
from django.db import IntegrityError, connection, transaction

from notifications.models import Notification, Preference
from notifications.services import preference_set
from tests.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def insert(table: str, **values) -> None:
    columns = ", ".join(values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(values))})", list(values.values())
        )


def notification(person, **overrides):
    values = {
        "recipient_id": person.pk,
        "kind": "review-due",
        "subject_key": "review:1",
        "stage": "overdue-2026-03-09",
        "delivery": "email",
        "subject": "Overdue",
        "link": "http://x/",
        "text": "t",
        "html": "h",
        "created_at": "2026-03-10T09:00Z",
        "attempts": 0,
        "last_error": "",
    }
    insert("notifications_notification", **{**values, **overrides})


def test_the_same_message_cannot_be_recorded_twice_so_no_beat_sends_it_twice():
    person = PersonFactory()
    notification(person)
    with pytest.raises(IntegrityError, match="notifications_notification_once"), transaction.atomic():
        notification(person, subject="Overdue, again", created_at="2026-03-11T09:00Z")
    notification(person, stage="manager-2026-03-09")  # another stage is another message
    notification(PersonFactory(), subject_key="review:1")  # and so is another person
    assert Notification.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"kind": "gossip"}, "notifications_notification_kind_valid"),
        ({"delivery": "off"}, "notifications_notification_delivery_valid"),
        ({"kind": "accountable", "delivery": "summary"}, "notifications_notification_always_sent_by_email"),
    ],
)
def test_the_database_refuses_a_message_that_breaks_a_rule(overrides, constraint):
    with pytest.raises(IntegrityError, match=constraint):
        notification(PersonFactory(), **overrides)


def test_nobody_can_switch_off_the_accountable_message_not_even_in_sql():
    person = PersonFactory()
    with pytest.raises(IntegrityError, match="notifications_preference_optional_topics_only"), transaction.atomic():
        insert(
            "notifications_preference",
            person_id=person.pk,
            topic="accountable",
            delivery="off",
            updated_at="2026-03-10T09:00Z",
        )
    with pytest.raises(ValueError, match="cannot be switched off"):
        preference_set(person=person, topic="accountable", delivery="off")
    insert(
        "notifications_preference",
        person_id=person.pk,
        topic="flag-open",
        delivery="off",
        updated_at="2026-03-10T09:00Z",
    )
    with pytest.raises(IntegrityError, match="notifications_preference_one_per_topic"), transaction.atomic():
        insert(
            "notifications_preference",
            person_id=person.pk,
            topic="flag-open",
            delivery="email",
            updated_at="2026-03-10T09:00Z",
        )
    assert Preference.objects.count() == 1
