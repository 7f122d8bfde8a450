"""The scheduled scan on the real stack: beat → Redis → worker → PostgreSQL."""

import threading

import pytest
from django.db import connection

from marops.celery import app
from marops.models import JobHeartbeat
from tests.factories import ChartFactory, PersonFactory, PositionFactory, StepFactory, WorkflowFactory
from tests.integration.conftest import wait_for
from workflows.models import OwnershipFlag
from workflows.scan import ownership_scan

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def open_flags():
    return sorted(OwnershipFlag.objects.filter(resolved_at__isnull=True).values_list("kind", "subject_key"))


def test_a_real_worker_runs_the_scan_and_flags_appear_then_clear(celery_worker_process):
    app.conf.task_always_eager = False
    try:
        step = StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=None))
        expected = [
            ("no-single-accountable", f"step:{step.pk}"),
            ("workflow-without-owner", f"workflow:{step.workflow_id}"),
        ]
        app.send_task("workflows.tasks.scan_ownership")
        assert wait_for(lambda: open_flags() == expected), open_flags()

        # A second run changes nothing. The worker runs one task at a time, in order, so once the
        # heartbeat sent after the scan has landed, the scan has run.
        opened = list(OwnershipFlag.objects.values_list("pk", "opened_at", "resolved_at"))
        app.send_task("workflows.tasks.scan_ownership")
        app.send_task("marops.tasks.heartbeat", args=["after-second-scan"])
        assert wait_for(lambda: JobHeartbeat.objects.filter(name="after-second-scan").exists())
        assert list(OwnershipFlag.objects.values_list("pk", "opened_at", "resolved_at")) == opened

        owner = PersonFactory(name="Dana")
        PositionFactory(chart=ChartFactory(status="live"), person=owner, team="marops")
        step.workflow.owner = owner
        step.workflow.save()
        app.send_task("workflows.tasks.scan_ownership")
        assert wait_for(lambda: open_flags() == []), open_flags()
    finally:
        app.conf.task_always_eager = True


def test_two_scans_at_once_leave_one_flag_per_cause():
    workflows = [WorkflowFactory(owner=None) for _ in range(30)]
    barrier = threading.Barrier(2)
    errors = []

    def scan():
        try:
            barrier.wait()
            ownership_scan()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert OwnershipFlag.objects.count() == len(workflows)
    assert len(open_flags()) == len(set(open_flags())) == 30
