"""seed_demo: a realistic platform-organised company, the same data however often it runs."""

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import call_command

from marops.demo import LIVE_CHART, TARGET_CHART
from roles.models import Chart
from roles.rules import chart_findings
from workflows.accountability import step_accountable
from workflows.models import Agent, Platform, Step, Workflow

pytestmark = pytest.mark.django_db


def snapshot():
    models = [m for label in ("roles", "workflows", "governance") for m in apps.get_app_config(label).get_models()]
    models += [User]
    return {m._meta.label: serializers.serialize("python", m.objects.order_by("pk")) for m in models}


def test_running_seed_demo_twice_leaves_the_same_data(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    out = capsys.readouterr().out
    for username in ("cmo", "leader", "staff", "admin"):
        assert username in out
    assert "marops-demo" in out


def test_the_demo_users_log_in_with_the_demo_password(client, demo):
    for username, group in [("cmo", "Executives"), ("leader", "Leaders"), ("staff", "MarOps staff")]:
        user = User.objects.get(username=username)
        assert [g.name for g in user.groups.all()] == [group]
        assert client.login(username=username, password="marops-demo")
    assert User.objects.get(username="admin").is_superuser


def test_the_live_chart_is_organised_by_platform_and_trips_the_2026_rules(demo):
    live = Chart.objects.get(status="live")
    assert live.name == LIVE_CHART
    titles = set(live.positions.values_list("title", flat=True))
    assert {
        "Marketo Admin",
        "Salesforce Admin",
        "Analytics Lead",
        "Content Lead",
        "Demand Generation Director",
        "Chief Marketing Officer",
        "Chief Data Officer",
    } <= titles
    assert live.positions.filter(title__startswith="Campaign Coordinator").count() >= 2
    findings = chart_findings(live)
    assert {f.rule for f in findings} == {
        "head-reports-to-cmo",
        "head-level",
        "missing-role",
        "hiring-order",
        "unplaced-person",
        "platform-organised",
    }
    [platform] = [f for f in findings if f.rule == "platform-organised"]
    assert platform.message == "Marketo Admin is defined by Marketo; Marco Rossi owns no workflow."
    missing = sorted(f.message for f in findings if f.rule == "missing-role")
    assert missing == [
        "No position holds the Data Steward role.",
        "No position holds the Prompt and Knowledge Designer role.",
        "No position holds the Workflow Architect role.",
    ]


def test_the_2026_target_scenario_has_the_four_core_roles_and_passes_the_reporting_rules(demo):
    target = Chart.objects.get(name=TARGET_CHART)
    assert target.status == "scenario" and target.based_on.name == LIVE_CHART
    held = set(target.positions.values_list("roles__key", flat=True))
    assert {"head-of-marops", "workflow-architect", "data-steward", "prompt-knowledge-designer"} <= held
    assert chart_findings(target) == []


def test_workflows_span_platforms_and_all_three_modes_with_some_unowned(demo):
    names = set(Workflow.objects.values_list("name", flat=True))
    assert {"Lead routing", "Campaign launch", "Attribution reporting", "Content production"} <= names
    assert len(names) >= 6
    assert Platform.objects.filter(steps__isnull=False).distinct().count() >= 4
    assert set(Step.objects.values_list("mode", flat=True)) == {"human", "ai_assisted", "ai_autonomous"}
    assert Workflow.objects.filter(owner__isnull=True).exists()
    assert Workflow.objects.filter(owner__isnull=False).exists()
    assert Agent.objects.count() >= 4
    assert Agent.objects.filter(status="paused").exists()
    assert Agent.objects.filter(steps__isnull=True).exists()  # an agent acting in no workflow


def test_lead_routing_has_a_buyer_facing_ai_step_with_one_accountable_person(demo):
    step = Step.objects.get(workflow__name="Lead routing", name="Qualify visitor in website chat")
    assert step.is_buyer_facing and step.mode == "ai_autonomous"
    # Tom owns the workflow from a Sales ops seat: in 2022's chart nobody in MarOps is accountable;
    # the 2026 target gives him a MarOps seat, and then he is.
    today = step_accountable(step)
    assert today.person is None and today.gap == "owner-outside-marops"
    target = Chart.objects.get(status="scenario", name__contains="2026")
    assert step_accountable(step, chart=target).person.name == "Tom Nguyen"


def test_incidents_name_the_accountable_person_or_why_not_and_one_is_resolved(demo):
    from governance.models import Incident

    incidents = Incident.objects.select_related("review", "accountable_when_logged")
    assert incidents.count() >= 4
    assert incidents.filter(review__status="resolved").count() == 1
    nobody = incidents.filter(accountable_when_logged__isnull=True)
    assert nobody.exists() and all(i.accountability_reason for i in nobody)


def test_the_demo_company_existed_before_its_incidents(demo):
    """History starts a year back, so who was accountable when each incident occurred has an answer."""
    from governance.models import Incident
    from workflows.accountability import step_accountable_at

    incident = Incident.objects.select_related("step__workflow").get(summary__startswith="Chat Concierge quoted")
    then = step_accountable_at(incident.step, incident.occurred_at)
    assert then.gap == "owner-outside-marops" and "Tom Nguyen" in then.reason


def test_loading_the_demo_tells_nobody(mailoutbox, django_capture_on_commit_callbacks):
    # The demo's incidents and reviews are history, not news: no e-mail to its made-up people, no webhook.
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert mailoutbox == [] and not Notification.objects.exists()


def test_the_demo_incidents_are_history_for_the_notifications_catch_up():
    # The catch-up tells, late, about incidents of the last day nobody was told about: not the demo's.
    import datetime

    from django.utils import timezone

    from notifications.services import logged_unannounced

    call_command("seed_demo")
    an_hour_later = timezone.now() + datetime.timedelta(hours=1)  # past the catch-up's wait
    assert logged_unannounced(an_hour_later) == []
