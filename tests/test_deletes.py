"""Nothing that matters can be deleted without a trace (issue 12, item 9).

Each delete is tried the ways a user or a script can: Django admin's delete page and bulk action (as a
superuser), the model and queryset, and the service; each is refused (or, for a workflow, archives)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from governance.models import RETENTION, CorrectiveAction, Incident, KillSwitchEvent, PolicyDecision, Review
from governance.services import agent_pause, corrective_action_add, incident_create, policy_decide, review_submit
from roles.models import Chart
from roles.services import chart_delete
from tests.factories import (
    AgentFactory,
    ChartFactory,
    PersonFactory,
    PositionFactory,
    StepFactory,
    UserFactory,
    WorkflowFactory,
    role,
)
from workflows.models import OwnershipFlag, Step, Workflow
from workflows.scan import ownership_scan
from workflows.selectors import accountability_test_score, workflow_figures

pytestmark = pytest.mark.django_db


def admin_delete(admin_client, obj):
    """Django admin's delete page, confirmed."""
    meta = obj._meta
    return admin_client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk]), {"post": "yes"}
    )


def admin_bulk_delete(admin_client, obj):
    """The changelist's "Delete selected" action, confirmed."""
    meta = obj._meta
    return admin_client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )


# --- charts: the live chart (and a former live chart) stays -------------------------------------------


@pytest.mark.parametrize("status", ["live", "archived"])
def test_the_live_chart_and_former_live_charts_cannot_be_deleted_any_way(admin_client, status):
    chart = ChartFactory(status=status)
    PositionFactory(chart=chart)
    assert admin_delete(admin_client, chart).status_code == 403
    admin_bulk_delete(admin_client, chart)
    with pytest.raises(ProtectedError, match="Only scenarios can be deleted"):
        chart.delete()
    with pytest.raises(ProtectedError):
        Chart.objects.filter(pk=chart.pk).delete()
    with pytest.raises(ValidationError, match="Only scenarios can be deleted"):
        chart_delete(chart=chart)
    assert Chart.objects.filter(pk=chart.pk).exists() and chart.positions.count() == 1


def test_the_admin_does_not_offer_to_delete_the_live_chart_but_deletes_a_scenario(admin_client):
    live, scenario = ChartFactory(status="live"), ChartFactory(status="scenario")
    page = admin_client.get(reverse("admin:roles_chart_change", args=[live.pk])).content.decode()
    assert reverse("admin:roles_chart_delete", args=[live.pk]) not in page
    assert admin_delete(admin_client, scenario).status_code == 302
    assert not Chart.objects.filter(pk=scenario.pk).exists()


def test_a_former_live_chart_and_its_seats_are_read_only_in_admin_as_on_its_page(admin_client):
    chart = ChartFactory(name="2022 org", status="archived")
    seat = PositionFactory(chart=chart, title="Marketo admin")
    changed = admin_client.post(reverse("admin:roles_chart_change", args=[chart.pk]), {"name": "x", "status": "live"})
    assert changed.status_code == 403
    assert admin_client.post(reverse("admin:roles_position_change", args=[seat.pk]), {"title": "x"}).status_code == 403
    assert admin_delete(admin_client, seat).status_code == 403
    assert Chart.objects.get(pk=chart.pk).status == "archived" and chart.positions.get().title == "Marketo admin"


# --- the kill switch's history and governance calls are append-only ------------------------------------


@pytest.fixture
def switched():
    """An agent paused once, with a governance call made by the Head of MarOps."""
    user = UserFactory()
    head = PersonFactory(user=user)
    live = ChartFactory(status="live")
    PositionFactory(chart=live, person=head, roles=[role("head-of-marops")])
    agent = AgentFactory()
    event = agent_pause(agent=agent, reason="Quoting wrong prices.", by=user)
    decision = policy_decide(agent=agent, allowed_mode="assisted", rationale="Humans check prices.", by=user)
    return agent, event, decision


def test_the_kill_switch_history_and_governance_calls_cannot_be_changed_or_deleted(admin_client, switched):
    agent, event, decision = switched
    for record in (event, decision):
        meta = record._meta
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
        assert admin_client.get(change).status_code == 200  # shown, read-only
        assert admin_client.post(change, {"reason": "Rewritten", "rationale": "Rewritten"}).status_code == 403
        assert admin_delete(admin_client, record).status_code == 403
        admin_bulk_delete(admin_client, record)
        with pytest.raises(ProtectedError):
            record.delete()
        with pytest.raises(ProtectedError, match="append-only"):
            record.save()
    with pytest.raises(ProtectedError):  # PROTECT: deleting the agent would take its history with it
        agent.delete()
    assert admin_delete(admin_client, agent).status_code == 200  # Django's "cannot delete: protected" page
    assert KillSwitchEvent.objects.get(pk=event.pk).reason == "Quoting wrong prices."
    assert PolicyDecision.objects.get(pk=decision.pk).rationale == "Humans check prices."


# --- a deleted workflow is archived -----------------------------------------------------------------------


def test_deleting_a_workflow_in_admin_archives_it_and_keeps_its_steps_flags_and_history(admin_client, client, leader):
    step = StepFactory(workflow=WorkflowFactory(name="Webinars", owner=None))
    workflow = step.workflow
    ownership_scan()
    flags = set(OwnershipFlag.objects.filter(workflow=workflow).values_list("pk", flat=True))
    assert flags and OwnershipFlag.objects.filter(pk__in=flags, resolved_at__isnull=True).count() == len(flags)

    assert workflow_figures()["total"] == 1 and accountability_test_score() == (0, 1)
    response = admin_delete(admin_client, workflow)
    assert response.status_code == 302
    follow = admin_client.get(response["Location"]).content.decode()
    assert "“Webinars” is archived: its steps, flags and history stay." in follow

    workflow.refresh_from_db()
    assert workflow.is_archived and workflow.status == "retired"
    assert list(workflow.steps.all()) == [step]
    assert set(OwnershipFlag.objects.filter(workflow=workflow).values_list("pk", flat=True)) == flags
    assert not OwnershipFlag.objects.filter(workflow=workflow, resolved_at__isnull=True).exists()  # they resolved
    assert workflow.history.first().history_change_reason == "Deleted: archived"
    ownership_scan()
    assert not OwnershipFlag.objects.filter(workflow=workflow, resolved_at__isnull=True).exists()  # and stay so
    assert workflow_figures()["total"] == 0 and accountability_test_score() == (0, 0)  # the dashboard, the Test

    client.force_login(leader)
    assert "Webinars" not in client.get(reverse("workflows:workflow-list")).content.decode()
    page = client.get(reverse("workflows:workflow-detail", args=[workflow.pk])).content.decode()
    assert "kept as history" in page and reverse("workflows:workflow-owner", args=[workflow.pk]) not in page
    assert admin_client.get(reverse("admin:workflows_workflow_change", args=[workflow.pk])).status_code == 200
    changed = admin_client.post(reverse("admin:workflows_workflow_change", args=[workflow.pk]), {"name": "Renamed"})
    assert changed.status_code == 403 and Workflow.objects.get(pk=workflow.pk).name == "Webinars"


def test_the_admins_bulk_delete_of_workflows_archives_them(admin_client):
    workflows = [StepFactory().workflow for _ in range(2)]
    response = admin_client.post(
        reverse("admin:workflows_workflow_changelist"),
        {"action": "archive_selected", "_selected_action": [w.pk for w in workflows]},
    )
    assert response.status_code == 302
    assert Workflow.objects.filter(archived_at__isnull=False).count() == 2 and Step.objects.count() == 2
    admin_bulk_delete(admin_client, workflows[0])  # Django's delete action is not offered: nothing happens
    assert Workflow.objects.count() == 2 and Step.objects.count() == 2


def test_deleting_a_workflow_in_code_archives_it_and_the_database_keeps_its_steps():
    step = StepFactory()
    step.workflow.delete()
    assert Workflow.objects.get(pk=step.workflow_id).is_archived
    with pytest.raises(ProtectedError):  # a queryset delete goes around the model: PROTECT stops it
        Workflow.objects.filter(pk=step.workflow_id).delete()
    assert Step.objects.filter(pk=step.pk).exists()


def test_the_database_refuses_a_deleted_workflow_that_is_not_retired():
    from django.db import IntegrityError, transaction

    workflow = WorkflowFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Workflow.objects.filter(pk=workflow.pk).update(archived_at=timezone.now(), status="active")


# --- incidents, reviews and their history are kept six months after the review is resolved -----------


def logged(resolved_days_ago: int | None):
    """An incident with a corrective action, resolved that many days ago (None: still open)."""
    step = StepFactory()
    owner = PersonFactory()
    user = UserFactory()
    incident = incident_create(
        reporter=user,
        agent=step.agent,
        step=step,
        summary="Wrong price",
        description="It quoted £49.",
        severity="high",
        occurred_at=timezone.now(),
    )
    corrective_action_add(review=incident.review, description="Fix it", assignee=owner, due_on=timezone.localdate())
    if resolved_days_ago is not None:
        review_submit(
            review=incident.review,
            expected_version=incident.review.version,
            root_cause="data",
            analysis="",
            accountable_owner=owner,
            resolve=True,
            by=user,
        )
        resolved_at = timezone.now() - datetime.timedelta(days=resolved_days_ago)
        Review.objects.filter(incident=incident).update(resolved_at=resolved_at)
    return Incident.objects.get(pk=incident.pk)


@pytest.mark.parametrize("resolved_days_ago", [None, 0, RETENTION.days - 1], ids=["open", "resolved today", "5 months"])
def test_an_incident_within_six_months_of_resolution_cannot_be_deleted_any_way(admin_client, resolved_days_ago):
    incident = logged(resolved_days_ago)
    review, action = incident.review, incident.review.actions.get()
    assert admin_delete(admin_client, incident).status_code == 403
    admin_bulk_delete(admin_client, incident)
    with pytest.raises(ProtectedError, match="six months"):
        incident.delete()
    with pytest.raises(ProtectedError, match="six months"):
        Incident.objects.filter(pk=incident.pk).delete()
    for part in (review, action):
        assert admin_delete(admin_client, part).status_code == 403
        with pytest.raises(ProtectedError):
            part.delete()
    with pytest.raises(ProtectedError):  # PROTECT from the step and the agent
        incident.step.delete()
    with pytest.raises(ProtectedError):
        incident.agent.delete()
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert Review.objects.filter(pk=review.pk).exists() and CorrectiveAction.objects.filter(pk=action.pk).exists()


def test_past_six_months_admin_deletes_an_incident_with_its_review_and_actions(admin_client):
    incident = logged(RETENTION.days + 1)
    review_id = incident.review.pk
    assert admin_delete(admin_client, incident).status_code == 302
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert not Review.objects.filter(pk=review_id).exists() and not CorrectiveAction.objects.exists()


def test_admin_cannot_remove_a_review_or_an_action_from_an_incident(admin_client):
    incident = logged(None)
    page = admin_client.get(reverse("admin:governance_review_change", args=[incident.review.pk])).content.decode()
    assert "actions-0-DELETE" not in page  # the actions' inline has no delete box
    page = admin_client.get(reverse("admin:governance_incident_change", args=[incident.pk])).content.decode()
    assert "review-0-DELETE" not in page


def test_a_resolved_review_is_read_only_in_admin_as_on_its_page(admin_client):
    incident = logged(0)
    url = reverse("admin:governance_review_change", args=[incident.review.pk])
    assert admin_client.post(url, {"status": "open", "root_cause": "policy"}).status_code == 403
    assert Review.objects.get(pk=incident.review.pk).root_cause == "data"
