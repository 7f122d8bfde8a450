"""The digest on the real stack: tasks queued in Redis while no worker runs are done when one starts,
and however many runs reach the worker, the day's digest goes out once."""

import pytest

from marops.celery import app
from marops.models import JobHeartbeat
from tests.factories import ChartFactory, PersonFactory, PositionFactory, WorkflowFactory, role
from tests.integration.conftest import wait_for
from workflows.models import FlagDigest, OwnershipFlag
from workflows.scan import ownership_scan

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def digest_due(monkeypatch):
    """The worker (started after this) sees the digest due at any hour, and prints its mail."""
    monkeypatch.setenv("MAROPS_DIGEST_HOUR", "0")
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")


@pytest.fixture
def queued_while_down(digest_due):
    """Three beat runs' digests, queued in Redis before any worker consumes them (the outage)."""
    head = PersonFactory(name="Dana Whitfield", email="dana@example.com")
    PositionFactory(chart=ChartFactory(status="live"), person=head, roles=[role("head-of-marops")])
    for name in ("Webinars", "Events"):
        WorkflowFactory(name=name, owner=None)
    ownership_scan()
    app.conf.task_always_eager = False
    for _ in range(3):
        app.send_task("workflows.tasks.send_flag_digest")
    yield
    app.conf.task_always_eager = True


def test_digests_queued_during_an_outage_are_sent_once_when_the_worker_returns(
    queued_while_down, celery_worker_process
):
    app.send_task("marops.tasks.heartbeat", args=["after-the-digests"])  # the worker runs tasks in order
    assert wait_for(lambda: JobHeartbeat.objects.filter(name="after-the-digests").exists()), "the worker never ran"
    assert list(FlagDigest.objects.values_list("flags", flat=True)) == [2]
    assert OwnershipFlag.objects.filter(digested_at__isnull=False).count() == 2
