"""Invariants of the workflows app, attacked through the ORM and raw SQL."""

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from tests.db import raw_sql, refused_by_database
from tests.factories import AgentFactory, PersonFactory, StepFactory, WorkflowFactory
from workflows.models import OwnershipFlag, Step, Workflow

pytestmark = pytest.mark.django_db


def test_an_ai_step_without_an_agent_is_refused():
    step = StepFactory(mode="ai_assisted")
    with refused_by_database():
        Step.objects.filter(pk=step.pk).update(agent=None)
    step.refresh_from_db()
    assert step.agent is not None


def test_a_human_step_needs_no_agent():
    step = StepFactory(mode="human", agent=None)
    assert step.agent is None


@pytest.mark.postgres
def test_an_ai_step_without_an_agent_is_refused_in_raw_sql():
    step = StepFactory(mode="human", agent=None)
    with refused_by_database():
        raw_sql("UPDATE workflows_step SET mode = 'ai_autonomous' WHERE id = %s", [step.pk])


@pytest.mark.postgres
def test_an_unknown_step_mode_is_refused_in_raw_sql():
    step = StepFactory()
    with refused_by_database():
        raw_sql("UPDATE workflows_step SET mode = 'robot' WHERE id = %s", [step.pk])


def test_two_steps_cannot_share_an_order_in_one_workflow():
    step = StepFactory()
    with refused_by_database():
        StepFactory(workflow=step.workflow, order=step.order)


def test_workflow_names_are_unique_whatever_the_case():
    WorkflowFactory(name="Lead routing")
    with refused_by_database():
        WorkflowFactory(name="lead ROUTING")


def test_deleting_a_person_who_owns_a_workflow_is_refused():
    owner = PersonFactory()
    WorkflowFactory(owner=owner)
    with pytest.raises(ProtectedError):
        owner.delete()


@pytest.mark.postgres
def test_deleting_a_person_who_owns_a_workflow_is_refused_in_raw_sql():
    owner = PersonFactory()
    workflow = WorkflowFactory(owner=owner)
    with refused_by_database():
        raw_sql("DELETE FROM roles_person WHERE id = %s", [owner.pk])
    assert Workflow.objects.get(pk=workflow.pk).owner == owner


def test_an_agent_acting_in_a_step_cannot_be_deleted():
    step = StepFactory()
    with pytest.raises(ProtectedError):
        step.agent.delete()


def test_at_most_one_open_flag_per_subject_and_kind():
    workflow = WorkflowFactory(owner=None)
    key = f"workflow:{workflow.pk}"
    OwnershipFlag.objects.create(kind="workflow-without-owner", subject_key=key, workflow=workflow)
    with refused_by_database():
        OwnershipFlag.objects.create(kind="workflow-without-owner", subject_key=key, workflow=workflow)
    # Another kind on the same subject is a different finding.
    OwnershipFlag.objects.create(kind="owner-inactive", subject_key=key, workflow=workflow)
    # Once resolved, the same cause may open again later.
    OwnershipFlag.objects.filter(kind="workflow-without-owner").update(resolved_at=timezone.now())
    OwnershipFlag.objects.create(kind="workflow-without-owner", subject_key=key, workflow=workflow)
    assert OwnershipFlag.objects.filter(subject_key=key).count() == 3


@pytest.mark.postgres
def test_at_most_one_open_flag_per_subject_and_kind_in_raw_sql():
    agent = AgentFactory()
    sql = (
        "INSERT INTO workflows_ownershipflag (kind, subject_key, agent_id, message, opened_at) "
        "VALUES ('agent-in-no-workflow', %s, %s, '', now())"
    )
    raw_sql(sql, [f"agent:{agent.pk}", agent.pk])
    with refused_by_database():
        raw_sql(sql, [f"agent:{agent.pk}", agent.pk])


def test_a_flag_must_name_its_subject():
    with refused_by_database():
        OwnershipFlag.objects.create(kind="workflow-without-owner", subject_key="workflow:0")
