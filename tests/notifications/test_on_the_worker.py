"""Notifications on the real stack: beat → Redis → worker → PostgreSQL → a real SMTP server on 127.0.0.1."""

import datetime

import pytest
from django.utils import timezone

from marops.celery import app
from notifications.models import Notification
from tests.factories import IncidentFactory, ReviewFactory
from tests.integration.conftest import celery_worker_process, reference_data, wait_for  # noqa: F401 (fixtures)
from tests.notifications.conftest import SmtpServer, free_port, log_incident
from tests.notifications.conftest import org as org_fixture

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
org = org_fixture


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server for the worker (started after this) to send through; started by the test."""
    server = SmtpServer(free_port())
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(server.port))
    monkeypatch.setenv("MAROPS_REMINDER_CHECK_MINUTES", "0.02")  # beat asks every 1.2 s
    monkeypatch.setenv("MAROPS_MAIL_RETRY_SECONDS", "1")
    yield server
    server.stop()


@pytest.fixture
def real_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_beat_reminds_of_an_overdue_review_once_end_to_end(org, smtp, celery_worker_process):  # noqa: F811
    smtp.start()
    incident = IncidentFactory(step=org.step, summary="Wrong price quoted")
    ReviewFactory(
        incident=incident, accountable_owner=org.tom, due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert wait_for(lambda: len(smtp.inbox.messages) >= 1, timeout=60), "beat never sent the reminder"
    [message] = smtp.inbox.messages
    assert (
        message["To"] == "tom@example.com"
        and message["Subject"].strip() == "Overdue: The review of “Wrong price quoted”"
    )
    assert f"/governance/incidents/{incident.pk}/" in message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_body(preferencelist=("html",)) is not None
    first = Notification.objects.get()
    assert wait_for(lambda: Notification.objects.filter(pk=first.pk, sent_at__isnull=False).exists())
    # Several more beats: the stage was sent, so nothing more goes.
    beats_before = first.created_at
    assert not wait_for(lambda: len(smtp.inbox.messages) > 1, timeout=6)
    assert Notification.objects.count() == 1 and Notification.objects.get().created_at == beats_before


def test_with_the_mail_server_down_the_worker_retries_and_delivers_when_it_returns(
    org,
    smtp,
    real_broker,
    celery_worker_process,  # noqa: F811 (the fixture imported above)
):
    log_incident(org.step)  # committed: the event reaches the worker through Redis
    assert wait_for(lambda: Notification.objects.filter(attempts__gte=2).exists(), timeout=60), "never retried"
    assert smtp.inbox.messages == [] and Notification.objects.get().sent_at is None
    smtp.start()
    assert wait_for(lambda: len(smtp.inbox.messages) == 1, timeout=60), "not delivered once the server returned"
    assert smtp.inbox.messages[0]["Subject"] == "You are accountable: Wrong price quoted"
    row = Notification.objects.get()
    assert wait_for(lambda: Notification.objects.filter(pk=row.pk, sent_at__isnull=False).exists())
    assert not wait_for(lambda: len(smtp.inbox.messages) > 1, timeout=4)
