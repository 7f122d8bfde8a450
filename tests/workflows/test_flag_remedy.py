"""Each flag says where it is fixed; the flag list only shows the link (issue 11)."""

import pytest
from django.urls import reverse

from workflows.choices import FlagKind
from workflows.models import Agent, OwnershipFlag, Remedy, Step, Workflow

ROUTING = Workflow(pk=12, name="Lead routing")
COPY_BOT = Agent(pk=3, name="Campaign Copy Assistant")
ROUTING_URL = reverse("workflows:workflow-detail", args=[12])


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (FlagKind.WORKFLOW_WITHOUT_OWNER, "Assign an owner"),
        (FlagKind.OWNER_INACTIVE, "Assign an owner"),
        (FlagKind.OWNER_OUTSIDE_MAROPS, "Assign a MarOps owner"),
    ],
)
def test_a_workflow_flag_sends_you_to_the_workflow_to_assign_its_owner(kind, label):
    flag = OwnershipFlag(kind=kind, subject_key="workflow:12", workflow=ROUTING)
    assert flag.remedy == Remedy(label, ROUTING_URL)


def test_a_step_with_nobody_accountable_sends_you_to_its_workflow_to_give_it_an_active_owner():
    step = Step(pk=40, workflow=ROUTING, name="Score the lead")
    flag = OwnershipFlag(kind=FlagKind.NO_SINGLE_ACCOUNTABLE, subject_key="step:40", step=step, workflow=ROUTING)
    assert flag.remedy == Remedy("Give “Lead routing” an active owner", ROUTING_URL)


def test_an_agent_in_no_workflow_sends_you_to_the_agent():
    flag = OwnershipFlag(kind=FlagKind.AGENT_IN_NO_WORKFLOW, subject_key="agent:3", agent=COPY_BOT)
    assert flag.remedy == Remedy(
        "Put Campaign Copy Assistant in a workflow step, or pause or retire it",
        reverse("governance:agent-detail", args=[3]),
    )


def test_an_incident_flag_sends_you_to_the_incident_review_even_when_it_names_a_workflow_and_agent():
    flag = OwnershipFlag(
        kind=FlagKind.INCIDENT_WITHOUT_OWNER, subject_key="incident:1234", workflow=ROUTING, agent=COPY_BOT
    )
    assert flag.incident_id == 1234
    assert flag.remedy == Remedy(
        "Name the accountable owner in the review", reverse("governance:incident-detail", args=[1234])
    )


def test_only_an_incident_flag_has_an_incident():
    assert OwnershipFlag(kind=FlagKind.WORKFLOW_WITHOUT_OWNER, subject_key="workflow:12").incident_id is None


def test_a_flag_about_nothing_linkable_has_no_remedy():
    assert OwnershipFlag(kind=FlagKind.OWNER_INACTIVE, subject_key="workflow:12").remedy is None


def test_every_kind_has_a_remedy():
    """A new kind must say where it is fixed, or this fails (the scan sets the subject each kind names)."""
    subjects = {
        FlagKind.WORKFLOW_WITHOUT_OWNER: {"workflow": ROUTING},
        FlagKind.OWNER_OUTSIDE_MAROPS: {"workflow": ROUTING},
        FlagKind.OWNER_INACTIVE: {"workflow": ROUTING},
        FlagKind.AGENT_IN_NO_WORKFLOW: {"agent": COPY_BOT},
        FlagKind.NO_SINGLE_ACCOUNTABLE: {"workflow": ROUTING},
        FlagKind.INCIDENT_WITHOUT_OWNER: {"subject_key": "incident:1"},
    }
    assert set(subjects) == set(FlagKind)
    for kind, subject in subjects.items():
        assert OwnershipFlag(kind=kind, **subject).remedy is not None, kind
