import pytest

from tests.factories import AgentFactory, PersonFactory, StepFactory, WorkflowFactory
from workflows.accountability import step_accountable
from workflows.selectors import agent_accountable

pytestmark = pytest.mark.django_db


def test_the_owner_of_the_steps_workflow_is_accountable():
    owner = PersonFactory(name="Dana Whitfield")
    step = StepFactory(workflow=WorkflowFactory(owner=owner))
    result = step_accountable(step)
    assert result.person == owner and result.passes and result.reason == ""


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
    owner = PersonFactory()
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


def test_without_a_step_the_buyer_facing_workflows_decide_in_one_query(django_assert_num_queries):
    buyer_owner, internal_owner = PersonFactory(name="Dana"), PersonFactory(name="Lee")
    agent = AgentFactory(name="Reply bot")
    StepFactory(agent=agent, is_buyer_facing=True, workflow=WorkflowFactory(owner=buyer_owner))
    StepFactory(agent=agent, is_buyer_facing=True, workflow=WorkflowFactory(owner=buyer_owner))
    StepFactory(agent=agent, is_buyer_facing=False, workflow=WorkflowFactory(owner=internal_owner))
    with django_assert_num_queries(1):
        result = agent_accountable(agent)
    assert result.person == buyer_owner


def test_without_a_step_internal_workflows_count_when_the_agent_faces_no_buyer():
    owner = PersonFactory()
    agent = AgentFactory()
    StepFactory(agent=agent, is_buyer_facing=False, workflow=WorkflowFactory(owner=owner))
    StepFactory(agent=agent, is_buyer_facing=False, workflow=WorkflowFactory(owner=owner))
    assert agent_accountable(agent).person == owner
