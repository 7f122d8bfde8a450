"""Flags are never stale: every change that affects who is accountable opens and resolves the affected
flags in its own transaction (ownership_refresh), through the services, the pages and Django admin.

Each test settles the flags with one scan, makes a change, checks the flags at once (no scan), and
then that a full scan finds nothing left to change: the refresh did exactly what the scan would do.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Incident
from governance.services import agent_pause, agent_resume, agent_retire, incident_create
from marops.demo import seed_demo
from roles.models import Chart, Person, Position
from roles.services import (
    chart_adopt,
    chart_clone,
    person_set_active,
    position_assign_person,
    position_data,
    position_delete,
    position_save,
)
from tests.factories import (
    AgentFactory,
    ChartFactory,
    PersonFactory,
    PlatformFactory,
    PositionFactory,
    StepFactory,
    WorkflowFactory,
)
from workflows.accountability import workflow_accountable
from workflows.choices import SCAN_KINDS
from workflows.csv_io import inventory_import_csv
from workflows.models import Agent, OwnershipFlag, Step, Workflow
from workflows.scan import ownership_refresh, ownership_scan
from workflows.services import StepData, step_delete, step_save, workflow_assign_owner, workflow_save

pytestmark = pytest.mark.django_db


@dataclass
class Org:
    """The live chart: Dana in a MarOps seat (the top one), Tom in a Sales ops seat; Sam has no seat."""

    chart: Chart
    dana: Person
    tom: Person
    sam: Person
    dana_seat: Position
    tom_seat: Position


@pytest.fixture
def org() -> Org:
    chart = ChartFactory(status="live", name="Live")
    dana, tom, sam = PersonFactory(name="Dana"), PersonFactory(name="Tom"), PersonFactory(name="Sam")
    dana_seat = PositionFactory(chart=chart, person=dana, team="marops", title="Head of MarOps")
    tom_seat = PositionFactory(
        chart=chart, person=tom, team="sales_ops", title="Salesforce admin", reports_to=dana_seat
    )
    return Org(chart, dana, tom, sam, dana_seat, tom_seat)


def owned(owner: Person | None) -> tuple[Workflow, Step]:
    """A workflow with one buyer-facing AI step, its flags settled by a scan."""
    step = StepFactory(workflow=WorkflowFactory(owner=owner))
    ownership_scan()
    return step.workflow, step


def open_flags(*, workflow: Workflow | None = None, agent: Agent | None = None) -> set[tuple[str, str]]:
    flags = OwnershipFlag.objects.filter(resolved_at__isnull=True, kind__in=SCAN_KINDS)
    if workflow is not None:
        flags = flags.filter(workflow=workflow)
    if agent is not None:
        flags = flags.filter(agent=agent)
    return set(flags.values_list("kind", "subject_key"))


def unowned(workflow: Workflow, step: Step) -> set[tuple[str, str]]:
    return {("workflow-without-owner", f"workflow:{workflow.pk}"), ("no-single-accountable", f"step:{step.pk}")}


def outside_marops(workflow: Workflow, step: Step) -> set[tuple[str, str]]:
    return {("owner-outside-marops", f"workflow:{workflow.pk}"), ("no-single-accountable", f"step:{step.pk}")}


def inactive(workflow: Workflow, step: Step) -> set[tuple[str, str]]:
    return {("owner-inactive", f"workflow:{workflow.pk}"), ("no-single-accountable", f"step:{step.pk}")}


def idle(agent: Agent) -> set[tuple[str, str]]:
    return {("agent-in-no-workflow", f"agent:{agent.pk}")}


def assert_scan_finds_nothing() -> None:
    result = ownership_scan()
    assert not result.changed, f"the scan still had to open {result.opened} and resolve {result.resolved}"


# --- a workflow's owner ---------------------------------------------------------------------------


def test_assigning_a_marops_owner_resolves_the_flags_at_once(org):
    workflow, step = owned(None)
    assert open_flags(workflow=workflow) == unowned(workflow, step)
    workflow_assign_owner(workflow=workflow, owner=org.dana)
    assert open_flags(workflow=workflow) == set()
    assert OwnershipFlag.objects.filter(workflow=workflow, resolved_at__isnull=False).count() == 2
    assert_scan_finds_nothing()


@pytest.mark.parametrize(
    ("who", "expected", "message"),
    [
        ("tom", outside_marops, "The owner of “{w}”, Tom, holds no MarOps seat in the live chart."),
        ("sam", outside_marops, "The owner of “{w}”, Sam, holds no seat in the live chart."),
        (None, unowned, "“{w}” has no owner."),
    ],
)
def test_an_owner_who_cannot_be_accountable_opens_the_flags_at_once(org, who, expected, message):
    workflow, step = owned(org.dana)
    assert open_flags(workflow=workflow) == set()
    workflow_assign_owner(workflow=workflow, owner=getattr(org, who) if who else None)
    assert open_flags(workflow=workflow) == expected(workflow, step)
    flag = OwnershipFlag.objects.get(workflow=workflow, step=None, resolved_at__isnull=True)
    assert flag.message.endswith(message.format(w=workflow.name))
    assert_scan_finds_nothing()


def test_assigning_an_owner_on_the_page_resolves_the_flags_in_its_request(org, leader_client):
    workflow, step = owned(org.tom)
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    response = leader_client.post(reverse("workflows:workflow-owner", args=[workflow.pk]), {"owner": org.dana.pk})
    assert response.status_code == 302
    assert open_flags(workflow=workflow) == set()
    flags_page = leader_client.get(reverse("workflows:flag-list"))
    assert f"/workflows/{workflow.pk}/" not in flags_page.content.decode()
    assert_scan_finds_nothing()


def test_the_flags_roll_back_with_the_change_that_moved_them(org):
    """The refresh runs in the change's own transaction: undone together, never one without the other."""
    workflow, step = owned(None)
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow_assign_owner(workflow=workflow, owner=org.dana)
        assert open_flags(workflow=workflow) == set()
        raise RuntimeError("the request failed after the service ran")
    workflow.refresh_from_db()
    assert workflow.owner is None and open_flags(workflow=workflow) == unowned(workflow, step)
    assert_scan_finds_nothing()


# --- people and seats -----------------------------------------------------------------------------


def test_deactivating_an_owner_flags_their_workflows_and_reactivating_clears_them(org):
    first, first_step = owned(org.dana)
    second, second_step = owned(org.dana)
    person_set_active(person=org.dana, is_active=False)
    assert open_flags() == inactive(first, first_step) | inactive(second, second_step)
    assert_scan_finds_nothing()
    person_set_active(person=org.dana, is_active=True)
    assert open_flags() == set()
    assert_scan_finds_nothing()


def test_a_seat_moved_to_another_team_flags_its_holders_workflows(org):
    workflow, step = owned(org.dana)
    data = position_data(org.dana_seat)
    data.team = "demand_gen"
    position_save(chart=org.chart, data=data, position=org.dana_seat)
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    assert_scan_finds_nothing()
    data.team = "marops"
    position_save(chart=org.chart, data=data, position=org.dana_seat)
    assert open_flags(workflow=workflow) == set()
    assert_scan_finds_nothing()


def test_a_person_moved_into_a_marops_seat_clears_and_the_one_vacated_flags(org):
    toms, toms_step = owned(org.tom)
    mias, mias_step = owned(mia := PersonFactory(name="Mia"))
    seat = PositionFactory(chart=org.chart, person=mia, team="marops", reports_to=org.dana_seat)
    ownership_scan()
    assert open_flags(workflow=toms) == outside_marops(toms, toms_step) and open_flags(workflow=mias) == set()
    position_assign_person(position=seat, person=None)  # Mia leaves her seat: a vacancy
    assert open_flags(workflow=mias) == outside_marops(mias, mias_step)
    position_assign_person(position=org.tom_seat, person=None)
    position_assign_person(position=seat, person=org.tom)  # Tom moves into the MarOps seat
    assert open_flags(workflow=toms) == set() and open_flags(workflow=mias) == outside_marops(mias, mias_step)
    assert_scan_finds_nothing()


def test_removing_a_seat_flags_its_holders_workflows(org):
    workflow, step = owned(org.tom)
    seat = PositionFactory(chart=org.chart, person=PersonFactory(name="Ana"), team="marops", reports_to=org.dana_seat)
    workflow_assign_owner(workflow=workflow, owner=seat.person)
    assert open_flags(workflow=workflow) == set()
    position_delete(position=seat)
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    assert "holds no seat" in OwnershipFlag.objects.get(workflow=workflow, step=None, resolved_at__isnull=True).message
    assert_scan_finds_nothing()


def test_editing_a_scenario_changes_no_flag_until_it_is_adopted(org):
    toms, toms_step = owned(org.tom)
    danas, _ = owned(org.dana)
    scenario = chart_clone(chart=org.chart, name="2026")
    scenario_tom = scenario.positions.get(person=org.tom)
    data = position_data(scenario_tom)
    data.team = "marops"
    before = list(OwnershipFlag.objects.order_by("pk").values_list("pk", "resolved_at"))
    position_save(chart=scenario, data=data, position=scenario_tom)
    position_assign_person(position=scenario.positions.get(person=org.dana), person=None)
    assert list(OwnershipFlag.objects.order_by("pk").values_list("pk", "resolved_at")) == before
    chart_adopt(chart=scenario)
    assert open_flags(workflow=toms) == set()
    assert open_flags(workflow=danas) == {("owner-outside-marops", f"workflow:{danas.pk}")} | {
        ("no-single-accountable", f"step:{s}") for s in danas.steps.values_list("pk", flat=True)
    }
    assert_scan_finds_nothing()
    workflow_assign_owner(workflow=danas, owner=org.tom)  # a refresh now asks the adopted chart
    assert open_flags(workflow=danas) == set()
    assert_scan_finds_nothing()


# --- steps, workflows, the inventory --------------------------------------------------------------


def step_data(step: Step, **changes) -> StepData:
    values = {
        "name": step.name,
        "platform": step.platform,
        "mode": step.mode,
        "agent": step.agent,
        "decision": step.decision,
        "is_buyer_facing": step.is_buyer_facing,
        "order": step.order,
    }
    return StepData(**(values | changes))


def test_adding_editing_and_removing_a_step_moves_its_flags(org):
    workflow = WorkflowFactory(owner=None)
    agent = AgentFactory(name="Copy bot")
    ownership_scan()
    assert open_flags() == {("workflow-without-owner", f"workflow:{workflow.pk}")} | idle(agent)
    step = step_save(
        workflow=workflow,
        data=StepData(
            name="Reply", platform=PlatformFactory(), mode="ai_autonomous", agent=agent, is_buyer_facing=True
        ),
    )
    assert open_flags() == unowned(workflow, step)  # the agent acts now, and its step has nobody accountable
    assert_scan_finds_nothing()
    step_save(workflow=workflow, data=step_data(step, mode="human", agent=None), step=step)
    assert open_flags() == {("workflow-without-owner", f"workflow:{workflow.pk}")} | idle(agent)
    assert_scan_finds_nothing()
    step_save(workflow=workflow, data=step_data(step, mode="ai_assisted", agent=agent), step=step)
    assert open_flags() == unowned(workflow, step)
    step_delete(step=step)
    assert open_flags() == {("workflow-without-owner", f"workflow:{workflow.pk}")} | idle(agent)
    assert_scan_finds_nothing()


def test_retiring_a_workflow_resolves_its_flags_and_reactivating_reopens_them(org):
    workflow, step = owned(None)
    workflow_save(name=workflow.name, status="retired", workflow=workflow)
    assert open_flags(workflow=workflow) == set()
    assert_scan_finds_nothing()
    workflow_save(name=workflow.name, status="active", workflow=workflow)
    assert open_flags(workflow=workflow) == unowned(workflow, step)
    assert_scan_finds_nothing()


def test_an_inventory_import_moves_the_flags_of_what_it_touched(org):
    fixed, fixed_step = owned(None)
    waiting = AgentFactory(name="Intent bot")
    ownership_scan()
    assert open_flags(agent=waiting) == idle(waiting)
    header = "workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles\n"
    rows = [
        f"{fixed.name},true,{org.dana.email},{fixed_step.order},Route,Salesforce,ai_autonomous,{fixed_step.agent},Who,true,",
        "Webinars,false,,1,Draft follow-up,OpenAI,ai_assisted,Intent bot,What,true,",
        "Webinars,false,,2,Pick send time,Marketo,ai_autonomous,Brand new bot,When,true,",
    ]
    summary = inventory_import_csv(text=header + "\n".join(rows) + "\n")
    assert summary.new_agents == ["Brand new bot"]
    webinars = Workflow.objects.get(name="Webinars")
    draft, send = webinars.steps.order_by("order")
    assert open_flags(workflow=fixed) == set()
    assert open_flags(workflow=webinars) == unowned(webinars, draft) | {("no-single-accountable", f"step:{send.pk}")}
    assert open_flags(agent=waiting) == set()  # it acts in a workflow now
    assert open_flags(agent=Agent.objects.get(name="Brand new bot")) == set()
    assert_scan_finds_nothing()


# --- agents ---------------------------------------------------------------------------------------


def test_pausing_resuming_and_retiring_an_agent_in_no_workflow(org):
    agent = AgentFactory(name="Intent bot")
    by = User.objects.create_user("lead")
    ownership_scan()
    assert open_flags() == idle(agent)
    agent_pause(agent=agent, reason="Too many false positives", by=by)
    assert open_flags() == idle(agent)  # paused, it still acts in no workflow
    assert_scan_finds_nothing()
    agent_resume(agent=agent, reason="Fixed", by=by)
    assert_scan_finds_nothing()
    agent_retire(agent=agent, reason="Never used", by=by)
    assert open_flags() == set()
    assert_scan_finds_nothing()


def test_an_agent_whose_last_step_goes_is_flagged_at_once(org):
    workflow, step = owned(org.dana)
    agent = step.agent
    step_save(workflow=workflow, data=step_data(step, mode="human", agent=None), step=step)
    assert open_flags() == idle(agent)
    assert_scan_finds_nothing()


# --- a refresh writes what the scan writes, touches only its subjects, in a fixed number of queries --


@pytest.mark.parametrize("who", [None, "tom", "sam", "gone"])
def test_a_refresh_writes_the_scans_messages_with_the_definitions_reason(org, who):
    owner = {"tom": org.tom, "sam": org.sam, "gone": PersonFactory(name="Gone", is_active=False)}.get(who)
    step = StepFactory(workflow=WorkflowFactory(owner=owner), name="Reply to buyer")
    agent = AgentFactory(name="Idle bot", status="paused")
    ownership_refresh(workflow_ids=[step.workflow_id], agent_ids=[agent.pk])
    reason = workflow_accountable(step.workflow).reason
    messages = dict(OwnershipFlag.objects.filter(resolved_at__isnull=True).values_list("subject_key", "message"))
    assert messages == {
        f"workflow:{step.workflow_id}": reason,
        f"step:{step.pk}": f"Nobody is accountable for the buyer-facing AI step “Reply to buyer”: {reason}",
        f"agent:{agent.pk}": "Idle bot is paused but acts in no workflow step: nobody owns what it does.",
    }
    OwnershipFlag.objects.all().delete()
    ownership_scan()
    assert dict(OwnershipFlag.objects.values_list("subject_key", "message")) == messages


def test_a_refresh_leaves_the_flags_of_other_workflows_as_they_were(org):
    mine, _ = owned(None)
    other, other_step = owned(None)
    idle_agent = AgentFactory(name="Idle bot")
    ownership_scan()
    Workflow.objects.filter(pk=other.pk).update(owner=org.dana)  # behind the services' back: only the scan sees it
    untouched = list(
        OwnershipFlag.objects.exclude(workflow=mine).order_by("pk").values_list("pk", "opened_at", "resolved_at")
    )
    workflow_assign_owner(workflow=mine, owner=org.dana)
    assert open_flags(workflow=mine) == set()
    assert (
        list(OwnershipFlag.objects.exclude(workflow=mine).order_by("pk").values_list("pk", "opened_at", "resolved_at"))
        == untouched
    )
    assert open_flags(workflow=other) == unowned(other, other_step) and open_flags(agent=idle_agent) == idle(idle_agent)
    result = ownership_scan()  # the safety net catches what went round the services
    assert {flag.subject_key for flag in result.resolved} == {f"workflow:{other.pk}", f"step:{other_step.pk}"}
    assert not result.opened


@pytest.mark.postgres  # SQLite diffs in Python (its query count differs), PostgreSQL in one statement
def test_assigning_an_owner_takes_the_same_few_queries_for_10_or_300_workflows(org):
    def assign_queries() -> int:
        workflow = Workflow.objects.filter(owner=None).first()
        with CaptureQueriesContext(connection) as queries:
            workflow_assign_owner(workflow=workflow, owner=org.dana)
        assert open_flags(workflow=workflow) == set()
        return len(queries.captured_queries)

    for i in range(10):
        StepFactory(workflow=WorkflowFactory(owner=None if i % 2 else org.dana))
    ownership_scan()
    small = assign_queries()
    for i in range(290):
        StepFactory(workflow=WorkflowFactory(owner=None if i % 2 else org.dana))
    ownership_scan()
    assert assign_queries() == small
    assert small <= 8  # the UPDATE, its history row, the lock and the one diff statement, with savepoints
    assert_scan_finds_nothing()


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_opens_exactly_the_flags_the_scan_would_and_a_reseed_restores_them():
    seed_demo()
    assert_scan_finds_nothing()
    follow_up = Workflow.objects.get(name="Event follow-up")
    assert open_flags(workflow=follow_up)
    workflow_assign_owner(workflow=follow_up, owner=Person.objects.get(name="Dana Whitfield"))
    assert open_flags(workflow=follow_up) == set()
    seed_demo()  # the demo's Event follow-up has no owner again, and its flags say so
    assert Workflow.objects.get(pk=follow_up.pk).owner is None
    assert open_flags(workflow=follow_up)
    assert_scan_finds_nothing()


# --- Django admin ---------------------------------------------------------------------------------


def admin_form(response) -> dict:
    """The POST body of an admin change page as it stands (its inlines included), to change one field."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def admin_save(client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = admin_form(client.get(url)) | {"_save": "Save"}
    for name, value in changes.items():
        if value is None or value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else str(value)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def admin_delete(client, obj):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def test_admin_deactivating_a_person_flags_their_workflows_at_once(org, admin_client):
    workflow, step = owned(org.dana)
    admin_save(admin_client, org.dana, is_active=False)
    assert open_flags(workflow=workflow) == inactive(workflow, step)
    assert_scan_finds_nothing()
    admin_save(admin_client, org.dana, is_active=True)
    assert open_flags(workflow=workflow) == set()
    assert_scan_finds_nothing()


def test_admin_changing_a_workflows_owner_or_status_moves_its_flags(org, admin_client):
    workflow, step = owned(None)
    admin_save(admin_client, workflow, owner=org.dana.pk)
    assert open_flags(workflow=workflow) == set()
    admin_save(admin_client, workflow, owner=org.tom.pk)
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    admin_save(admin_client, workflow, status="retired")
    assert open_flags(workflow=workflow) == set()
    assert_scan_finds_nothing()
    admin_save(admin_client, workflow, status="active")
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    assert_scan_finds_nothing()


def test_admin_editing_steps_inline_moves_their_flags(org, admin_client):
    workflow, step = owned(None)
    agent = step.agent
    admin_save(admin_client, workflow, **{"steps-0-mode": "human", "steps-0-agent": None})
    assert open_flags() == {("workflow-without-owner", f"workflow:{workflow.pk}")} | idle(agent)
    assert_scan_finds_nothing()
    admin_delete(admin_client, workflow)
    assert open_flags() == idle(agent)
    assert_scan_finds_nothing()


def test_admin_editing_and_deleting_a_step_moves_its_flags(org, admin_client):
    workflow, step = owned(None)
    first_agent, second_agent = step.agent, AgentFactory(name="Second bot")
    ownership_scan()
    admin_save(admin_client, step, agent=second_agent.pk)
    assert open_flags() == unowned(workflow, step) | idle(first_agent)
    admin_save(admin_client, step, is_buyer_facing=False)
    assert open_flags() == {("workflow-without-owner", f"workflow:{workflow.pk}")} | idle(first_agent)
    assert_scan_finds_nothing()
    admin_delete(admin_client, step)
    assert open_flags() == {("workflow-without-owner", f"workflow:{workflow.pk}")} | idle(first_agent) | idle(
        second_agent
    )
    assert_scan_finds_nothing()


def test_admin_seating_moving_and_removing_a_live_seat_moves_the_flags(org, admin_client):
    workflow, step = owned(org.sam)
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    seat = PositionFactory(chart=org.chart, person=None, team="marops", reports_to=org.dana_seat)
    admin_save(admin_client, seat, person=org.sam.pk)
    assert open_flags(workflow=workflow) == set()
    admin_save(admin_client, seat, team="content")
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    assert_scan_finds_nothing()
    admin_save(admin_client, seat, team="marops")
    assert open_flags(workflow=workflow) == set()
    admin_delete(admin_client, seat)
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    assert_scan_finds_nothing()


def test_admin_archiving_the_live_chart_flags_every_owner(org, admin_client):
    workflow, step = owned(org.dana)
    admin_save(admin_client, org.chart, status="archived")
    assert open_flags(workflow=workflow) == outside_marops(workflow, step)
    assert_scan_finds_nothing()


def test_admin_adding_retiring_and_pausing_an_agent_moves_its_flag(org, admin_client):
    response = admin_client.post(
        reverse("admin:workflows_agent_add"),
        {"name": "Intent bot", "status": "active", "allowed_mode": "assisted", "_save": "Save"},
    )
    assert response.status_code == 302
    agent = Agent.objects.get(name="Intent bot")
    assert open_flags() == idle(agent)
    admin_save(admin_client, agent, status="paused")
    assert open_flags() == idle(agent)
    assert_scan_finds_nothing()
    admin_save(admin_client, agent, status="retired")
    assert open_flags() == set()
    assert_scan_finds_nothing()


def test_admin_naming_a_reviews_accountable_owner_closes_the_incident_flag(org, admin_client):
    workflow, step = owned(None)
    incident = incident_create(
        reporter=User.objects.create_user("reporter"),
        agent=step.agent,
        step=step,
        summary="Wrong price quoted",
        description="It quoted last year's price.",
        severity="high",
        occurred_at=workflow.created_at,
    )
    incident_flag = OwnershipFlag.objects.filter(subject_key=f"incident:{incident.pk}", resolved_at__isnull=True)
    assert incident_flag.exists()
    admin_save(admin_client, Incident.objects.get(pk=incident.pk).review, accountable_owner=org.dana.pk)
    assert not incident_flag.exists()
    admin_save(admin_client, incident.review, accountable_owner=None)
    assert incident_flag.exists()
