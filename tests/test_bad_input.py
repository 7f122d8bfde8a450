"""Bad input is refused with a message naming the field, and changes nothing; it is never a 500.

Each value a user (or an integration) can type that the database cannot hold or that would break a
header, a CSV cell or a layout is thrown at each form and API endpoint that accepts it: a NUL
character, a line break or another control character in a one-line name, a NUL or control character
in longer text, a whole number beyond its column, and a date at either edge of the calendar
(year 0001 and 9999). The rules are one set (core/validators.py), so the page, the API and the CSV
imports answer alike."""

import datetime
import html
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.validators import INT_MAX
from governance.models import Incident, KnowledgeAsset
from marops.tokens import api_token_create
from roles.models import Chart, Person, Position
from tests.conftest import make_user
from workflows.models import Agent, Step, Workflow

pytestmark = pytest.mark.django_db

APPS = {"roles", "workflows", "governance", "marops"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the product's apps (history included)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.app_label in APPS
    }


# --- the bad values, by the kind of field they are thrown at ------------------------------------
# kind -> [(case id, value, what the answer must say)]
LINE = [
    ("newline", "Growth\nteam", "must be on one line"),
    ("carriage-return", "Growth\rteam", "must be on one line"),
    ("control", "Growth\x07team", "contains the control character U+0007"),
    ("nul", "Growth\x00team", "contains a NUL character"),
]
TEXT = [
    ("nul", "First line\nsecond\x00line", "contains a NUL character"),
    ("control", "First line\nsecond\x1bline", "contains the control character U+001B"),
]
INTEGER = [
    ("beyond-int", str(INT_MAX + 1), "must be at most 2,147,483,647"),
    ("beyond-bigint", str(10**20), "must be at most 2,147,483,647"),
]
DATE = [("year-9999", "9999-12-31", "is after 2099"), ("year-0001", "0001-01-01", "is before 2000")]
MOMENT = [
    ("year-9999", "9999-12-31T23:59", "That is in the future."),
    ("year-0001", "0001-01-01T00:00", "That is before 2000."),
]
VALUES = {"line": LINE, "text": TEXT, "integer": INTEGER, "date": DATE, "moment": MOMENT}


@dataclass
class Form:
    """A page's form: where it posts, a valid submission, and the label its messages use."""

    url: Callable[[], str]
    data: Callable[[], dict[str, Any]]
    fields: dict[str, tuple[str, str]]  # field -> (kind, label)
    user: str = "admin"
    headers: dict[str, str] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)  # "field/case" -> the form's own, earlier refusal


def scenario() -> Chart:
    return Chart.objects.get(name="Halcyon — 2026 target")


def seat() -> Position:
    return scenario().positions.get(title="Prompt and Knowledge Designer")


def seat_data() -> dict[str, Any]:
    position = seat()
    return {
        "title": position.title,
        "level": position.level,
        "team": position.team,
        "reports_to": position.reports_to_id,
        "roles": [role.pk for role in position.roles.all()],
        "salary": "",
    }


def routing() -> Workflow:
    return Workflow.objects.get(name="Lead routing")


def chat_step() -> Step:
    return Step.objects.get(workflow__name="Lead routing", name="Qualify visitor in website chat")


def step_data() -> dict[str, Any]:
    step = chat_step()
    return {
        "name": step.name,
        "order": step.order,
        "platform": step.platform_id,
        "mode": step.mode,
        "agent": step.agent_id,
        "decision": step.decision,
        "is_buyer_facing": "on",
    }


def open_incident() -> Incident:
    return Incident.objects.get(summary="Follow-up email used the old product name")


def agent(name: str = "Chat Concierge") -> Agent:
    return Agent.objects.get(name=name)


def person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@halcyon.example")


def asset() -> KnowledgeAsset:
    return KnowledgeAsset.objects.get(name="Product and pricing knowledge base")


FORMS = {
    "position-create": Form(
        lambda: reverse("roles:position-create", args=[scenario().pk]),
        lambda: seat_data() | {"title": "Lifecycle Architect"},
        {"title": ("line", "Title"), "salary": ("integer", "Salary")},
        headers=HTMX,
    ),
    "position-edit": Form(
        lambda: reverse("roles:position-edit", args=[seat().pk]),
        seat_data,
        {"title": ("line", "Title"), "salary": ("integer", "Salary")},
        headers=HTMX,
    ),
    "chart-clone": Form(
        lambda: reverse("roles:chart-clone", args=[scenario().pk]),
        lambda: {"name": "Halcyon — 2027"},
        {"name": ("line", "Scenario name")},
    ),
    "workflow-create": Form(
        lambda: reverse("workflows:workflow-create"),
        lambda: {"name": "Webinar follow-up", "description": "After each webinar", "status": "active"},
        {"name": ("line", "Name"), "description": ("text", "Description")},
    ),
    "workflow-edit": Form(
        lambda: reverse("workflows:workflow-edit", args=[routing().pk]),
        lambda: {
            "workflow-name": "Lead routing",
            "workflow-description": "",
            "workflow-status": "active",
            "workflow-is_critical": "on",
        },
        {"workflow-name": ("line", "Name"), "workflow-description": ("text", "Description")},
    ),
    "step-create": Form(
        lambda: reverse("workflows:step-create", args=[routing().pk]),
        lambda: step_data() | {"name": "Score the visitor", "order": ""},
        {"name": ("line", "Name"), "order": ("integer", "Order"), "decision": ("line", "Decision")},
        headers=HTMX,
    ),
    "step-edit": Form(
        lambda: reverse("workflows:step-edit", args=[chat_step().pk]),
        step_data,
        {"name": ("line", "Name"), "order": ("integer", "Order"), "decision": ("line", "Decision")},
        headers=HTMX,
    ),
    "platform-add": Form(
        lambda: reverse("workflows:platform-create"),
        lambda: {"name": "Hightouch", "category": "other"},
        {"name": ("line", "Name")},
    ),
    "incident-log": Form(
        lambda: reverse("governance:incident-log"),
        lambda: {
            "agent": chat_step().agent_id,
            "step": chat_step().pk,
            "summary": "Promised a discount",
            "description": "It offered 20% off",
            "occurred_at": "2026-11-20T10:00",
            "severity": "high",
            "harm_category": "other",
            "affected": "One visitor",
        },
        {
            "summary": ("line", "In one line"),
            "description": ("text", "What happened"),
            "affected": ("line", "Who was affected"),
            "occurred_at": ("moment", "When"),
        },
    ),
    "review-update": Form(
        lambda: reverse("governance:review-update", args=[open_incident().pk]),
        lambda: {
            "version": open_incident().review.version,
            "root_cause": "prompt_knowledge",
            "analysis": "Old name",
            "accountable_owner": open_incident().review.accountable_owner_id or "",
            "owner_change_reason": "",
        },
        {
            "analysis": ("text", "Analysis"),
            "owner_change_reason": ("line", "Why the accountable owner changes"),
            "version": ("integer", "Version"),
        },
    ),
    "action-add": Form(
        lambda: reverse("governance:action-add", args=[open_incident().pk]),
        lambda: {"description": "Update the prompt", "assignee": person("mia.chen").pk, "due_on": "2026-12-10"},
        {"description": ("line", "Corrective action"), "due_on": ("date", "Due")},
    ),
    "agent-policy": Form(
        lambda: reverse("governance:agent-policy", args=[agent().pk]),
        lambda: {"allowed_mode": "assisted", "rationale": "Quoted prices"},
        {"rationale": ("text", "Rationale")},
        user="leader",
    ),
    "agent-pause": Form(
        lambda: reverse("governance:agent-pause", args=[agent().pk]),
        lambda: {"reason": "Quoting old prices"},
        {"reason": ("text", "Reason")},
    ),
    "agent-resume": Form(
        lambda: reverse("governance:agent-resume", args=[agent("Send-Time Optimiser").pk]),
        lambda: {"reason": "Fixed"},
        {"reason": ("text", "Reason")},
    ),
    "data-source": Form(
        lambda: reverse("governance:data-source-list"),
        lambda: {
            "name": "Webinar attendees",
            "description": "",
            "entity_rules": "",
            "last_audit_on": "2026-11-01",
            "quality_score": 80,
        },
        {
            "name": ("line", "Name"),
            "description": ("text", "Description"),
            "entity_rules": ("text", "Entity rules"),
            "last_audit_on": ("date", "Last quality audit"),
        },
    ),
    "knowledge-asset": Form(
        lambda: reverse("governance:knowledge-asset-list"),
        lambda: {
            "name": "Objection handling guide",
            "kind": "prompt",
            "version": 1,
            "description": "",
            "owner": person("mia.chen").pk,
        },
        {"name": ("line", "Name"), "description": ("text", "Description"), "version": ("integer", "Version")},
    ),
    "output-audit": Form(
        lambda: reverse("governance:output-audit-add", args=[asset().pk]),
        lambda: {
            "audited_on": "2026-11-02",
            "accuracy_score": 90,
            "brand_score": 80,
            "sample_size": 20,
            "auditor": person("mia.chen").pk,
            "notes": "",
        },
        {"audited_on": ("date", "Audited on"), "sample_size": ("integer", "Sample size"), "notes": ("text", "Notes")},
        said={"audited_on/year-9999": "An audit cannot be dated in the future."},
    ),
    "migration-plan": Form(
        lambda: reverse("plan-update"),
        lambda: {
            "started_on": "2026-01-05",
            "target_chart": scenario().pk,
            "map_workflows_by": "2026-03-01",
            "assign_owners_by": "2026-05-01",
            "add_roles_by": "2026-09-01",
        },
        {"started_on": ("date", "Started on"), "add_roles_by": ("date", "Step 3, add the missing roles, by")},
    ),
    "api-token": Form(lambda: reverse("profile"), lambda: {"name": "Marketo webhook"}, {"name": ("line", "Name")}),
}

FORM_CASES = [
    pytest.param(
        form,
        name,
        kind,
        value,
        spec.said.get(f"{name}/{case}", said),
        id=f"{form}-{name}-{case}",
    )
    for form, spec in FORMS.items()
    for name, (kind, _label) in spec.fields.items()
    for case, value, said in VALUES[kind]
]


def _text(response) -> str:
    return html.unescape(response.content.decode())


def login(client: Client, who: str) -> None:
    """Log in as a superuser (every permission) for "admin", otherwise as the demo user of that name."""
    if who == "admin":
        user = User.objects.filter(username="bad-input-admin").first()
        user = user or User.objects.create_superuser("bad-input-admin")
    else:
        user = User.objects.get(username=who)
    client.force_login(user)


@pytest.mark.parametrize(("form", "name", "kind", "value", "said"), FORM_CASES)
def test_each_form_refuses_each_bad_value_naming_the_field_and_changes_nothing(
    client: Client, demo, form, name, kind, value, said
):
    spec = FORMS[form]
    login(client, spec.user)
    url, data = spec.url(), spec.data()
    before = database_state()
    response = client.post(url, data | {name: value}, follow=True, **spec.headers)
    assert response.status_code in {200, 400, 409, 422}
    page = _text(response)
    assert said in page, page[:3000]
    _kind, label = spec.fields[name]
    if kind != "moment" and said not in spec.said.values():  # the rules' own words name the field
        assert f"“{label}” {said}" in page
    assert database_state() == before


def test_the_good_submissions_used_above_are_accepted(client, demo):
    """The base submissions are valid, so each refusal above is the bad value's doing."""
    for form, spec in FORMS.items():
        login(client, spec.user)
        before = database_state()
        response = client.post(spec.url(), spec.data(), **spec.headers)
        assert response.status_code in {200, 302}, form
        assert database_state() != before, form


# --- the API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(client, demo):
    user = make_user("api-bad-input", "MarOps staff")
    user.groups.add(Group.objects.get(name="Leaders"))
    _, key = api_token_create(user=user, name="bad input")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    client.get("/api/v1/flags")  # the token's first use is recorded now, not during the refusals
    return client


def _incident_body() -> dict[str, Any]:
    return {
        "step_id": chat_step().pk,
        "summary": "Promised a discount",
        "description": "It offered 20% off",
        "severity": "high",
        "affected": "One visitor",
        "occurred_at": "2026-11-20T10:00:00Z",
    }


API_MOMENT = [
    ("year-9999", "9999-12-31T23:59:59Z", "in the future"),
    ("year-9999-offset", "9999-12-31T23:59:59-05:00", "in the future"),
    ("year-0001", "0001-01-01T00:00:00Z", "before 2000"),
    ("year-0001-offset", "0001-01-01T00:30:00+01:00", "before 2000"),
]
API_INTEGER = [("beyond-bigint", 10**20, "less than or equal to"), ("beyond-int", INT_MAX + 1, "")]


@dataclass
class Endpoint:
    method: str
    url: Callable[[], str]
    body: Callable[[], dict[str, Any]]
    fields: dict[str, str]  # field -> kind


API = {
    "log-incident": Endpoint(
        "post",
        lambda: "/api/v1/incidents",
        _incident_body,
        {
            "summary": "line",
            "description": "text",
            "affected": "line",
            "occurred_at": "moment",
            "step_id": "id",
            "agent_id": "id",
        },
    ),
    "resolve": Endpoint(
        "post",
        lambda: f"/api/v1/incidents/{open_incident().pk}/resolve",
        lambda: {
            "root_cause": "prompt_knowledge",
            "accountable_owner_email": "dana.whitfield@halcyon.example",
            "analysis": "Old name",
        },
        {
            "analysis": "text",
            "owner_change_reason": "line",
            "accountable_owner_email": "line",
            "expected_version": "id",
        },
    ),
    "pause": Endpoint(
        "post",
        lambda: f"/api/v1/agents/{agent().pk}/pause",
        lambda: {"reason": "Quoting old prices"},
        {"reason": "text"},
    ),
    "owner": Endpoint(
        "put",
        lambda: f"/api/v1/workflows/{routing().pk}/owner",
        lambda: {"owner_email": "dana.whitfield@halcyon.example"},
        {"owner_email": "line"},
    ),
}
# JSON can carry half of a UTF-16 pair, which no form post can: UTF-8 (and PostgreSQL) cannot hold it.
# pydantic refuses it as a string; where a field also allows null, the shared text rule does.
SURROGATE = [
    ("surrogate", "Growth\ud800team", "unable to parse raw data as a unicode string||unpaired surrogate U+D800")
]
API_VALUES = {"line": LINE + SURROGATE, "text": TEXT + SURROGATE, "moment": API_MOMENT, "id": API_INTEGER}
API_CASES = [
    pytest.param(endpoint, name, value, said, id=f"{endpoint}-{name}-{case}")
    for endpoint, spec in API.items()
    for name, kind in spec.fields.items()
    for case, value, said in API_VALUES[kind]
]


@pytest.mark.parametrize(("endpoint", "name", "value", "said"), API_CASES)
def test_each_api_write_refuses_each_bad_value_with_a_422_naming_the_field(api, endpoint, name, value, said):
    spec = API[endpoint]
    before = database_state()
    response = getattr(api, spec.method)(spec.url(), spec.body() | {name: value}, content_type="application/json")
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert [error["loc"][-1] for error in detail] == [name]
    assert any(words in detail[0]["msg"] for words in said.split("||"))
    assert database_state() == before


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:30:00+01:00"])
def test_asking_who_was_accountable_at_the_calendars_edge_is_a_422_naming_at(api, at):
    """Neither moment can be moved to UTC; year 1 in UTC itself can, and is simply before the step existed."""
    response = api.get(f"/api/v1/steps/{chat_step().pk}/accountable", {"at": at})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "at"]]
    year_one = api.get(f"/api/v1/steps/{chat_step().pk}/accountable", {"at": "0001-01-01T00:00:00Z"})
    assert year_one.status_code == 200 and "did not exist yet then" in year_one.json()["reason"]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_the_incident_form_at_the_calendars_edge_in_any_time_zone_is_refused_not_a_500(client, demo, zone, when):
    """Moved to UTC, year 9999 west of Greenwich and year 1 east of it leave the calendar."""
    client.force_login(make_user("zone-staff", "MarOps staff"))
    before = Incident.objects.count()
    with override_settings(TIME_ZONE=zone):
        response = client.post(reverse("governance:incident-log"), FORMS["incident-log"].data() | {"occurred_at": when})
    assert response.status_code == 422
    assert Incident.objects.count() == before


def test_a_migration_plan_wholly_at_the_calendars_end_is_refused_not_a_500(client, demo):
    """In order and 6–12 months long, but counting 182 days on from 9999-06-01 leaves the calendar."""
    login(client, "admin")
    before = database_state()
    dates = {
        "started_on": "9999-06-01",
        "map_workflows_by": "9999-07-01",
        "assign_owners_by": "9999-08-01",
        "add_roles_by": "9999-12-31",
    }
    response = client.post(reverse("plan-update"), FORMS["migration-plan"].data() | dates, follow=True)
    assert response.status_code == 200
    assert "“Started on” is after 2099." in _text(response)
    assert database_state() == before


# --- the services: the same rules whichever entry point calls them ------------------------------


def test_the_services_the_api_reaches_refuse_bad_text_themselves(demo):
    """The API's schema refuses these first; the services refuse them too, for any other caller."""
    from governance.services import agent_pause, incident_create, review_submit

    staff = User.objects.get(username="staff")
    step = chat_step()
    before = database_state()
    incident = {
        "reporter": staff,
        "agent": step.agent,
        "step": step,
        "summary": "Promised a discount",
        "description": "It offered 20% off",
        "severity": "high",
        "occurred_at": timezone.now(),
    }
    for bad, said in [
        ({"summary": "Promised\na discount"}, {"summary": ["“Summary” must be on one line."]}),
        ({"affected": "One\x00visitor"}, {"affected": ["“Affected” contains a NUL character."]}),
        ({"description": "It\x1b offered"}, {"description": ["“Description” contains the control character U+001B."]}),
    ]:
        with pytest.raises(ValidationError) as refused:
            incident_create(**incident | bad)
        assert refused.value.message_dict == said
    review = open_incident().review
    with pytest.raises(ValidationError) as refused:
        review_submit(
            review=review,
            expected_version=review.version,
            root_cause="data",
            analysis="a\x00b",
            accountable_owner=None,
            owner_change_reason="why\nnot",
            by=staff,
        )
    assert refused.value.message_dict.keys() == {"analysis", "owner_change_reason"}
    with pytest.raises(ValidationError) as refused:
        agent_pause(agent=agent(), reason="Stop\x00now", by=staff)
    assert refused.value.message_dict == {"reason": ["“Reason” contains a NUL character."]}
    assert database_state() == before


def test_an_incident_is_stored_in_utc_whatever_time_zone_it_was_given_in(demo):
    from governance.services import incident_create

    step = chat_step()
    moment = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    for given in (moment, moment.astimezone(datetime.UTC).replace(tzinfo=None)):  # naive: the server's zone
        with override_settings(TIME_ZONE="UTC"):
            incident = incident_create(
                reporter=User.objects.get(username="staff"),
                agent=step.agent,
                step=step,
                summary="x",
                description="y",
                severity="low",
                occurred_at=given,
            )
        assert incident.occurred_at == moment and incident.occurred_at.tzinfo == datetime.UTC


def test_the_chart_import_refuses_a_scenario_name_the_chart_pages_would_refuse(db):
    """The import's name follows the same rule as a scenario made on the page (its rows: the importer's)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from roles.forms import ChartImportForm

    upload = {"file": SimpleUploadedFile("chart.csv", b"position_id,title\n", content_type="text/csv")}
    form = ChartImportForm({"name": "Halcyon\n2027"}, upload)
    assert not form.is_valid() and form.errors["name"] == ["“Scenario name” must be on one line."]
