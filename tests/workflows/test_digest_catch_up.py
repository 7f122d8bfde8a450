"""Background work is never silently dropped (issue 12, item 10).

Beat asks for the digest every few minutes; it goes out once a day, from the digest hour on. So a digest
missed at 08:00 (Redis or the worker down) is sent by the first run after they return, and never twice:
a row per day, its day unique, decides."""

import datetime
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from marops.celery import app
from tests.factories import ChartFactory, PersonFactory, PositionFactory, WorkflowFactory, role
from workflows.digest import flag_digest_send
from workflows.models import FlagDigest, OwnershipFlag
from workflows.scan import ownership_scan

HOUR = settings.MAROPS_DIGEST_HOUR


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour, minute))


@pytest.fixture
def flagged(db):
    """A Head of MarOps to write to, and one new flag (a workflow without an owner)."""
    head = PersonFactory(name="Dana Whitfield", email="dana@example.com")
    PositionFactory(chart=ChartFactory(status="live"), person=head, roles=[role("head-of-marops")])
    WorkflowFactory(name="Webinars", owner=None)
    ownership_scan()
    return head


# --- the tasks' settings ------------------------------------------------------------------------------


def our_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_acknowledged_late_and_put_back_if_its_worker_dies():
    assert {"workflows.tasks.scan_ownership", "workflows.tasks.send_flag_digest", "marops.tasks.heartbeat"} <= set(
        our_tasks()
    )
    for name, task in our_tasks().items():
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_visibility_timeout_outlasts_every_tasks_time_limit():
    """Redis hands an unacknowledged task to another worker after the visibility timeout: were it
    shorter than a task's run, a task still running would run twice."""
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    for name, task in our_tasks().items():
        limit = task.time_limit or app.conf.task_time_limit
        assert limit is not None, f"{name} has no time limit"
        assert limit < visibility, name
        assert (task.soft_time_limit or app.conf.task_soft_time_limit) < limit, name


def test_beat_asks_for_the_digest_every_few_minutes_not_once_a_day():
    entry = settings.CELERY_BEAT_SCHEDULE["flag-digest"]
    assert entry["task"] == "workflows.tasks.send_flag_digest"
    assert isinstance(entry["schedule"], float) and entry["schedule"] <= 60 * 60


# --- catching up, once -----------------------------------------------------------------------------------


def test_a_digest_missed_at_the_digest_hour_is_sent_by_the_next_run_and_only_once(flagged):
    assert flag_digest_send(at(2, HOUR - 1, 45)) == 0  # not due yet
    assert mail.outbox == [] and not FlagDigest.objects.exists()
    # Nothing ran at 08:00 (Redis down); the worker is back at 10:00.
    assert flag_digest_send(at(2, HOUR + 2)) == 1
    [message] = mail.outbox
    assert message.to == ["dana@example.com"] and "“Webinars” has no owner." in message.body
    assert flag_digest_send(at(2, HOUR + 2, 15)) == 0  # the next beat run that day
    assert flag_digest_send(at(2, 23, 59)) == 0
    assert len(mail.outbox) == 1
    assert list(FlagDigest.objects.values_list("day", "flags")) == [(datetime.date(2026, 3, 2), 1)]


def test_the_next_days_digest_lists_only_the_flags_opened_since(flagged):
    flag_digest_send(at(2, HOUR + 2))
    WorkflowFactory(name="Events", owner=None)
    ownership_scan()
    assert flag_digest_send(at(3, HOUR - 1)) == 0  # the new day's digest is not due before the hour
    assert flag_digest_send(at(3, HOUR)) == 1
    assert "Events" in mail.outbox[1].body and "Webinars" not in mail.outbox[1].body


def test_a_day_with_nothing_new_sends_no_mail_but_is_done(flagged):
    flag_digest_send(at(2, HOUR))
    assert flag_digest_send(at(3, HOUR)) == 0 and len(mail.outbox) == 1
    assert FlagDigest.objects.get(day=datetime.date(2026, 3, 3)).flags == 0
    WorkflowFactory(name="Events", owner=None)  # opened after the day's digest: tomorrow's
    ownership_scan()
    assert flag_digest_send(at(3, HOUR + 1)) == 0
    assert flag_digest_send(at(4, HOUR)) == 1


def test_a_digest_that_cannot_be_sent_is_not_recorded_and_the_next_run_sends_it(flagged, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    with pytest.raises(OSError):
        flag_digest_send(at(2, HOUR))
    assert not FlagDigest.objects.exists()
    assert not OwnershipFlag.objects.filter(digested_at__isnull=False).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    assert flag_digest_send(at(2, HOUR, 15)) == 1 and len(mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_send_one_digest():
    from roles.catalogue import catalogue_sync
    from roles.models import Role

    catalogue_sync(Role)  # a transactional test may start from a flushed database
    head = PersonFactory(email="dana@example.com")
    PositionFactory(chart=ChartFactory(status="live"), person=head, roles=[role("head-of-marops")])
    for _ in range(5):
        WorkflowFactory(owner=None)
    ownership_scan()
    runs = 4
    barrier = threading.Barrier(runs)
    sent, errors = [], []

    def run():
        try:
            barrier.wait()
            sent.append(flag_digest_send(at(2, HOUR + 1)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(sent) == [0] * (runs - 1) + [5]
    assert len(mail.outbox) == 1 and FlagDigest.objects.count() == 1
