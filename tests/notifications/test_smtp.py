"""Real e-mail, through a real SMTP server (aiosmtpd) on 127.0.0.1: both parts arrive; a server that is
down delays the message, which is sent once it returns, exactly once."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notifications_deliver, notifications_owed
from tests.notifications.conftest import deliver, log_incident

pytestmark = pytest.mark.django_db


def test_the_accountable_message_arrives_with_a_plain_text_and_an_html_part(
    org, real_smtp, django_capture_on_commit_callbacks
):
    real_smtp.start()
    with django_capture_on_commit_callbacks(execute=True):
        incident = log_incident(org.step)
    [message] = real_smtp.inbox.messages
    assert message["To"] == "tom@example.com" and message["Subject"] == "You are accountable: Wrong price quoted"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = f"http://127.0.0.1:8000/governance/incidents/{incident.pk}/"
    assert link in text and f'<a href="{link}">Open the incident</a>' in html


def test_with_the_server_down_the_message_is_kept_and_sent_once_when_it_returns(
    org, real_smtp, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_EAGER_PROPAGATES = False  # the eager task's retries give up while the server is down
    with django_capture_on_commit_callbacks(execute=True):
        log_incident(org.step)
    row = Notification.objects.get()
    assert row.sent_at is None and row.attempts >= 2 and "Connection refused" in row.last_error
    with pytest.raises(OSError):
        notifications_deliver([row.pk])
    real_smtp.start()
    later = timezone.now() + datetime.timedelta(hours=1)
    owed = notifications_owed(later)  # what the next reminder run queues again
    assert owed == [[row.pk]]
    deliver(owed)
    deliver(owed)  # a duplicate in the queue sends nothing more
    assert len(real_smtp.inbox.messages) == 1 and real_smtp.inbox.messages[0]["To"] == "tom@example.com"
    row.refresh_from_db()
    assert row.sent_at is not None and row.last_error == ""
    assert notifications_owed(later) == []
