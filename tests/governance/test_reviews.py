"""Reviews resolve to exactly one accountable owner; concurrent reviewers never lose work silently."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from governance.models import Review
from governance.selectors import incident_timeline
from governance.services import (
    ReviewConflict,
    corrective_action_add,
    incident_create,
    review_resolve,
    review_save,
)
from tests.conftest import make_user
from tests.factories import PersonFactory, StepFactory, UserFactory, WorkflowFactory, marops_person
from workflows.models import OwnershipFlag

pytestmark = pytest.mark.django_db


def log(step, **extra):
    return incident_create(
        reporter=UserFactory(),
        agent=step.agent,
        step=step,
        summary="Wrong price",
        description="It quoted £49.",
        severity="high",
        occurred_at=timezone.now(),
        **extra,
    )


def test_an_incident_nobody_can_be_named_for_opens_a_flag_that_closes_when_the_review_names_one():
    incident = log(StepFactory(workflow=WorkflowFactory(name="Event follow-up", owner=None)))
    flag = OwnershipFlag.objects.get(kind="incident-without-owner")
    assert flag.subject_key == f"incident:{incident.pk}" and flag.resolved_at is None
    assert "“Event follow-up” has no owner" in flag.message
    review_save(
        review=incident.review,
        expected_version=1,
        root_cause="data",
        analysis="",
        accountable_owner=PersonFactory(),
        by=None,
    )
    flag.refresh_from_db()
    assert flag.resolved_at is not None


def test_resolving_needs_an_owner_and_a_root_cause():
    incident = log(StepFactory(workflow=WorkflowFactory(owner=None)))
    with pytest.raises(ValidationError) as refused:
        review_resolve(review=incident.review, expected_version=1, by=None)
    assert set(refused.value.message_dict) == {"accountable_owner", "root_cause"}
    assert Review.objects.get(pk=incident.review.pk).status == "open"


def test_a_stale_form_gets_a_conflict_and_nothing_is_overwritten():
    owner = PersonFactory(name="Tom")
    incident = log(StepFactory(workflow=WorkflowFactory(owner=owner)))
    review_save(
        review=incident.review,
        expected_version=1,
        root_cause="data",
        analysis="First reviewer",
        accountable_owner=owner,
        by=None,
    )
    with pytest.raises(ReviewConflict, match="Someone else changed this review"):
        review_save(
            review=incident.review,
            expected_version=1,
            root_cause="policy",
            analysis="Second reviewer",
            accountable_owner=owner,
            by=None,
        )
    assert Review.objects.get(pk=incident.review.pk).analysis == "First reviewer"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_resolving_at_once_exactly_one_wins():
    from django.apps import apps

    from core.permissions import groups_sync
    from roles.catalogue import catalogue_sync
    from roles.models import Role

    catalogue_sync(Role)
    groups_sync(apps)
    owner = PersonFactory(name="Tom")
    incident = log(StepFactory(workflow=WorkflowFactory(owner=owner)))
    review_save(
        review=incident.review, expected_version=1, root_cause="data", analysis="", accountable_owner=owner, by=None
    )
    barrier, outcomes = threading.Barrier(2), []

    def resolve():
        try:
            review = Review.objects.get(pk=incident.review.pk)  # both read it before either resolves
            barrier.wait()
            review_resolve(review=review, expected_version=2, by=None)
            outcomes.append("won")
        except ReviewConflict as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=len)[0] == "won"
    assert outcomes.count("won") == 1
    assert any("Someone else changed this review" in o for o in outcomes)
    review = Review.objects.get(pk=incident.review.pk)
    assert review.status == "resolved" and review.version == 3


def test_the_timeline_records_who_changed_what(client, demo):
    staff = make_user("reviewer", "MarOps staff", first_name="Mia", last_name="Chen")
    client.force_login(staff)
    from governance.models import Incident

    incident = Incident.objects.get(summary="Chat Concierge quoted a retired pricing tier")
    client.post(
        reverse("governance:review-update", args=[incident.pk]),
        {
            "version": incident.review.version,
            "root_cause": "prompt_knowledge",
            "analysis": "Old KB",
            "accountable_owner": incident.review.accountable_owner_id or "",
        },
    )
    corrective_action_add(
        review=incident.review,
        description="Refresh the KB",
        assignee=PersonFactory(name="Ann"),
        due_on=timezone.localdate(),
    )
    whats = [(e.who, e.what) for e in incident_timeline(incident)]
    assert ("Mia Chen", "Root cause: Prompt or knowledge") in whats
    assert ("Mia Chen", "Status: Open → In review") in whats
    assert any(what.startswith("Action added: Refresh the KB (Ann") for _, what in whats)


def test_the_review_pages_refuse_other_groups_and_report_conflicts(client, demo):
    from governance.models import Incident

    incident = Incident.objects.get(summary="Chat Concierge quoted a retired pricing tier")
    url = reverse("governance:review-update", args=[incident.pk])
    data = {"version": incident.review.version, "root_cause": "data", "analysis": "x", "accountable_owner": ""}
    for group in ["Executives", "Leaders"]:
        client.force_login(make_user(f"x-{group}", group))
        assert client.post(url, data).status_code == 403
        assert client.post(reverse("governance:incident-log"), {}).status_code == 403
    client.force_login(make_user("s", "MarOps staff"))
    assert client.post(url, data).status_code == 302
    stale = client.post(url, data | {"analysis": "my careful analysis"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else changed this review" in html and "my careful analysis" in html


def test_logging_with_a_step_of_another_agent_or_nothing_is_refused_with_reasons(client, demo):
    from workflows.models import Agent, Step

    client.force_login(make_user("s", "MarOps staff"))
    chat = Agent.objects.get(name="Chat Concierge")
    foreign = Step.objects.get(workflow__name="Campaign launch", order=2)
    response = client.post(
        reverse("governance:incident-log"),
        {
            "agent": chat.pk,
            "step": foreign.pk,
            "summary": "x",
            "description": "y",
            "occurred_at": "2026-11-20T10:00",
            "severity": "high",
            "harm_category": "other",
        },
    )
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    empty = client.post(reverse("governance:incident-log"), {})
    assert empty.status_code == 422
    for label in ["Agent: This field is required.", "What happened: This field is required."]:
        assert label in empty.content.decode()


def test_clearing_the_owner_reopens_the_incident_flag_and_a_resolved_review_stays_resolved():
    owner = marops_person(name="Tom")
    incident = log(StepFactory(workflow=WorkflowFactory(owner=owner)))
    assert not OwnershipFlag.objects.filter(kind="incident-without-owner").exists()
    with pytest.raises(ValidationError, match="Say why Tom is no longer accountable"):
        review_save(
            review=incident.review, expected_version=1, root_cause="data", analysis="", accountable_owner=None, by=None
        )
    review = review_save(
        review=incident.review,
        expected_version=1,
        root_cause="data",
        analysis="",
        accountable_owner=None,
        owner_change_reason="Tom only built the routing; the data feed is someone else's.",
        by=None,
    )
    flag = OwnershipFlag.objects.get(kind="incident-without-owner", resolved_at__isnull=True)
    assert flag.message.endswith("the review names nobody accountable.")
    review = review_save(
        review=review, expected_version=review.version, root_cause="data", analysis="", accountable_owner=owner, by=None
    )
    review = review_resolve(review=review, expected_version=review.version, by=None)
    with pytest.raises(ValidationError, match="already resolved"):
        review_resolve(review=review, expected_version=review.version, by=None)


def test_a_review_that_names_someone_else_changes_the_one_accountable_person_everywhere(client):
    from governance.models import Incident

    logged_owner, reviewer_pick = marops_person(name="Tom Nguyen"), marops_person(name="Priya Shah")
    incident = log(StepFactory(workflow=WorkflowFactory(owner=logged_owner)))
    client.force_login(make_user("reviewer", "MarOps staff", first_name="Mia", last_name="Chen"))
    url = reverse("governance:review-update", args=[incident.pk])
    form = {"version": 1, "root_cause": "data", "analysis": "Stale feed", "accountable_owner": reviewer_pick.pk}
    refused = client.post(url, form)
    assert refused.status_code == 422 and "Say why Tom Nguyen is no longer accountable" in refused.content.decode()
    client.post(url, form | {"owner_change_reason": "The data feed is Priya's", "resolve": "1"})

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.accountable == reviewer_pick and incident.accountable_when_logged == logged_owner
    page = client.get(reverse("governance:incident-detail", args=[incident.pk])).content.decode()
    headline = page.split('data-testid="accountable">')[1].split("<")[0]
    assert headline == "Priya Shah"
    assert "Tom Nguyen was named when it was logged" in page
    listed = client.get(reverse("governance:incident-list"), {"show": "all"}).content.decode()
    assert "Priya Shah" in listed and "Tom Nguyen" not in listed
    whats = [(e.who, e.what) for e in incident_timeline(incident)]
    assert ("Mia Chen", "Accountable: Tom Nguyen → Priya Shah (why: The data feed is Priya's)") in whats


def test_the_timeline_names_who_saved_the_review_outside_a_page():
    """From the API or a command there is no request: the review's history takes `by`."""
    owner = marops_person(name="Tom")
    incident = log(StepFactory(workflow=WorkflowFactory(owner=owner)))
    integration = UserFactory(username="platform-bot", first_name="Platform", last_name="Bot")
    review = review_save(
        review=incident.review,
        expected_version=1,
        root_cause="data",
        analysis="",
        accountable_owner=owner,
        by=integration,
    )
    review_resolve(review=review, expected_version=review.version, by=integration)
    whats = [(e.who, e.what) for e in incident_timeline(incident)]
    assert ("Platform Bot", "Root cause: Data") in whats and ("Platform Bot", "Status: In review → Resolved") in whats
