"""Workflows and steps keep their history: who changed what, when, and how (screen, import, API)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.factories import PersonFactory, StepFactory, UserFactory, WorkflowFactory
from workflows.history import IMPORTED, workflow_history
from workflows.models import Agent, Step, Workflow
from workflows.services import StepData, step_delete, step_save, workflow_assign_owner, workflow_save

pytestmark = pytest.mark.django_db

SHEET = (
    "workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles\n"
    "Renewals,true,dana@example.com,1,Draft renewal e-mail,OpenAI,ai_assisted,Copy Bot,Copy,true,\n"
    "Renewals,true,dana@example.com,2,Send,Marketo,human,,Go,true,\n"
)


@pytest.fixture
def dana(db):
    return PersonFactory(name="Dana", email="dana@example.com")


def test_an_owner_changed_on_the_page_records_who_changed_it(leader_client, leader, dana):
    workflow = WorkflowFactory(name="Renewals", owner=None)
    response = leader_client.post(f"/workflows/{workflow.pk}/owner/", {"owner": dana.pk})
    assert response.status_code == 302
    record = Workflow.history.filter(id=workflow.pk).latest()
    assert (record.owner_id, record.history_user, record.history_change_reason) == (dana.pk, leader, None)
    assert workflow_history(workflow)[0].how == "screen"


def test_the_import_command_records_its_reason(tmp_path, dana):
    path = tmp_path / "inventory.csv"
    path.write_text(SHEET)
    call_command("import_workflows", str(path))
    workflow = Workflow.objects.get(name="Renewals")
    assert {r.history_change_reason for r in Workflow.history.filter(id=workflow.pk)} == {IMPORTED}
    assert {r.history_change_reason for r in Step.history.filter(workflow_id=workflow.pk)} == {IMPORTED}
    path.write_text(SHEET.splitlines(keepends=True)[0] + SHEET.splitlines(keepends=True)[1])
    call_command("import_workflows", str(path))  # step 2 is dropped: its removal says how, too
    removed = Step.history.get(workflow_id=workflow.pk, history_type="-")
    assert (removed.name, removed.history_change_reason, removed.history_user) == ("Send", IMPORTED, None)
    assert {entry.how for entry in workflow_history(workflow)} == {"import"}


def test_the_import_page_records_its_reason_and_the_user(
    leader_client, leader, dana, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("inventory.csv", SHEET.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):  # the worker's job, with the uploader as its user
        assert leader_client.post("/workflows/import/", {"file": upload}).status_code == 302
    record = Workflow.history.get(name="Renewals")
    assert (record.history_user, record.history_change_reason) == (leader, IMPORTED)


def test_the_history_page_says_who_changed_the_owner_and_the_steps_when_and_how(leader_client, leader, dana):
    sam = PersonFactory(name="Sam")
    workflow = WorkflowFactory(name="Renewals", owner=dana)
    step = StepFactory(workflow=workflow, name="Draft renewal e-mail", mode="ai_assisted")
    leader_client.post(f"/workflows/{workflow.pk}/owner/", {"owner": sam.pk})
    workflow_save(workflow=workflow, name="Renewals (EMEA)", is_critical=True, status="active")
    old_agent, new_agent = step.agent.name, Agent.objects.create(name="Better Bot", allowed_mode="autonomous")
    step_save(
        workflow=workflow,
        step=step,
        data=StepData(name="Draft renewal", platform=step.platform, mode="ai_autonomous", agent=new_agent),
    )
    gone = StepFactory(workflow=workflow, name="Old step", mode="human", agent=None)
    step_delete(step=gone)
    page = leader_client.get(f"/workflows/{workflow.pk}/history/")
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "Owner: Dana → Sam",
        "Name: Renewals → Renewals (EMEA)",
        "Critical: no → yes",
        "Name: Draft renewal e-mail → Draft renewal",
        "Mode: AI-assisted → AI-autonomous",
        f"Agent: {old_agent} → Better Bot",
        "“Old step” created",
        "“Old step” removed",
        leader.username,
        "screen",
    ):
        assert expected in text, expected
    detail = leader_client.get(f"/workflows/{workflow.pk}/").content.decode()
    assert f'href="/workflows/{workflow.pk}/history/"' in detail


def test_the_history_page_takes_the_same_few_queries_however_long_the_history(
    client, leader, dana, django_assert_max_num_queries
):
    client.force_login(leader)
    workflow = WorkflowFactory(name="Renewals", owner=dana)
    people = PersonFactory.create_batch(3)
    steps = StepFactory.create_batch(5, workflow=workflow)
    for round_ in range(10):
        workflow_assign_owner(workflow=workflow, owner=people[round_ % 3])
        for step in steps:
            step.name = f"{step.name.split(' #')[0]} #{round_}"
            step.save()
    # the session, its user and their two sets of permissions, the workflow, its records and its steps'
    # records (people, agents, platforms and users joined in)
    with django_assert_max_num_queries(7):
        page = client.get(f"/workflows/{workflow.pk}/history/")
    assert page.status_code == 200 and page.content.decode().count("<tr>") > 60


def test_the_history_page_needs_the_view_permission(client, db):
    workflow = WorkflowFactory()
    client.force_login(UserFactory(username="nobody"))
    assert client.get(f"/workflows/{workflow.pk}/history/").status_code == 403
