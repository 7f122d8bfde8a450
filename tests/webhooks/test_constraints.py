"""The database keeps the webhooks' invariants whatever writes to it (raw SQL, behind the services)."""

import pytest
from django.utils import timezone

from tests.db import raw_sql, refused_by_database
from tests.webhooks.helpers import endpoint_for
from webhooks.models import Attempt, Delivery

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def endpoint_row(**overrides):
    values = {
        "name": "Raw", "url": "https://hooks.example.com/x", "kind": "json", "events": '["incident.logged"]',
        "secret": "whsec_x", "is_enabled": True, "disabled_at": None, "disabled_reason": "", "auto_disabled": False,
        "created_at": timezone.now(),
    } | overrides  # fmt: skip
    raw_sql(
        f"INSERT INTO webhooks_endpoint ({', '.join(values)}) VALUES ({', '.join(['%s'] * len(values))})",
        list(values.values()),
    )


def test_an_endpoint_row_is_accepted_as_the_services_write_it():
    endpoint_row()


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "discord"},
        {"url": "ftp://hooks.example.com/x"},
        {"url": "javascript:alert(1)"},
        {"is_enabled": False},  # disabled without saying when
        {"disabled_at": timezone.now()},  # enabled yet with a moment it was disabled
        {"auto_disabled": True},  # "disabled automatically" while enabled
    ],
)
def test_an_endpoint_the_rules_forbid_is_refused_by_the_database(overrides):
    with refused_by_database():
        endpoint_row(**overrides)


@pytest.fixture
def delivery():
    endpoint = endpoint_for("https://hooks.example.com/x")
    return Delivery.objects.create(
        endpoint=endpoint,
        delivery_id="5b0f0c8e-8f5e-4a55-9a53-0c3f6f0d8a11",
        event_id="6b0f0c8e-8f5e-4a55-9a53-0c3f6f0d8a11",
        event="incident.logged",
        body="{}",
    )


def test_one_event_makes_at_most_one_delivery_to_an_endpoint(delivery):
    with refused_by_database():
        raw_sql(
            "INSERT INTO webhooks_delivery (endpoint_id, delivery_id, event_id, event, body, status, created_at)"
            " VALUES (%s, gen_random_uuid(), %s, 'incident.logged', '{}', 'pending', now())",
            [delivery.endpoint_id, delivery.event_id],
        )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE webhooks_delivery SET status = 'lost'",
        "UPDATE webhooks_delivery SET status = 'delivered'",  # finished, but never said when
        "UPDATE webhooks_delivery SET finished_at = now()",  # still pending, yet finished
    ],
)
def test_a_delivery_status_the_rules_forbid_is_refused(delivery, sql):
    with refused_by_database():
        raw_sql(sql)


def attempt_row(delivery, number=1, status_code=200, error=""):
    raw_sql(
        "INSERT INTO webhooks_attempt"
        " (delivery_id, number, started_at, duration_ms, status_code, response_start, error)"
        " VALUES (%s, %s, now(), 12, %s, '', %s)",
        [delivery.pk, number, status_code, error],
    )


def test_an_attempt_has_an_http_answer_or_an_error_and_a_number_of_its_own(delivery):
    attempt_row(delivery, 1, 200)
    attempt_row(delivery, 2, None, "Could not connect")
    with refused_by_database():
        attempt_row(delivery, 3, None, "")  # neither: the log would say nothing
    with refused_by_database():
        attempt_row(delivery, 4, 700)  # not an HTTP status
    with refused_by_database():
        attempt_row(delivery, 2, 500)  # attempt 2 twice
    assert Attempt.objects.filter(delivery=delivery).count() == 2
