"""Who was accountable at a past moment: the one definition asked of the recorded history of workflow
owners, people and seats, before and after each kind of change (docs/design.md: "The answer as of any past
moment comes from the recorded history of owners, seats and people")."""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.utils import timezone

from core.history_start import give_first_records
from governance.services import incident_create
from roles.models import Person, Position
from roles.services import (
    chart_adopt,
    chart_clone,
    person_set_active,
    position_assign_person,
    position_data,
    position_delete,
    position_save,
)
from tests.factories import ChartFactory, PersonFactory, PositionFactory, StepFactory, WorkflowFactory
from workflows.accountability import NOT_YET, Gap, step_accountable, step_accountable_at
from workflows.models import Step, Workflow
from workflows.services import workflow_assign_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """A live chart where Dana holds a MarOps seat and owns "Renewals", whose step sends an e-mail."""
    live = ChartFactory(status="live", name="Live")
    top = PositionFactory(chart=live, team="executive", title="CMO")
    dana = PersonFactory(name="Dana")
    seat = PositionFactory(chart=live, person=dana, team="marops", title="Head of MarOps", reports_to=top)
    step = StepFactory(workflow=WorkflowFactory(name="Renewals", owner=dana), name="Send renewal e-mail")
    return SimpleNamespace(live=live, top=top, dana=dana, seat=seat, step=step, workflow=step.workflow)


def marops_seat(chart, person, top):
    return PositionFactory(chart=chart, person=person, team="marops", reports_to=top)


def answer(step, at):
    return step_accountable_at(Step.objects.get(pk=step.pk), at)


def test_before_the_step_existed_nobody_was_and_the_reason_says_it_did_not_exist(org):
    before = timezone.now()
    later = StepFactory(workflow=org.workflow, name="Ask for a review")
    result = answer(later, before)
    assert result.person is None and result.gap == NOT_YET
    assert result.reason == "The step “Ask for a review” did not exist yet then."
    assert result.gap_label == "did not exist yet"
    assert answer(later, timezone.now()).person == org.dana


def test_assigning_an_owner_names_them_from_then_on(org):
    workflow_assign_owner(workflow=org.workflow, owner=None)
    unowned = timezone.now()
    workflow_assign_owner(workflow=org.workflow, owner=org.dana)
    owned = timezone.now()
    assert answer(org.step, unowned).gap == Gap.NO_OWNER
    assert answer(org.step, unowned).reason == "The workflow “Renewals” has no owner."
    assert answer(org.step, owned).person == org.dana


def test_changing_the_owner_names_the_new_one_after_and_the_old_one_before(org):
    sam = PersonFactory(name="Sam")
    marops_seat(org.live, sam, org.top)
    before = timezone.now()
    workflow_assign_owner(workflow=org.workflow, owner=sam)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    assert answer(org.step, after).person == sam


def test_an_owner_outside_marops_was_not_accountable_while_they_owned_it(org):
    content = PersonFactory(name="Cleo")
    PositionFactory(chart=org.live, person=content, team="content", reports_to=org.top)
    before = timezone.now()
    workflow_assign_owner(workflow=org.workflow, owner=content)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    result = answer(org.step, after)
    assert result.gap == Gap.OWNER_OUTSIDE_MAROPS
    assert result.reason == "The owner of “Renewals”, Cleo, holds no MarOps seat in the live chart."


def test_removing_the_owner_leaves_nobody_from_then_on(org):
    before = timezone.now()
    workflow_assign_owner(workflow=org.workflow, owner=None)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    assert answer(org.step, after).gap == Gap.NO_OWNER


def test_an_owner_deactivated_was_accountable_until_then(org):
    before = timezone.now()
    person_set_active(person=org.dana, is_active=False)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    result = answer(org.step, after)
    assert result.gap == Gap.OWNER_INACTIVE and result.reason == "The owner of “Renewals”, Dana, is inactive."


def test_an_owner_whose_seat_moves_out_of_marops_stops_being_accountable_then(org):
    before = timezone.now()
    data = position_data(org.seat)
    data.team = "content"
    position_save(chart=org.live, data=data, position=org.seat)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    assert answer(org.step, after).gap == Gap.OWNER_OUTSIDE_MAROPS


def test_an_owner_whose_seat_is_vacated_holds_no_seat_from_then_on(org):
    before = timezone.now()
    position_assign_person(position=org.seat, person=None)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    result = answer(org.step, after)
    assert result.gap == Gap.OWNER_WITHOUT_SEAT
    assert result.reason == "The owner of “Renewals”, Dana, holds no seat in the live chart."


def test_an_owner_whose_seat_is_removed_holds_no_seat_from_then_on(org):
    before = timezone.now()
    position_delete(position=org.seat)
    after = timezone.now()
    assert answer(org.step, before).person == org.dana
    assert answer(org.step, after).gap == Gap.OWNER_WITHOUT_SEAT


def test_adopting_a_scenario_answers_from_the_new_live_chart_after_and_the_old_one_before(org):
    sam = PersonFactory(name="Sam")
    scenario = chart_clone(chart=org.live, name="2026")
    marops_seat(scenario, sam, scenario.positions.get(reports_to=None))
    workflow_assign_owner(workflow=org.workflow, owner=sam)
    before = timezone.now()
    chart_adopt(chart=scenario)
    after = timezone.now()
    assert answer(org.step, before).gap == Gap.OWNER_WITHOUT_SEAT  # Sam sat only in the scenario then
    assert answer(org.step, after).person == sam
    # and the other way: Dana's seat, cloned, is in the new live chart too
    workflow_assign_owner(workflow=org.workflow, owner=org.dana)
    assert answer(org.step, timezone.now()).person == org.dana


def test_before_any_chart_was_live_the_owner_held_no_seat(db):
    step = StepFactory(workflow__name="Early")
    result = answer(step, timezone.now())
    assert result.gap == Gap.OWNER_WITHOUT_SEAT


def test_the_answer_as_of_now_is_the_answer_now(org):
    sam = PersonFactory(name="Sam")
    for change in (
        lambda: None,
        lambda: workflow_assign_owner(workflow=org.workflow, owner=sam),
        lambda: marops_seat(org.live, sam, org.top),
        lambda: person_set_active(person=sam, is_active=False),
    ):
        change()
        step = Step.objects.select_related("workflow__owner").get(pk=org.step.pk)
        now, past = step_accountable(step), step_accountable_at(step, timezone.now())
        assert (now.person, now.gap, now.reason) == (past.person, past.gap, past.reason)


def test_the_person_named_is_as_they_were_then(org):
    before = timezone.now()
    Person.objects.filter(pk=org.dana.pk).update(name="Dana Renamed")  # no history: not what it was then
    org.dana.name = "Dana Whitfield"
    org.dana.save()
    assert answer(org.step, before).person.name == "Dana"
    assert answer(org.step, timezone.now()).person.name == "Dana Whitfield"


def test_an_answer_about_the_past_takes_at_most_five_queries(org, django_assert_max_num_queries):
    step = Step.objects.get(pk=org.step.pk)
    for seat in range(30):
        PositionFactory(chart=org.live, team="data", reports_to=org.top, title=f"Seat {seat}")
    with django_assert_max_num_queries(5):
        step_accountable_at(step, timezone.now())


def test_rows_older_than_their_history_get_a_first_record_and_answers_from_then_on(org):
    """What the data migrations (roles 0005, workflows 0007) do for rows that predate their history."""
    created = timezone.now() - datetime.timedelta(days=30)
    Workflow.objects.filter(pk=org.workflow.pk).update(created_at=created)
    for model, pk in ((Workflow, org.workflow.pk), (Step, org.step.pk), (Person, org.dana.pk)):
        model.history.filter(id=pk).delete()
    Position.history.filter(id=org.seat.pk).delete()
    assert answer(org.step, timezone.now()).gap == NOT_YET  # no record: as if it never existed
    for _ in range(2):  # a second run changes nothing
        give_first_records(apps, "roles", "Person")
        give_first_records(apps, "roles", "Position", m2m=["roles", "dotted_lines"])
        give_first_records(apps, "workflows", "Workflow", dated_by="created_at")
        give_first_records(apps, "workflows", "Step", m2m=["roles"])
    first = Workflow.history.get(id=org.workflow.pk)
    assert (first.history_type, first.history_date, first.owner_id) == ("+", created, org.dana.pk)
    assert Step.history.filter(id=org.step.pk).count() == 1
    assert list(Position.history.get(id=org.seat.pk).roles.values_list("role__key", flat=True)) == ["marops-specialist"]
    assert answer(org.step, timezone.now()).person == org.dana
    assert answer(org.step, created).gap == NOT_YET  # the step's record is dated when history began


def test_the_incident_page_says_who_was_accountable_when_it_occurred(org, leader_client, leader):
    sam = PersonFactory(name="Sam")
    marops_seat(org.live, sam, org.top)
    occurred = timezone.now()
    workflow_assign_owner(workflow=org.workflow, owner=sam)  # then, before it was logged, Sam took over
    incident = incident_create(
        reporter=leader,
        agent=org.step.agent,
        step=org.step,
        summary="Renewal e-mail quoted last year's price",
        description="x",
        severity="high",
        occurred_at=occurred,
    )
    page = leader_client.get(f"/governance/incidents/{incident.pk}/").content.decode()
    assert '<dd data-testid="accountable-when-occurred">Dana</dd>' in page
    assert '<p class="accountable" data-testid="accountable">Sam</p>' in page  # named when logged, and now
