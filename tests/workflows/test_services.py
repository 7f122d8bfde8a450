import pytest
from django.core.exceptions import ValidationError

from tests.factories import (
    AgentFactory,
    IncidentFactory,
    PersonFactory,
    PlatformFactory,
    StepFactory,
    WorkflowFactory,
)
from workflows.models import Step
from workflows.services import StepData, step_delete, step_save, workflow_assign_owner, workflow_save

pytestmark = pytest.mark.django_db


def data(**overrides):
    values = {"name": "Draft reply", "platform": PlatformFactory(), "mode": "human"}
    return StepData(**(values | overrides))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"mode": "ai_assisted"}, "agent", "An AI-assisted step needs the agent acting in it."),
        ({"platform": None}, "platform", "Every step runs on a platform"),
        ({"name": "  "}, "name", "Give the step a name."),
        ({"agent": "any"}, "agent", "A human step has no agent"),
    ],
)
def test_bad_steps_are_refused_with_the_reason_and_nothing_is_saved(overrides, field, message):
    workflow = WorkflowFactory()
    if overrides.get("agent") == "any":
        overrides["agent"] = AgentFactory()
    with pytest.raises(ValidationError) as refused:
        step_save(workflow=workflow, data=data(**overrides))
    assert message in refused.value.message_dict[field][0]
    assert not Step.objects.filter(workflow=workflow).exists()


def test_an_agent_governance_does_not_allow_in_that_mode_is_refused():
    assisted_only = AgentFactory(name="Copy bot", allowed_mode="assisted")
    prohibited = AgentFactory(name="Banned bot", allowed_mode="prohibited")
    workflow = WorkflowFactory()
    with pytest.raises(ValidationError, match="Governance allows Copy bot “Assisted only”"):
        step_save(workflow=workflow, data=data(mode="ai_autonomous", agent=assisted_only))
    with pytest.raises(ValidationError, match="Banned bot “Prohibited”"):
        step_save(workflow=workflow, data=data(mode="ai_assisted", agent=prohibited))
    assert step_save(workflow=workflow, data=data(mode="ai_assisted", agent=assisted_only)).order == 1


def test_steps_stay_numbered_when_one_is_inserted_moved_or_removed():
    workflow = WorkflowFactory()
    for name in ["a", "b", "c"]:
        step_save(workflow=workflow, data=data(name=name))
    step_save(workflow=workflow, data=data(name="first", order=1))
    assert list(workflow.steps.order_by("order").values_list("name", flat=True)) == ["first", "a", "b", "c"]
    c = workflow.steps.get(name="c")
    step_save(workflow=workflow, data=data(name="c", order=2), step=c)
    assert list(workflow.steps.order_by("order").values_list("name", "order")) == [
        ("first", 1),
        ("c", 2),
        ("a", 3),
        ("b", 4),
    ]
    step_delete(step=workflow.steps.get(name="first"))
    assert list(workflow.steps.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_a_step_with_incidents_cannot_be_removed():
    incident = IncidentFactory()
    with pytest.raises(ValidationError, match="has incidents logged against it"):
        step_delete(step=incident.step)


def test_workflow_names_are_unique_and_inactive_owners_refused():
    WorkflowFactory(name="Lead routing")
    with pytest.raises(ValidationError, match="already a workflow called “Lead routing”"):
        workflow_save(name="lead routing")
    with pytest.raises(ValidationError, match="inactive"):
        workflow_assign_owner(workflow=WorkflowFactory(), owner=PersonFactory(is_active=False))


def test_an_owner_is_one_person_and_can_be_removed():
    workflow = WorkflowFactory(owner=None)
    dana = PersonFactory(name="Dana")
    assert workflow_assign_owner(workflow=workflow, owner=dana).owner == dana
    assert workflow_assign_owner(workflow=workflow, owner=None).owner is None
    StepFactory(workflow=workflow)


def test_moving_a_step_later_puts_it_exactly_there():
    workflow = WorkflowFactory()
    for name in ["a", "b", "c", "d", "e"]:
        step_save(workflow=workflow, data=data(name=name))
    b = workflow.steps.get(name="b")
    step_save(workflow=workflow, data=data(name="b", order=4), step=b)
    assert list(workflow.steps.order_by("order").values_list("name", flat=True)) == ["a", "c", "d", "b", "e"]
    step_save(workflow=workflow, data=data(name="b", order=5), step=workflow.steps.get(name="b"))
    assert list(workflow.steps.order_by("order").values_list("name", flat=True)) == ["a", "c", "d", "e", "b"]
    step_save(workflow=workflow, data=data(name="b", order=99), step=workflow.steps.get(name="b"))
    assert list(workflow.steps.order_by("order").values_list("order", flat=True)) == [1, 2, 3, 4, 5]
