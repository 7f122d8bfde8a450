"""The ownership scan: each kind of flag trips and clears, and a re-run writes nothing."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AgentFactory,
    ChartFactory,
    PersonFactory,
    PositionFactory,
    StepFactory,
    WorkflowFactory,
)
from workflows.models import OwnershipFlag
from workflows.scan import ownership_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def marops_person():
    """Someone with a MarOps seat in the live chart."""
    person = PersonFactory(name="Dana")
    PositionFactory(chart=ChartFactory(status="live"), person=person, team="marops")
    return person


def open_flags():
    return sorted(OwnershipFlag.objects.filter(resolved_at__isnull=True).values_list("kind", "subject_key"))


def test_a_well_owned_workflow_raises_no_flag(marops_person):
    StepFactory(workflow=WorkflowFactory(owner=marops_person))
    ownership_scan()
    assert open_flags() == []


def test_a_workflow_without_owner_and_its_buyer_facing_ai_step_are_flagged():
    step = StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=None))
    ownership_scan()
    assert open_flags() == [
        ("no-single-accountable", f"step:{step.pk}"),
        ("workflow-without-owner", f"workflow:{step.workflow_id}"),
    ]
    flag = OwnershipFlag.objects.get(kind="workflow-without-owner")
    assert flag.message == "The workflow “Lead routing” has no owner." and flag.workflow == step.workflow


def test_a_human_or_internal_step_needs_no_flag_of_its_own():
    workflow = WorkflowFactory(owner=None)
    StepFactory(workflow=workflow, mode="human", agent=None, is_buyer_facing=True)
    StepFactory(workflow=workflow, mode="ai_autonomous", is_buyer_facing=False)
    ownership_scan()
    assert [kind for kind, _ in open_flags()] == ["workflow-without-owner"]


def test_an_owner_outside_marops_is_flagged(marops_person):
    outsider = PersonFactory(name="Tom")
    PositionFactory(
        chart=marops_person.positions.get().chart,
        person=outsider,
        team="sales_ops",
        reports_to=marops_person.positions.get(),
    )
    step = StepFactory(workflow=WorkflowFactory(owner=outsider))
    ownership_scan()
    # An owner outside MarOps cannot pass the Test, so the buyer-facing AI step is flagged too.
    assert open_flags() == [
        ("no-single-accountable", f"step:{step.pk}"),
        ("owner-outside-marops", f"workflow:{step.workflow_id}"),
    ]
    step_flag = OwnershipFlag.objects.get(kind="no-single-accountable")
    assert step_flag.message.endswith("Tom, holds no MarOps seat in the live chart.")


def test_an_inactive_owner_is_flagged_and_so_is_the_buyer_facing_step():
    step = StepFactory(workflow=WorkflowFactory(owner=PersonFactory(is_active=False)))
    ownership_scan()
    assert open_flags() == [
        ("no-single-accountable", f"step:{step.pk}"),
        ("owner-inactive", f"workflow:{step.workflow_id}"),
    ]


def test_an_agent_in_no_workflow_is_flagged_unless_retired():
    idle = AgentFactory(name="Intent bot")
    AgentFactory(name="Old bot", status="retired")
    ownership_scan()
    assert open_flags() == [("agent-in-no-workflow", f"agent:{idle.pk}")]


def test_fixing_the_cause_resolves_the_flag_and_a_rerun_writes_nothing(marops_person):
    workflow = StepFactory(workflow=WorkflowFactory(owner=None)).workflow
    first = ownership_scan()
    assert len(first.opened) == 2
    before = list(OwnershipFlag.objects.order_by("pk").values_list("pk", "opened_at", "resolved_at", "message"))
    again = ownership_scan()
    assert not again.changed
    assert list(OwnershipFlag.objects.order_by("pk").values_list("pk", "opened_at", "resolved_at", "message")) == before
    workflow.owner = marops_person
    workflow.save()
    fixed = ownership_scan()
    assert len(fixed.resolved) == 2 and open_flags() == []
    assert OwnershipFlag.objects.filter(resolved_at__isnull=False).count() == 2


@pytest.mark.postgres  # SQLite splits a large INSERT by its variable limit
def test_the_scan_takes_the_same_number_of_queries_for_10_or_300_workflows(django_assert_num_queries, marops_person):
    def scan_queries():
        OwnershipFlag.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            ownership_scan()
        return len(queries.captured_queries)

    for _ in range(10):
        StepFactory(workflow=WorkflowFactory(owner=None))
    small = scan_queries()
    for _ in range(290):
        StepFactory(workflow=WorkflowFactory(owner=None))
    assert scan_queries() == small
    assert OwnershipFlag.objects.filter(kind="workflow-without-owner").count() == 300


def test_scan_ownership_prints_what_it_opened_and_resolved(capsys):
    workflow = WorkflowFactory(name="Webinars", owner=None)
    call_command("scan_ownership")
    out = capsys.readouterr().out.splitlines()
    assert f"opened\tworkflow-without-owner\tworkflow:{workflow.pk}\tThe workflow “Webinars” has no owner." in out
    assert out[-1] == "1 opened, 0 resolved"
    workflow.delete()
    call_command("scan_ownership")
    assert capsys.readouterr().out.splitlines()[-1] == "0 opened, 0 resolved"  # the flag went with it
