"""A real worker consumes tasks from the real Redis and writes to the real PostgreSQL."""

import pytest
from django.conf import settings

from marops.celery import app
from marops.models import JobHeartbeat
from marops.tasks import heartbeat
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker():
    """Send tasks to Redis instead of running them in-process, as production does."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_a_task_sent_to_redis_is_run_by_the_worker_and_lands_in_postgres(celery_worker_process, real_broker):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    heartbeat.delay("sent-by-test")
    assert wait_for(lambda: JobHeartbeat.objects.filter(name="sent-by-test").exists()), "worker never ran it"
    assert JobHeartbeat.objects.get(name="sent-by-test").runs == 1


def test_beat_schedules_the_heartbeat_and_the_worker_keeps_running_it(celery_worker_process):
    assert wait_for(lambda: JobHeartbeat.objects.filter(name="beat", runs__gte=2).exists()), "beat never fired twice"


def test_every_beat_schedule_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
