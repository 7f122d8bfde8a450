"""The AI governance call, the kill switch, governance findings and the Test."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from governance.models import DataSource, KillSwitchEvent, KnowledgeAsset, OutputAudit, PolicyDecision
from governance.rules import asset_owner_without_role, disallowed_data_source, mode_exceeds_policy, stale_output_audit
from governance.services import agent_pause, agent_resume, policy_decide
from tests.conftest import make_user
from tests.factories import AgentFactory, ChartFactory, PersonFactory, PositionFactory, StepFactory, role
from workflows.models import Agent, Workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_user(db):
    user = make_user("dana", "Leaders")
    person = PersonFactory(name="Dana Whitfield", user=user, level="director")
    PositionFactory(chart=ChartFactory(status="live"), person=person, roles=[role("head-of-marops")])
    return user


def test_only_the_head_of_marops_makes_the_governance_call(head_user):
    agent = AgentFactory(allowed_mode="autonomous")
    other = make_user("marcus", "Leaders")
    PersonFactory(name="Marcus", user=other)
    with pytest.raises(ValidationError, match=r"Only the Head of Marketing Operations \(Dana Whitfield\).*\(Marcus\)"):
        policy_decide(agent=agent, allowed_mode="prohibited", rationale="No.", by=other)
    with pytest.raises(ValidationError, match="your login is linked to no person"):
        policy_decide(agent=agent, allowed_mode="prohibited", rationale="No.", by=make_user("nobody", "Leaders"))
    assert not PolicyDecision.objects.exists()
    decision = policy_decide(
        agent=agent, allowed_mode="assisted", rationale="A person approves each output.", by=head_user
    )
    assert decision.decided_by.name == "Dana Whitfield"
    assert Agent.objects.get(pk=agent.pk).allowed_mode == "assisted"


def test_after_a_stricter_call_the_steps_that_exceed_it_are_findings(head_user):
    step = StepFactory(mode="ai_autonomous", agent=AgentFactory(name="Chat bot", allowed_mode="autonomous"))
    assert mode_exceeds_policy() == []
    policy_decide(agent=step.agent, allowed_mode="assisted", rationale="Too risky alone.", by=head_user)
    [finding] = mode_exceeds_policy()
    assert "Chat bot acts AI-autonomous" in finding.message and "allows it “Assisted only”" in finding.message
    StepFactory(mode="ai_assisted", agent=step.agent)  # within "assisted": no finding
    assert len(mode_exceeds_policy()) == 1
    policy_decide(agent=step.agent, allowed_mode="prohibited", rationale="Stop.", by=head_user)
    assert len(mode_exceeds_policy()) == 2  # prohibited: every AI step exceeds it


def test_pulling_the_plug_records_who_when_and_why_and_resuming_too():
    staff = make_user("mia", "MarOps staff")
    agent = AgentFactory(name="Send-time bot")
    with pytest.raises(ValidationError, match="Say why"):
        agent_pause(agent=agent, reason="  ", by=staff)
    agent_pause(agent=agent, reason="Sending at 3am", by=staff)
    assert Agent.objects.get(pk=agent.pk).status == "paused"
    event = KillSwitchEvent.objects.get()
    assert (event.action, event.by, event.reason) == ("pause", staff, "Sending at 3am") and event.at
    with pytest.raises(ValidationError, match="not active"):
        agent_pause(agent=agent, reason="again", by=staff)
    agent_resume(agent=agent, reason="Time zones fixed", by=make_user("l", "Leaders"))
    assert Agent.objects.get(pk=agent.pk).status == "active"
    assert KillSwitchEvent.objects.filter(action="resume").count() == 1


def test_staff_pause_but_only_leaders_resume_through_the_pages(client, demo):
    agent = Agent.objects.get(name="Chat Concierge")
    client.force_login(make_user("s", "MarOps staff"))
    assert (
        client.post(reverse("governance:agent-pause", args=[agent.pk]), {"reason": "Quoting old prices"}).status_code
        == 302
    )
    assert client.post(reverse("governance:agent-resume", args=[agent.pk]), {"reason": "ok"}).status_code == 403
    page = client.get(reverse("workflows:workflow-list")).content.decode()
    client.force_login(make_user("e", "Executives"))
    assert client.post(reverse("governance:agent-pause", args=[agent.pk]), {"reason": "x"}).status_code == 403
    lead_routing = client.get(reverse("workflows:workflow-detail", args=[agent.steps.first().workflow_id])).content
    assert b'Chat Concierge <span class="badge badge-paused">paused</span>' in lead_routing
    client.force_login(make_user("l", "Leaders"))
    assert client.post(reverse("governance:agent-resume", args=[agent.pk]), {"reason": "KB fixed"}).status_code == 302
    assert Agent.objects.get(pk=agent.pk).status == "active"
    assert page


def test_a_leader_who_is_not_the_head_is_refused_the_call_with_the_reason(client, demo):
    agent = Agent.objects.get(name="Chat Concierge")
    client.force_login(make_user("someone", "Leaders"))
    response = client.post(
        reverse("governance:agent-policy", args=[agent.pk]), {"allowed_mode": "prohibited", "rationale": "Stop"}
    )
    assert response.status_code == 403
    assert (
        "Only the Head of Marketing Operations (Dana Whitfield) may make the AI governance call"
        in response.content.decode()
    )
    client.login(username="leader", password="marops-demo")  # Dana Whitfield
    response = client.post(
        reverse("governance:agent-policy", args=[agent.pk]),
        {"allowed_mode": "assisted", "rationale": "Pricing questions need a person."},
    )
    assert response.status_code == 302
    page = client.get(reverse("governance:agent-detail", args=[agent.pk])).content.decode()
    assert "mode-exceeds-policy" in page and "Pricing questions need a person." in page


def test_registers_findings_trip_and_clear(head_user):
    agent = AgentFactory(name="Scorer")
    source = DataSource.objects.create(name="Bought list", is_allowed=False)
    source.agents.add(agent)
    assert [f.rule for f in disallowed_data_source()] == ["disallowed-data-source"]
    Agent.objects.filter(pk=agent.pk).update(status="paused")
    assert disallowed_data_source() == []

    designer = PersonFactory(name="Pat")
    asset = KnowledgeAsset.objects.create(name="Chat prompt", kind="prompt", owner=designer)
    assert [f.message for f in asset_owner_without_role()] == [
        "“Chat prompt v1” is owned by Pat, who does not hold the Prompt and Knowledge Designer role."
    ]
    live = head_user.person.positions.get()
    PositionFactory(chart=live.chart, reports_to=live, person=designer, roles=[role("prompt-knowledge-designer")])
    assert asset_owner_without_role() == []

    assert [f.message for f in stale_output_audit()] == ["“Chat prompt v1” has never had its outputs audited."]
    today = timezone.localdate()
    audit = OutputAudit.objects.create(
        asset=asset,
        audited_on=today - timezone.timedelta(days=91),
        accuracy_score=90,
        brand_score=90,
        sample_size=50,
        auditor=designer,
    )
    assert "more than 90 days ago" in stale_output_audit()[0].message
    audit.audited_on = today - timezone.timedelta(days=30)
    audit.save()
    assert stale_output_audit() == []


def test_accountability_test_command_prints_one_line_per_step_and_the_score(demo, capsys):
    call_command("accountability_test")
    lines = capsys.readouterr().out.splitlines()
    assert "Campaign launch\tOptimise send time\tdana.whitfield@halcyon.example" in lines
    # The 2022 chart fails where the article says it does: owners outside MarOps cannot pass.
    assert (
        "Lead routing\tQualify visitor in website chat\t-\t"
        "The owner of “Lead routing”, Tom Nguyen, holds no MarOps seat in the live chart."
    ) in lines
    assert "Event follow-up\tDraft personalised follow-up\t-\tThe workflow “Event follow-up” has no owner." in lines
    assert lines[-1] == "score: 2/6"


def test_the_test_page_shows_the_score_and_the_failures(client, demo):
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("governance:test")).content.decode()
    assert "2 / 6" in page and "✘ The workflow “Event follow-up” has no owner." in page
    assert "✘ The owner of “Lead routing”, Tom Nguyen, holds no MarOps seat in the live chart." in page


def test_the_test_page_puts_failures_first_and_pages_the_rest(client, demo, django_assert_max_num_queries):
    from tests.factories import StepFactory, WorkflowFactory, marops_person

    owned, unowned = (
        WorkflowFactory(name="A owned", owner=marops_person()),
        WorkflowFactory(name="Z unowned", owner=None),
    )
    for order in range(1, 131):
        StepFactory(workflow=owned, order=order, is_buyer_facing=True, mode="ai_assisted")
    for order in range(1, 4):
        StepFactory(workflow=unowned, order=order, is_buyer_facing=True, mode="ai_autonomous")
    client.force_login(make_user("e", "Executives"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("governance:test")).content.decode()
    assert "132 / 139" in page and "Page 1 of 2" in page
    rows = page.split('data-testid="test-row"')[1:]
    assert len(rows) == 100 and all("✘" in row for row in rows[:7]) and "✘" not in "".join(rows[7:])
    failing = client.get(reverse("governance:test"), {"show": "failing"}).content.decode()
    assert failing.count('data-testid="test-row"') == 7 and "Page 1" not in failing


def test_a_leader_retires_an_idle_agent_and_the_scan_stops_flagging_it(client, demo):
    from workflows.models import OwnershipFlag, Step
    from workflows.scan import ownership_scan

    ownership_scan()
    intent = Agent.objects.get(name="Intent Signal Agent")  # acts in no step: the demo flags it
    assert OwnershipFlag.objects.filter(agent=intent, resolved_at__isnull=True).exists()
    client.force_login(make_user("s", "MarOps staff"))
    assert client.post(reverse("governance:agent-retire", args=[intent.pk]), {"reason": "Replaced"}).status_code == 403
    client.force_login(make_user("l", "Leaders"))
    refused = client.post(reverse("governance:agent-retire", args=[intent.pk]), {"reason": "  "})
    assert refused.status_code == 422 and "This field is required." in refused.content.decode()
    response = client.post(reverse("governance:agent-retire", args=[intent.pk]), {"reason": "Replaced by CDP scoring"})
    assert response.status_code == 302 and Agent.objects.get(pk=intent.pk).status == "retired"
    event = KillSwitchEvent.objects.get(agent=intent)
    assert (event.action, event.reason) == ("retire", "Replaced by CDP scoring")
    page = client.get(reverse("governance:agent-detail", args=[intent.pk])).content.decode()
    assert "Retired: it acts in no workflow" in page and "Retire Intent Signal Agent…" not in page
    assert not OwnershipFlag.objects.filter(agent=intent, resolved_at__isnull=True).exists()  # closed at once
    assert not ownership_scan().changed

    # An agent that still acts in a step stays, with the steps named and the reason kept.
    chat = Agent.objects.get(name="Chat Concierge")
    response = client.post(reverse("governance:agent-retire", args=[chat.pk]), {"reason": "Too risky"})
    html = response.content.decode()
    assert response.status_code == 422 and html.count("Chat Concierge still acts in “Lead routing” step 2.") == 1
    assert ">Too risky</textarea>" in html and '<details class="retire" open>' in html
    assert Agent.objects.get(pk=chat.pk).status == "active" and Step.objects.filter(agent=chat).exists()
    assert KillSwitchEvent.objects.filter(agent=chat).count() == 0


def test_retiring_is_refused_twice_and_ignores_steps_of_retired_workflows():
    from governance.services import agent_retire
    from tests.factories import WorkflowFactory

    leader = make_user("l", "Leaders")
    agent = AgentFactory(name="Old bot")
    StepFactory(agent=agent, workflow=WorkflowFactory(name="Old campaign", status="retired"))
    agent_retire(agent=agent, reason="Replaced", by=leader)
    with pytest.raises(ValidationError, match="already retired"):
        agent_retire(agent=agent, reason="Again", by=leader)
    with pytest.raises(ValidationError, match="not active"):
        agent_pause(agent=agent, reason="x", by=leader)
    assert KillSwitchEvent.objects.filter(agent=agent).count() == 1


def test_an_agent_page_shows_the_findings_of_the_knowledge_it_uses(client, demo):
    asset = KnowledgeAsset.objects.create(
        name="Pricing FAQ", kind="knowledge_base", owner=PersonFactory(name="Sam Hill")
    )
    user, bystander = AgentFactory(name="Answer bot"), AgentFactory(name="Other bot")
    asset.agents.add(user)
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("governance:agent-detail", args=[user.pk])).content.decode()
    assert "has never had its outputs audited." in page
    assert "is owned by Sam Hill, who does not hold the Prompt and Knowledge Designer role." in page
    other = client.get(reverse("governance:agent-detail", args=[bystander.pk])).content.decode()
    assert "Pricing FAQ" not in other


def test_a_retired_agent_cannot_come_back_through_a_step_or_an_old_workflow():
    from governance.services import agent_retire
    from tests.factories import PlatformFactory, WorkflowFactory
    from workflows.services import StepData, step_save, workflow_save

    leader = make_user("l", "Leaders")
    agent = AgentFactory(name="Old bot")
    old = WorkflowFactory(name="Old campaign", status="retired")
    StepFactory(workflow=old, agent=agent, order=1, name="Write the copy")
    agent_retire(agent=agent, reason="Replaced", by=leader)
    with pytest.raises(ValidationError, match="Old bot is retired"):
        step_save(
            workflow=WorkflowFactory(),
            data=StepData(name="Draft", platform=PlatformFactory(), mode="ai_assisted", agent=agent, decision="d"),
        )
    with pytest.raises(ValidationError, match="Step 1 “Write the copy” uses Old bot, which is retired"):
        workflow_save(name="Old campaign", status="active", workflow=old)
    assert Workflow.objects.get(pk=old.pk).status == "retired"
