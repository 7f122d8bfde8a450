import pytest

from tests.factories import (
    AgentFactory,
    ChartFactory,
    PersonFactory,
    PositionFactory,
    StepFactory,
    WorkflowFactory,
    marops_person,
)
from workflows.accountability import step_accountable
from workflows.selectors import agent_accountable

pytestmark = pytest.mark.django_db


def test_the_owner_of_the_steps_workflow_is_accountable_when_they_hold_a_marops_seat():
    owner = marops_person(name="Dana Whitfield")
    step = StepFactory(workflow=WorkflowFactory(owner=owner))
    result = step_accountable(step)
    assert result.person == owner and result.passes and result.reason == ""


def test_an_owner_without_a_seat_in_the_live_chart_is_not_accountable():
    step = StepFactory(workflow=WorkflowFactory(name="Nurture", owner=PersonFactory(name="Greg")))
    ChartFactory(status="live")
    result = step_accountable(step)
    assert result.person is None and result.gap == "owner-without-seat"
    assert result.reason == "The owner of “Nurture”, Greg, holds no seat in the live chart."


def test_an_owner_seated_outside_marops_is_not_accountable_and_a_scenario_seat_does_not_count():
    owner = PersonFactory(name="Tom")
    PositionFactory(chart=ChartFactory(status="live"), person=owner, team="sales_ops")
    scenario = ChartFactory(status="scenario", name="2026 target")
    PositionFactory(chart=scenario, person=owner, team="marops")
    step = StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=owner))
    result = step_accountable(step)
    assert result.person is None and result.gap == "owner-outside-marops"
    assert result.reason == "The owner of “Lead routing”, Tom, holds no MarOps seat in the live chart."
    # As if the scenario were adopted: Tom's seat there is in MarOps.
    assert step_accountable(step, chart=scenario).person == owner


def test_an_inactive_owner_fails_before_their_seat_is_looked_at():
    owner = marops_person(name="Greg")
    owner.is_active = False
    owner.save()
    result = step_accountable(StepFactory(workflow=WorkflowFactory(name="Nurture", owner=owner)))
    assert result.person is None and result.gap == "owner-inactive"


def test_a_workflow_without_owner_names_nobody_and_says_why():
    step = StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=None))
    result = step_accountable(step)
    assert result.person is None
    assert result.reason == "The workflow “Lead routing” has no owner."


def test_an_inactive_owner_cannot_be_accountable():
    step = StepFactory(workflow=WorkflowFactory(name="Nurture", owner=PersonFactory(name="Greg", is_active=False)))
    result = step_accountable(step)
    assert result.person is None and "Greg, is inactive" in result.reason


def test_without_a_step_the_single_owner_of_the_agents_workflows_is_named():
    owner = marops_person()
    agent = AgentFactory()
    StepFactory(agent=agent, workflow=WorkflowFactory(owner=owner))
    StepFactory(agent=agent, workflow=WorkflowFactory(owner=owner))
    assert agent_accountable(agent).person == owner


def test_without_a_step_several_owners_name_nobody():
    agent = AgentFactory(name="Copy bot")
    StepFactory(agent=agent, workflow=WorkflowFactory(name="Campaign launch"))
    StepFactory(agent=agent, workflow=WorkflowFactory(name="Event follow-up"))
    result = agent_accountable(agent)
    assert result.person is None
    assert "different owners (Campaign launch, Event follow-up)" in result.reason


def test_an_agent_in_no_workflow_names_nobody():
    result = agent_accountable(AgentFactory(name="Intent bot"))
    assert result.person is None and "acts in no workflow" in result.reason


def test_without_a_step_the_buyer_facing_workflows_decide_in_two_queries(django_assert_num_queries):
    buyer_owner, internal_owner = marops_person(name="Dana"), marops_person(name="Lee")
    agent = AgentFactory(name="Reply bot")
    StepFactory(agent=agent, is_buyer_facing=True, workflow=WorkflowFactory(owner=buyer_owner))
    StepFactory(agent=agent, is_buyer_facing=True, workflow=WorkflowFactory(owner=buyer_owner))
    StepFactory(agent=agent, is_buyer_facing=False, workflow=WorkflowFactory(owner=internal_owner))
    with django_assert_num_queries(2):  # the agent's workflows, then the owner's seats
        result = agent_accountable(agent)
    assert result.person == buyer_owner


def test_without_a_step_internal_workflows_count_when_the_agent_faces_no_buyer():
    owner = marops_person()
    agent = AgentFactory()
    StepFactory(agent=agent, is_buyer_facing=False, workflow=WorkflowFactory(owner=owner))
    StepFactory(agent=agent, is_buyer_facing=False, workflow=WorkflowFactory(owner=owner))
    assert agent_accountable(agent).person == owner
