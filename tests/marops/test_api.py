"""The JSON API: every endpoint, and the refusals (401 without a token, 403 for a group that may not,
422 with the field errors for a bad payload), with nothing written when refused."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from governance.models import Incident, KillSwitchEvent
from marops.tokens import api_token_create
from roles.models import Person
from tests.conftest import make_user
from workflows.models import Agent, Step, Workflow
from workflows.services import workflow_archive, workflow_assign_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, demo):
    def for_group(group, username=None):
        user = make_user(username or f"api-{group}", group)
        _, key = api_token_create(user=user, name="test")
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return client

    return for_group


def chat_step():
    """Lead routing's chat step: Tom Nguyen owns the workflow but sits in Sales ops, so nobody is accountable."""
    return Step.objects.get(workflow__name="Lead routing", name="Qualify visitor in website chat")


def copy_step():
    """Campaign launch's copy step: Dana Whitfield, in the live chart's MarOps team, is accountable."""
    return Step.objects.get(workflow__name="Campaign launch", name="Draft email and landing copy")


def person(email_name: str) -> Person:
    return Person.objects.get(email=f"{email_name}@halcyon.example")


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_no_token_or_a_wrong_one_is_401(client, demo):
    assert client.get("/api/v1/workflows").status_code == 401
    assert client.get("/api/v1/workflows", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.post("/api/v1/incidents", {}, content_type="application/json").status_code == 401


def test_workflows_with_their_owners(as_user):
    api = as_user("Executives")
    workflows = api.get("/api/v1/workflows").json()
    routing = next(w for w in workflows if w["name"] == "Lead routing")
    assert routing["owner"]["email"] == "tom.nguyen@halcyon.example" and routing["is_critical"]
    detail = api.get(f"/api/v1/workflows/{routing['id']}").json()
    assert [s["order"] for s in detail["steps"]] == [1, 2, 3, 4, 5]
    assert detail["steps"][1]["agent"] == "Chat Concierge"
    assert len(api.get("/api/v1/workflows?critical=false").json()) == 2
    assert api.get("/api/v1/workflows/999999").status_code == 404


def test_a_deleted_workflow_is_not_listed_but_its_page_stays_and_it_cannot_be_given_an_owner(as_user):
    api = as_user("Leaders")
    launch = workflow_archive(workflow=Workflow.objects.get(name="Campaign launch"))
    assert "Campaign launch" not in [w["name"] for w in api.get("/api/v1/workflows").json()]
    assert api.get(f"/api/v1/workflows/{launch.pk}").json()["name"] == "Campaign launch"
    answer = api.put(
        f"/api/v1/workflows/{launch.pk}/owner",
        {"owner_email": "mia.chen@halcyon.example"},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "kept, read-only, as history" in answer.content.decode()
    launch.refresh_from_db()
    assert launch.owner == person("dana.whitfield")


def test_who_is_accountable_for_a_step(as_user):
    api = as_user("Executives")
    assert api.get(f"/api/v1/steps/{copy_step().pk}/accountable").json() == {
        "step_id": copy_step().pk,
        "workflow": "Campaign launch",
        "accountable": {
            "id": copy_step().workflow.owner_id,
            "name": "Dana Whitfield",
            "email": "dana.whitfield@halcyon.example",
        },
        "reason": "",
        "at": None,
    }
    body = api.get(f"/api/v1/steps/{chat_step().pk}/accountable").json()
    assert body["accountable"] is None
    assert body["reason"] == "The owner of “Lead routing”, Tom Nguyen, holds no MarOps seat in the live chart."
    unowned = Step.objects.get(workflow__name="Event follow-up", order=2)
    body = api.get(f"/api/v1/steps/{unowned.pk}/accountable").json()
    assert body["accountable"] is None and body["reason"] == "The workflow “Event follow-up” has no owner."


def test_logging_an_incident_answers_with_the_accountable_person(as_user):
    api = as_user("MarOps staff")
    response = api.post(
        "/api/v1/incidents",
        {
            "agent_id": copy_step().agent_id,
            "step_id": copy_step().pk,
            "summary": "Quoted a retired plan",
            "description": "Growth plan at £49",
            "severity": "high",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["accountable"]["name"] == "Dana Whitfield" and body["status"] == "open"
    assert body["accountable_when_logged"]["name"] == "Dana Whitfield" and body["accountability_reason"] == ""
    assert api.get(f"/api/v1/incidents/{body['id']}").json()["summary"] == "Quoted a retired plan"
    assert any(i["id"] == body["id"] for i in api.get("/api/v1/incidents").json())


def test_a_bad_incident_is_422_with_field_errors_and_writes_nothing(as_user):
    api = as_user("MarOps staff")
    before = Incident.objects.count()
    response = api.post(
        "/api/v1/incidents", {"agent_id": 1, "summary": "", "severity": "huge"}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = {error["loc"][-1] for error in response.json()["detail"]}
    assert fields == {"summary", "description", "severity"}
    foreign = Step.objects.get(workflow__name="Campaign launch", order=2)
    response = api.post(
        "/api/v1/incidents",
        {
            "agent_id": chat_step().agent_id,
            "step_id": foreign.pk,
            "summary": "x",
            "description": "y",
            "severity": "low",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "step_id"], "msg": "Chat Concierge does not act in the step “Draft email and landing copy”."}
    ]
    assert Incident.objects.count() == before


def test_groups_that_may_not_act_get_403_and_nothing_is_written(as_user):
    api = as_user("Executives")
    agent = Agent.objects.get(name="Chat Concierge")
    assert (
        api.post(
            "/api/v1/incidents",
            {"agent_id": agent.pk, "summary": "x", "description": "y", "severity": "low"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        api.post(f"/api/v1/agents/{agent.pk}/pause", {"reason": "x"}, content_type="application/json").status_code
        == 403
    )
    incident = Incident.objects.exclude(review__status="resolved").first()
    assert (
        api.post(
            f"/api/v1/incidents/{incident.pk}/resolve",
            {"root_cause": "data", "accountable_owner_email": "tom.nguyen@halcyon.example"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        Agent.objects.get(pk=agent.pk).status == "active" and not KillSwitchEvent.objects.filter(agent=agent).exists()
    )


def test_resolving_through_the_api_needs_a_known_owner_and_then_resolves(as_user):
    api = as_user("MarOps staff")
    incident = Incident.objects.get(summary="Follow-up email used the old product name")
    url = f"/api/v1/incidents/{incident.pk}/resolve"
    bad = api.post(
        url,
        {"root_cause": "prompt_knowledge", "accountable_owner_email": "ghost@example.com"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "accountable_owner_email"]
    assert Incident.objects.get(pk=incident.pk).review.status == "open"
    ok = api.post(
        url,
        {"root_cause": "prompt_knowledge", "accountable_owner_email": "dana.whitfield@halcyon.example"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"
    assert ok.json()["accountable"]["name"] == "Dana Whitfield"
    assert "review_owner" not in ok.json()


def test_after_a_review_names_someone_else_the_incident_answers_them_and_keeps_who_was_named_when_logged(as_user):
    api = as_user("MarOps staff")
    logged = api.post("/api/v1/incidents", incident_body(copy_step()), content_type="application/json").json()
    resolved = api.post(
        f"/api/v1/incidents/{logged['id']}/resolve",
        {"root_cause": "prompt_knowledge", "accountable_owner_email": "marco.rossi@halcyon.example"},
        content_type="application/json",
    )
    assert resolved.status_code == 422  # replacing the person named needs a reason
    assert resolved.json()["detail"][0]["loc"] == ["body", "owner_change_reason"]
    resolved = api.post(
        f"/api/v1/incidents/{logged['id']}/resolve",
        {
            "root_cause": "prompt_knowledge",
            "accountable_owner_email": "marco.rossi@halcyon.example",
            "owner_change_reason": "Marco owns the copy prompts",
        },
        content_type="application/json",
    )
    assert resolved.status_code == 200
    body = api.get(f"/api/v1/incidents/{logged['id']}").json()
    assert body["accountable"]["name"] == "Marco Rossi"
    assert body["accountable_when_logged"]["name"] == "Dana Whitfield"
    assert body["accountability_reason"] == ""


def test_pausing_an_agent_and_listing_open_flags(as_user):
    api = as_user("MarOps staff")
    agent = Agent.objects.get(name="Chat Concierge")
    assert (
        api.post(f"/api/v1/agents/{agent.pk}/pause", {"reason": ""}, content_type="application/json").status_code == 422
    )
    response = api.post(
        f"/api/v1/agents/{agent.pk}/pause", {"reason": "Quoting old prices"}, content_type="application/json"
    )
    assert response.json()["status"] == "paused"
    assert KillSwitchEvent.objects.get(agent=agent, action="pause").reason == "Quoting old prices"
    flags = api.get("/api/v1/flags").json()
    assert {f["kind"] for f in flags} >= {"workflow-without-owner", "owner-outside-marops"}


def test_the_schema_and_docs_are_published(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/steps/{step_id}/accountable", "/api/v1/incidents"} <= set(schema["paths"])
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_create_api_token_prints_a_working_token(client, demo, capsys):
    call_command("create_api_token", "staff")
    key = capsys.readouterr().out.strip()
    assert client.get("/api/v1/flags", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_the_profile_page_creates_a_token_shown_once(client, demo):
    client.login(username="staff", password="marops-demo")
    page = client.post("/accounts/profile/", {"name": "Marketo webhook"}, follow=True).content.decode()
    assert "Your new token" in page
    assert (
        "at most 100 characters" in client.post("/accounts/profile/", {"name": "x" * 101}, follow=True).content.decode()
    )
    assert "Your new token" not in client.get("/accounts/profile/").content.decode()
    assert Workflow.objects.exists()


def test_text_with_a_nul_character_is_422_not_a_crash(as_user):
    api = as_user("MarOps staff")
    response = api.post(
        "/api/v1/incidents",
        {"agent_id": chat_step().agent_id, "summary": "a\u0000b", "description": "y", "severity": "low"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "summary"


def test_a_stale_expected_version_is_a_409_and_changes_nothing(as_user):
    api = as_user("MarOps staff")
    incident = Incident.objects.get(summary="Follow-up email used the old product name")
    response = api.post(
        f"/api/v1/incidents/{incident.pk}/resolve",
        {
            "root_cause": "data",
            "accountable_owner_email": "dana.whitfield@halcyon.example",
            "expected_version": 0,
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert Incident.objects.get(pk=incident.pk).review.status == "open"


def test_a_token_records_when_it_was_last_used_without_writing_on_every_call(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marops.models import ApiToken

    token, key = api_token_create(user=make_user("busy", "Executives"), name="busy")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.get("/api/v1/flags", **headers)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/flags", **headers)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def incident_body(step, **overrides):
    return {
        "agent_id": step.agent_id,
        "step_id": step.pk,
        "summary": "Quoted a retired plan",
        "description": "Growth plan at £49",
        "severity": "high",
    } | overrides


def test_a_permission_counts_whether_held_directly_through_a_group_or_as_superuser(client, demo):
    from django.contrib.auth.models import Permission, User

    direct = User.objects.create_user("direct")
    direct.user_permissions.add(Permission.objects.get(codename="add_incident"))
    superuser = User.objects.create_superuser("root", password="x")
    nobody = User.objects.create_user("nobody")
    for user, status in ((direct, 201), (superuser, 201), (nobody, 403)):
        _, key = api_token_create(user=user, name="t")
        response = client.post(
            "/api/v1/incidents",
            incident_body(chat_step()),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == status, user.username
    nobody.is_active = False
    nobody.save()
    assert client.get("/api/v1/workflows", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_logging_an_incident_takes_seven_queries(as_user, django_assert_max_num_queries):
    api = as_user("MarOps staff")
    api.get("/api/v1/workflows")  # the token's first use is recorded; later calls within a minute write nothing
    # The token with its user and permission, the step with its workflow, owner and agent, the owner's
    # seats in the live chart (the one definition asks whether they sit in its MarOps team), then the
    # incident, the review and their two history rows; plus the request's savepoint and its release,
    # which the test's own transaction turns BEGIN and COMMIT into. Given only the step, the agent comes
    # with it: no query more.
    for body in (incident_body(copy_step()), incident_body(copy_step(), agent_id=None)):
        with django_assert_max_num_queries(9):
            response = api.post("/api/v1/incidents", body, content_type="application/json")
        assert response.status_code == 201 and response.json()["accountable"]["name"] == "Dana Whitfield"


def test_an_incident_is_answered_with_its_time_in_utc_whatever_offset_was_sent(as_user):
    api = as_user("MarOps staff")
    body = incident_body(chat_step(), occurred_at="2026-11-20T14:30:00+02:00")
    created = api.post("/api/v1/incidents", body, content_type="application/json").json()
    stored = api.get(f"/api/v1/incidents/{created['id']}").json()
    assert created["occurred_at"] == stored["occurred_at"]
    assert created["occurred_at"].startswith("2026-11-20T12:30:00")


def test_lists_come_a_page_at_a_time_with_the_total_and_links_in_headers(as_user):
    Workflow.objects.bulk_create(Workflow(name=f"Zz journey {i:03}") for i in range(130))
    api = as_user("Executives")
    first = api.get("/api/v1/workflows", {"per_page": 50, "critical": "false"})
    assert first.status_code == 200 and len(first.json()) == 50
    assert first["X-Total-Count"] == "132"  # the demo's two non-critical workflows and the 130
    assert first["Link"] == '<http://testserver/api/v1/workflows?per_page=50&critical=false&page=2>; rel="next"'
    last = api.get("/api/v1/workflows", {"per_page": 50, "critical": "false", "page": 3})
    assert [w["name"] for w in last.json()][-1] == "Zz journey 129" and len(last.json()) == 32
    assert last["Link"] == '<http://testserver/api/v1/workflows?per_page=50&critical=false&page=2>; rel="prev"'
    seen = {w["id"] for n in (1, 2, 3) for w in api.get("/api/v1/workflows", {"per_page": 50, "page": n}).json()}
    assert len(seen) == Workflow.objects.count()  # every workflow once, none twice
    assert api.get("/api/v1/workflows").json().__len__() == 100  # the default page
    for bad in ({"per_page": 501}, {"page": 0}, {"page": "x"}):
        response = api.get("/api/v1/workflows", bad)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] in bad
    assert api.get("/api/v1/incidents", {"page": 99})["X-Total-Count"] == str(
        Incident.objects.exclude(review__status="resolved").count()
    )


def test_who_was_accountable_at_a_past_moment(as_user):
    api = as_user("Executives")
    step = copy_step()
    before = timezone.now()
    workflow_assign_owner(workflow=step.workflow, owner=person("marco.rossi"))
    url = f"/api/v1/steps/{step.pk}/accountable"
    then = api.get(url, {"at": utc(before)})
    assert then.status_code == 200
    assert then.json()["accountable"]["name"] == "Dana Whitfield" and then.json()["reason"] == ""
    answered_for = datetime.datetime.fromisoformat(then.json()["at"])  # the moment answered, to the millisecond
    assert before - datetime.timedelta(milliseconds=1) < answered_for <= before
    assert api.get(url).json()["accountable"]["name"] == "Marco Rossi"
    assert api.get(url, {"at": utc(timezone.now())}).json()["accountable"]["name"] == "Marco Rossi"
    long_ago = api.get(url, {"at": "2001-01-01T00:00:00Z"}).json()
    assert long_ago["accountable"] is None
    assert long_ago["reason"] == "The step “Draft email and landing copy” did not exist yet then."


def test_an_unreadable_or_future_moment_is_422_naming_at(as_user):
    api = as_user("Executives")
    url = f"/api/v1/steps/{copy_step().pk}/accountable"
    tomorrow = utc(timezone.now() + datetime.timedelta(days=1))
    for bad in ("yesterday", "2026-13-45T00:00:00Z", tomorrow):
        response = api.get(url, {"at": bad})
        assert response.status_code == 422, bad
        assert [error["loc"] for error in response.json()["detail"]] == [["query", "at"]], bad
    assert "future" in api.get(url, {"at": tomorrow}).json()["detail"][0]["msg"]


def test_an_incident_given_only_its_step_is_logged_against_the_steps_agent(as_user):
    api = as_user("MarOps staff")
    response = api.post("/api/v1/incidents", incident_body(copy_step(), agent_id=None), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["agent_id"] == copy_step().agent_id and body["step_id"] == copy_step().pk
    assert Incident.objects.get(pk=body["id"]).agent.name == "Campaign Copy Assistant"


def test_an_incident_with_a_step_and_another_agent_or_with_neither_is_422_and_writes_nothing(as_user):
    api = as_user("MarOps staff")
    before = Incident.objects.count()
    other_agent = chat_step().agent_id
    disagreeing = api.post(
        "/api/v1/incidents", incident_body(copy_step(), agent_id=other_agent), content_type="application/json"
    )
    assert disagreeing.status_code == 422
    assert disagreeing.json()["detail"] == [
        {"loc": ["body", "step_id"], "msg": "Chat Concierge does not act in the step “Draft email and landing copy”."}
    ]
    neither = api.post(
        "/api/v1/incidents", incident_body(copy_step(), agent_id=None, step_id=None), content_type="application/json"
    )
    assert neither.status_code == 422 and neither.json()["detail"][0]["loc"] == ["body", "agent_id"]
    human = Step.objects.get(workflow__name="Campaign launch", order=1)
    no_agent = api.post("/api/v1/incidents", incident_body(human, agent_id=None), content_type="application/json")
    assert no_agent.status_code == 422 and no_agent.json()["detail"][0]["loc"] == ["body", "agent_id"]
    assert Incident.objects.count() == before


def test_agents_are_listed_a_page_at_a_time(as_user):
    Agent.objects.bulk_create(Agent(name=f"Zz agent {i:02}") for i in range(12))
    api = as_user("Executives")
    total = Agent.objects.count()
    first = api.get("/api/v1/agents", {"per_page": 5})
    assert first.status_code == 200 and first["X-Total-Count"] == str(total)
    assert first.json()[0].keys() == {"id", "name", "status", "allowed_mode"}
    assert first["Link"] == '<http://testserver/api/v1/agents?per_page=5&page=2>; rel="next"'
    pages = -(-total // 5)
    last = api.get("/api/v1/agents", {"per_page": 5, "page": pages})
    assert "next" not in last["Link"] and f"page={pages - 1}" in last["Link"]
    seen = [a["id"] for n in range(1, pages + 1) for a in api.get("/api/v1/agents", {"per_page": 5, "page": n}).json()]
    assert sorted(seen) == sorted(Agent.objects.values_list("pk", flat=True))  # each once
    assert api.get("/api/v1/agents", {"per_page": 501}).status_code == 422


def test_changing_an_owner_through_the_api_records_the_tokens_user_and_how(as_user):
    api = as_user("Leaders", username="integration")
    workflow = copy_step().workflow
    response = api.put(
        f"/api/v1/workflows/{workflow.pk}/owner",
        {"owner_email": "marco.rossi@halcyon.example"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["owner"]["name"] == "Marco Rossi"
    record = Workflow.history.filter(id=workflow.pk).latest()
    assert record.owner_id == person("marco.rossi").pk
    assert (record.history_user.username, record.history_change_reason) == ("integration", "API")
    count = Workflow.history.count()
    unknown = api.put(
        f"/api/v1/workflows/{workflow.pk}/owner", {"owner_email": "ghost@example.com"}, content_type="application/json"
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "owner_email"]
    assert Workflow.history.count() == count and Workflow.objects.get(pk=workflow.pk).owner.name == "Marco Rossi"
    cleared = api.put(f"/api/v1/workflows/{workflow.pk}/owner", {"owner_email": None}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["owner"] is None


def test_only_those_who_may_change_workflows_change_an_owner_through_the_api(as_user):
    api = as_user("MarOps staff")
    workflow = copy_step().workflow
    response = api.put(f"/api/v1/workflows/{workflow.pk}/owner", {"owner_email": None}, content_type="application/json")
    assert response.status_code == 403 and Workflow.objects.get(pk=workflow.pk).owner.name == "Dana Whitfield"


def test_the_page_and_the_api_refuse_the_same_dates_with_the_same_words(as_user, client):
    """The checks on when an incident happened live once, in incident_create."""
    api = as_user("MarOps staff")
    step = chat_step()
    client.force_login(make_user("page-staff", "MarOps staff"))
    before = Incident.objects.count()
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    for when, said in [
        (tomorrow, "That is in the future."),
        (timezone.make_aware(datetime.datetime(1999, 5, 1)), "That is before 2000."),
    ]:
        answer = api.post(
            "/api/v1/incidents", incident_body(step, occurred_at=when.isoformat()), content_type="application/json"
        )
        assert answer.status_code == 422 and answer.json()["detail"] == [{"loc": ["body", "occurred_at"], "msg": said}]
        page = client.post(
            reverse("governance:incident-log"),
            {
                "agent": step.agent_id,
                "step": step.pk,
                "summary": "x",
                "description": "y",
                "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
                "severity": "high",
                "harm_category": "other",
            },
        )
        assert page.status_code == 422 and said in page.content.decode()
    assert Incident.objects.count() == before
    edge = api.post(  # the edge of the calendar cannot be moved to UTC: a 422 too, never a 500
        "/api/v1/incidents",
        incident_body(step, occurred_at="0001-01-01T00:30:00+01:00"),
        content_type="application/json",
    )
    assert edge.status_code == 422 and edge.json()["detail"][0]["loc"] == ["body", "occurred_at"]
    assert Incident.objects.count() == before
