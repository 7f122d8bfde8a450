# ruff: noqa: E501  (the tables read one row to a line)
"""Every write checks the same rule as its screen (issue 12, item 6).

The table below tries each write endpoint (every POST URL of the apps and the API's writes) on an
object in a state that forbids it, as a superuser (so no permission is what refuses it: the state is).
Each must answer with a message, in the site's layout (or the API's JSON), and change nothing.
`test_every_write_endpoint_is_in_the_table` fails when a write URL is added without a row or a reason."""

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from governance.models import CorrectiveAction, Incident, KillSwitchEvent, PolicyDecision, Review
from governance.selectors import incident_timeline
from governance.services import corrective_action_add, incident_create, review_submit
from marops.tokens import api_token_create
from roles.models import Chart, Person, Position
from tests.factories import (
    AgentFactory,
    ChartFactory,
    PersonFactory,
    PlatformFactory,
    PositionFactory,
    StepFactory,
    WorkflowFactory,
    role,
)
from tests.hr.test_views import an_applied_import
from tests.hr.test_views import mapping_data as hr_mapping
from tests.webhooks.helpers import a_pending_delivery
from workflows.models import Agent, OwnershipFlag, Step, Workflow
from workflows.services import workflow_archive

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """One object in each state that forbids something."""

    user: User
    head: Person
    live: Chart
    live_root: Position
    archived: Chart
    archived_seat: Position
    deleted_workflow: Workflow
    deleted_step: Step
    resolved: Incident
    action: CorrectiveAction
    retired: Agent
    paused: Agent
    active: Agent
    ids: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    user = User.objects.create_superuser("root", "root@example.com", "pw")
    head = PersonFactory(name="Dana Whitfield", user=user)
    live = ChartFactory(name="Live", status="live")
    live_root = PositionFactory(chart=live, title="CMO", team="executive", roles=[role("cmo")])
    PositionFactory(
        chart=live, title="Head of MarOps", person=head, reports_to=live_root, roles=[role("head-of-marops")]
    )
    archived = ChartFactory(name="2022 org", status="archived")
    archived_root = PositionFactory(chart=archived, title="CMO", team="executive")
    archived_seat = PositionFactory(chart=archived, title="Marketo admin", reports_to=archived_root)

    deleted_step = StepFactory(workflow=WorkflowFactory(name="Webinars", owner=head))
    deleted_workflow = workflow_archive(workflow=deleted_step.workflow)

    step = StepFactory(workflow=WorkflowFactory(name="Lead routing", owner=head))
    incident = incident_create(
        reporter=user,
        agent=step.agent,
        step=step,
        summary="Wrong price",
        description="It quoted £49.",
        severity="high",
        occurred_at=timezone.now(),
    )
    action = corrective_action_add(
        review=incident.review, description="Fix the price list", assignee=head, due_on=timezone.localdate()
    )
    review_submit(
        review=incident.review,
        expected_version=incident.review.version,
        root_cause="data",
        analysis="Stale prices.",
        accountable_owner=head,
        resolve=True,
        by=user,
    )
    return World(
        user=user,
        head=head,
        live=live,
        live_root=live_root,
        archived=archived,
        archived_seat=archived_seat,
        deleted_workflow=deleted_workflow,
        deleted_step=deleted_step,
        resolved=incident,
        action=action,
        retired=AgentFactory(name="Old bot", status="retired"),
        paused=AgentFactory(name="Paused bot", status="paused"),
        active=step.agent,
    )


def everything() -> dict[str, list[tuple[Any, ...]]]:
    """What a refused write must leave as it was: every row these writes touch."""
    return {
        "charts": list(Chart.objects.order_by("pk").values_list("pk", "name", "status")),
        "positions": list(Position.objects.order_by("pk").values_list("pk", "chart", "title", "person", "reports_to")),
        "workflows": list(Workflow.objects.order_by("pk").values_list("pk", "name", "status", "owner", "archived_at")),
        "steps": list(Step.objects.order_by("pk").values_list("pk", "workflow", "order", "name", "mode", "agent")),
        "agents": list(Agent.objects.order_by("pk").values_list("pk", "status", "allowed_mode")),
        "incidents": list(Incident.objects.order_by("pk").values_list("pk", "severity")),
        "reviews": list(Review.objects.order_by("pk").values_list("pk", "status", "root_cause", "analysis", "version")),
        "actions": list(CorrectiveAction.objects.order_by("pk").values_list("pk", "description", "is_done")),
        "switches": list(KillSwitchEvent.objects.order_by("pk").values_list("pk")),
        "calls": list(PolicyDecision.objects.order_by("pk").values_list("pk")),
        "flags": list(OwnershipFlag.objects.order_by("pk").values_list("pk", "resolved_at")),
    }


@dataclass(frozen=True)
class Write:
    """One row of the table: a write (its URL name and the object it is sent to), the data it sends, and
    the refusal it must get."""

    name: str
    target: Callable[[World], Any]
    data: Callable[[World], dict[str, Any]]
    says: str

    def url(self, w: World) -> str:
        return reverse(self.name, args=[self.target(w).pk])


@dataclass(frozen=True)
class ApiWrite:
    method: str
    path: str
    target: Callable[[World], Any]
    data: Callable[[World], dict[str, Any]]
    says: str


def position_form(w: World, **extra: Any) -> dict[str, Any]:
    return {"title": "Demand gen lead", "team": "demand_gen", "level": "manager", "roles": [role("cmo").pk], **extra}


def step_form(w: World) -> dict[str, Any]:
    return {"name": "Score", "platform": PlatformFactory().pk, "mode": "human"}


def nothing(w: World) -> dict[str, Any]:
    return {}


def reason(w: World) -> dict[str, Any]:
    return {"reason": "Testing the rules."}


READ_ONLY = "kept read-only as history"
DELETED = "was deleted on"

# URL × state → the refusal. The states: an archived (former live) chart, the live chart, a deleted
# (archived) workflow, a resolved review, a retired, a paused and an active agent.
TABLE: list[Write] = [
    # An archived chart is history: nothing in it changes.
    Write("roles:position-create", lambda w: w.archived, lambda w: position_form(w, reports_to=w.archived_seat.pk), READ_ONLY),
    Write("roles:position-edit", lambda w: w.archived_seat, lambda w: position_form(w, reports_to=w.archived_seat.reports_to_id), READ_ONLY),
    Write("roles:position-delete", lambda w: w.archived_seat, nothing, READ_ONLY),
    Write("roles:position-vacate", lambda w: w.archived_seat, nothing, READ_ONLY),
    Write("roles:position-move", lambda w: w.archived_seat, lambda w: {"reports_to": w.archived_seat.reports_to_id}, READ_ONLY),
    Write("roles:chart-adopt", lambda w: w.archived, nothing, "Only a scenario can be adopted"),
    Write("roles:chart-delete", lambda w: w.archived, nothing, "Only scenarios can be deleted"),
    # The live chart is the organisation: replaced by adopting a scenario, never deleted; its top stays.
    Write("roles:chart-delete", lambda w: w.live, nothing, "Only scenarios can be deleted"),
    Write("roles:chart-adopt", lambda w: w.live, nothing, "Only a scenario can be adopted"),
    Write("roles:position-delete", lambda w: w.live_root, nothing, "top position of a chart cannot be removed"),
    # A deleted workflow is archived: kept, read-only.
    Write("workflows:workflow-edit", lambda w: w.deleted_workflow, lambda w: {"workflow-name": "Webinars 2", "workflow-status": "active"}, DELETED),
    Write("workflows:workflow-owner", lambda w: w.deleted_workflow, lambda w: {"owner": ""}, DELETED),
    Write("workflows:step-create", lambda w: w.deleted_workflow, step_form, DELETED),
    Write("workflows:step-edit", lambda w: w.deleted_step, step_form, DELETED),
    Write("workflows:step-delete", lambda w: w.deleted_step, nothing, DELETED),
    # A resolved review is closed; its corrective actions can still be ticked off (tests below).
    Write("governance:review-update", lambda w: w.resolved, lambda w: {"version": w.resolved.review.version, "root_cause": "policy"}, "it can no longer be changed"),
    Write("governance:action-add", lambda w: w.resolved, lambda w: {"description": "More", "assignee": w.head.pk, "due_on": "2026-06-01"}, "add follow-up actions to a new incident"),
    # Severity is only ever raised (the incident is high); a resolved review is reopened only from the page showing its current version.
    Write("governance:incident-escalate", lambda w: w.resolved, lambda w: {"severity": "medium", "reason": "Less bad."}, "The incident is already high"),
    Write("governance:incident-reopen", lambda w: w.resolved, lambda w: {"version": w.resolved.review.version - 1, "reason": "Again."}, "Someone else changed this review"),
    # Retired is for good; a paused agent is resumed, not paused again; an active one is not "resumed",
    # and retires only once it acts in no workflow.
    Write("governance:agent-policy", lambda w: w.retired, lambda w: {"allowed_mode": "autonomous", "rationale": "Why not."}, "is retired"),
    Write("governance:agent-pause", lambda w: w.retired, reason, "is retired, not active"),
    Write("governance:agent-resume", lambda w: w.retired, reason, "is not paused"),
    Write("governance:agent-retire", lambda w: w.retired, reason, "is already retired"),
    Write("governance:agent-pause", lambda w: w.paused, reason, "is paused, not active"),
    Write("governance:agent-resume", lambda w: w.active, reason, "is not paused"),
    Write("governance:agent-retire", lambda w: w.active, reason, "still acts in"),
    # Someone who has left (deactivated) cannot leave again: what they still hold is handed on from findings.
    Write("governance:person-leave", lambda w: PersonFactory(name="Gone", is_active=False), lambda w: {"reason": "Left.", "action": "confirm"}, "is not an active member"),
    # An applied people import is done: it is not remapped, recorrected or applied again (upload the file again).
    Write("hr:people-import-mapping", lambda w: an_applied_import(w.user), lambda w: hr_mapping(), "has been applied"),
    Write("hr:people-import-roles", lambda w: an_applied_import(w.user), lambda w: {"remember": "on"}, "has been applied"),
    Write("hr:people-import-detail", lambda w: an_applied_import(w.user), lambda w: {"target": "scenario", "scenario_name": "Again"}, "has been applied"),
    # A delivery still being sent is not sent twice at once.
    Write("webhooks:delivery-resend", lambda w: a_pending_delivery(), nothing, "This delivery is still being sent"),
]  # fmt: skip

API_TABLE: list[ApiWrite] = [
    ApiWrite("PUT", "/workflows/{workflow_id}/owner", lambda w: w.deleted_workflow, lambda w: {"owner_email": None}, DELETED),
    ApiWrite("POST", "/incidents/{incident_id}/resolve", lambda w: w.resolved, lambda w: {"root_cause": "policy", "accountable_owner_email": w.head.email}, "it can no longer be changed"),
    ApiWrite("POST", "/agents/{agent_id}/pause", lambda w: w.retired, reason, "is retired, not active"),
    ApiWrite("POST", "/agents/{agent_id}/pause", lambda w: w.paused, reason, "is paused, not active"),
]  # fmt: skip


def case_id(write: Write | ApiWrite) -> str:
    return f"{getattr(write, 'name', None) or write.path} · {write.says}"


@pytest.mark.parametrize("write", TABLE, ids=case_id)
def test_a_write_the_state_forbids_is_refused_with_a_message_and_changes_nothing(client, world, write):
    case = case_id(write)
    client.force_login(world.user)
    before = everything()
    response = client.post(write.url(world), write.data(world), follow=True)
    page = response.content.decode()
    assert response.status_code in {200, 403, 409, 422}, case
    assert write.says in page, case
    assert '<main id="main"' in page, f"{case}: not in the site's layout"
    assert everything() == before, case


@pytest.mark.parametrize("write", API_TABLE, ids=case_id)
def test_an_api_write_the_state_forbids_is_refused_with_a_message_and_changes_nothing(client, world, write):
    case = case_id(write)
    _, key = api_token_create(user=world.user, name="rules")
    before = everything()
    url = "/api/v1" + re.sub(r"{\w+}", str(write.target(world).pk), write.path)
    send = getattr(client, write.method.lower())
    response = send(url, write.data(world), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 422, (case, response.content)
    assert write.says in response.content.decode(), case
    assert everything() == before, case


def test_a_refused_step_edit_in_the_htmx_editor_says_why(client, world):
    client.force_login(world.user)
    before = everything()
    response = client.post(
        reverse("workflows:step-edit", args=[world.deleted_step.pk]), step_form(world), HTTP_HX_REQUEST="true"
    )
    assert DELETED in response.content.decode() and response["HX-Retarget"] == "#editor"
    assert everything() == before


# Writes no state forbids: each creates something new, or changes what has no state to respect.
STATELESS = {
    "roles:chart-import": "creates a new scenario",
    "roles:chart-clone": "any chart, an archived one included, can be copied into a new scenario",
    "workflows:workflow-create": "creates a new workflow",
    "workflows:inventory-import": "creates or replaces workflows from a file (CSV rules, tests/workflows/test_csv_io.py)",
    "workflows:platform-create": "creates a new platform",
    "governance:incident-log": "a new incident; a retired agent's past incidents can still be logged",
    "governance:data-source-list": "the register has no states",
    "governance:knowledge-asset-list": "the register has no states",
    "governance:output-audit-add": "an audit of any asset",
    "governance:action-toggle": "allowed in every state, recorded in the timeline (tests below)",
    "roles:person-create": "creates a new person (the e-mail rule: tests/roles/test_people.py)",
    "roles:person-edit": "anyone, planned or inactive, can be corrected (tests/roles/test_people.py)",
    "plan-update": "the plan has no states",
    "profile": "the user's own API tokens",
    "notifications:unsubscribe": "the signed link's own person and topic; any state (tests/notifications)",
    "login": "Django's",
    "logout": "Django's",
    "password_change": "Django's: the user's own password",
    "password_reset": "Django's: sends a reset link",
    "password_reset_confirm": "Django's: sets the password from a reset link",
    "hr:people-import": "an upload creates a new import (bad files: tests/hr/test_views.py)",
    "webhooks:endpoint-new": "creates a new endpoint",
    "webhooks:endpoint-edit": "an endpoint, enabled or disabled, can be corrected",
    "webhooks:endpoint-enable": "enabling an enabled endpoint changes nothing (tests/webhooks/test_pages.py)",
    "webhooks:endpoint-disable": "disabling a disabled endpoint changes nothing",
    "webhooks:endpoint-test": "a test event goes even to a disabled endpoint, to check a fix",
    "webhooks:endpoint-delete": "any endpoint can be deleted, with its delivery log",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _methods(view: Any) -> set[str] | None:
    """The HTTP methods a view allows, from Django's require_http_methods; None if it does not say."""
    if hasattr(view, "view_class"):  # a class-based view answers the methods it defines
        return {m.upper() for m in view.view_class.http_method_names if hasattr(view.view_class, m)}
    while view is not None:
        allowed = (
            inspect.getclosurevars(view).nonlocals.get("request_method_list") if inspect.isfunction(view) else None
        )
        if allowed is not None:
            return set(allowed)
        view = getattr(view, "__wrapped__", None)
    return None


def _named_urls(resolver: URLResolver, namespace: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api"}:  # Django's admin; the API has its own table
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[f"{namespace}{pattern.name}"] = pattern.callback
    return found


def test_every_write_endpoint_is_in_the_table():
    writes = {
        name for name, view in _named_urls(get_resolver()).items() if (_methods(view) or WRITE_METHODS) & WRITE_METHODS
    }
    tried = {write.name for write in TABLE}
    assert sorted(writes - tried - set(STATELESS)) == [], (
        "Add a row to TABLE (or a reason to STATELESS) for each write URL"
    )


def test_every_api_write_is_in_the_api_table():
    from marops.api import api

    writes = {
        (method, path)
        for _, router in api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
        if method in WRITE_METHODS
    }
    stateless = {("POST", "/incidents")}  # logs a new incident
    assert writes - {(write.method, write.path) for write in API_TABLE} - stateless == set()


def test_a_resolved_reviews_actions_can_still_be_ticked_off_and_reopened_and_the_timeline_says_who(client, world):
    client.force_login(world.user)
    page = client.get(reverse("governance:incident-detail", args=[world.resolved.pk])).content.decode()
    toggle = reverse("governance:action-toggle", args=[world.action.pk])
    assert f'action="{toggle}"' in page  # the button is there on a resolved review

    response = client.post(toggle, {"done": "1"}, follow=True)
    assert response.status_code == 200 and "Done: Fix the price list" in response.content.decode()
    assert CorrectiveAction.objects.get(pk=world.action.pk).is_done
    client.post(toggle, {"done": "1"})  # a second click on a stale page changes nothing
    client.post(toggle, {"done": "0"})
    assert not CorrectiveAction.objects.get(pk=world.action.pk).is_done

    review = Review.objects.get(incident=world.resolved)
    assert review.is_resolved  # ticking off does not reopen the review
    ticks = [(e.who, e.what) for e in incident_timeline(world.resolved) if e.what.startswith("Action ")]
    assert ticks[1:] == [("root", "Action done: Fix the price list"), ("root", "Action reopened: Fix the price list")]


def test_staff_tick_off_a_resolved_reviews_action_on_the_page(client, world, staff):
    client.force_login(staff)
    toggle = reverse("governance:action-toggle", args=[world.action.pk])
    page = client.get(reverse("governance:incident-detail", args=[world.resolved.pk])).content.decode()
    assert f'action="{toggle}"' in page and 'name="done" value="1"' in page
    assert reverse("governance:action-add", args=[world.resolved.pk]) not in page  # no new actions once resolved
    client.post(toggle, {"done": "1"})
    assert CorrectiveAction.objects.get(pk=world.action.pk).is_done
    assert incident_timeline(world.resolved)[-1].what == "Action done: Fix the price list"
    assert incident_timeline(world.resolved)[-1].who == staff.username
