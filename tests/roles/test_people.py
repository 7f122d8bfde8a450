"""People in the UI (issue 14): Leaders add and edit people; everyone reads a person's page."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from governance.models import CorrectiveAction, DataSource, KnowledgeAsset
from governance.services import corrective_action_add
from roles.models import Departure, Person
from tests.factories import (
    ChartFactory,
    PersonFactory,
    PositionFactory,
    ReviewFactory,
    StepFactory,
    UserFactory,
    WorkflowFactory,
    role,
)

pytestmark = pytest.mark.django_db


def person_form(**extra):
    return {"name": "Ada Lovelace", "email": "ada@example.com", "level": "manager", "start_date": "2026-03-02"} | extra


def test_a_leader_adds_a_person_and_lands_on_their_page(leader_client, leader):
    UserFactory(username="ada")
    response = leader_client.post(reverse("roles:person-create"), person_form(user="ada"), follow=True)
    ada = Person.objects.get(email="ada@example.com")
    assert response.redirect_chain[-1][0] == reverse("governance:person-detail", args=[ada.pk])
    assert (ada.name, ada.level, ada.start_date, ada.user.username) == (
        "Ada Lovelace",
        "manager",
        datetime.date(2026, 3, 2),
        "ada",
    )
    page = response.content.decode()
    assert "Ada Lovelace saved." in page and ">AL<" in page  # initials stand in for a photo
    assert ada.history.latest().history_user == leader


def test_someone_who_started_before_2000_can_be_recorded(leader_client):
    leader_client.post(reverse("roles:person-create"), person_form(start_date="1994-09-01"))
    assert Person.objects.get(email="ada@example.com").start_date == datetime.date(1994, 9, 1)


@pytest.mark.parametrize("typed", ["ADA@example.com", "Ada@Example.COM", " ada@example.com "])
def test_a_duplicate_email_in_any_case_is_refused_on_the_form_and_nothing_is_written(leader_client, typed):
    PersonFactory(name="Ada Byron", email="ada@example.com")
    before = list(Person.objects.values_list("pk", "name", "email"))
    response = leader_client.post(reverse("roles:person-create"), person_form(name="Someone", email=typed))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Work e-mail: Ada Byron already has the e-mail ada@example.com" in page
    assert list(Person.objects.values_list("pk", "name", "email")) == before


def test_editing_a_person_keeps_their_own_email_and_refuses_anothers(leader_client):
    ada = PersonFactory(name="Ada", email="ada@example.com")
    PersonFactory(name="Grace", email="grace@example.com")
    url = reverse("roles:person-edit", args=[ada.pk])
    assert "ada@example.com" in leader_client.get(url).content.decode()  # the form starts from what is known
    leader_client.post(url, person_form(name="Ada King", email="ADA@example.com"))
    ada.refresh_from_db()
    assert (ada.name, ada.email) == ("Ada King", "ada@example.com")

    response = leader_client.post(url, person_form(name="Ada K", email="Grace@example.com"))
    assert "Grace already has the e-mail grace@example.com" in response.content.decode()
    ada.refresh_from_db()
    assert ada.name == "Ada King"


def test_a_login_belongs_to_one_person(leader_client):
    user = UserFactory(username="ada")
    PersonFactory(name="Ada", user=user)
    response = leader_client.post(reverse("roles:person-create"), person_form(email="other@example.com", user="ada"))
    assert "The login ada is already Ada&#x27;s." in response.content.decode()
    assert not Person.objects.filter(email="other@example.com").exists()


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", "Ada\x00", "“Name” contains a NUL character."),
        ("name", "Ada\nLovelace", "“Name” must be on one line."),
        ("email", "not an e-mail", "Enter a valid email address."),
        ("start_date", "1899-01-01", "“Start date” is before 1950."),
        ("level", "emperor", "Select a valid choice."),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(leader_client, field, value, says):
    response = leader_client.post(reverse("roles:person-create"), person_form(**{field: value}))
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize("who", ["executive", "staff"])
def test_executives_and_staff_read_people_but_cannot_add_or_edit(client, request, who):
    client.force_login(request.getfixturevalue(who))
    ada = PersonFactory(name="Ada")
    listing = client.get(reverse("roles:person-list")).content.decode()
    assert reverse("governance:person-detail", args=[ada.pk]) in listing
    assert reverse("roles:person-create") not in listing
    page = client.get(reverse("governance:person-detail", args=[ada.pk])).content.decode()
    assert "Ada" in page and reverse("roles:person-edit", args=[ada.pk]) not in page
    assert reverse("governance:person-leave", args=[ada.pk]) not in page
    assert client.post(reverse("roles:person-create"), person_form()).status_code == 403
    assert client.post(reverse("roles:person-edit", args=[ada.pk]), person_form()).status_code == 403
    assert client.get(reverse("governance:person-leave", args=[ada.pk])).status_code == 403
    assert list(Person.objects.values_list("name", flat=True)) == ["Ada"]


def test_the_database_refuses_two_people_with_the_same_email_in_different_case():
    PersonFactory(email="ada@example.com")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO roles_person (name, email, level, is_active, is_planned) "
            "VALUES ('Copy', 'ADA@EXAMPLE.COM', 'specialist', true, false)"
        )


def test_a_departure_needs_a_reason_in_the_database_and_is_never_changed_or_deleted(leader):
    ada = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO roles_departure (person_id, recorded_by_id, recorded_at, reason, handoffs) "
            "VALUES (%s, %s, now(), '', '[]')",
            [ada.pk, leader.pk],
        )
    departure = Departure.objects.create(person=ada, recorded_by=leader, reason="Left.")
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        departure.save()
    with pytest.raises(ProtectedError):
        departure.delete()


def holdings_of(person, n):
    """`person` holds n of each kind of thing the person page lists."""
    for _ in range(n):
        WorkflowFactory(owner=person)
        review = ReviewFactory(accountable_owner=person)
        corrective_action_add(
            review=review, description="Fix it", assignee=person, due_on=timezone.localdate() + datetime.timedelta(1)
        )
        KnowledgeAsset.objects.create(name=f"Prompt {review.pk}", kind="prompt", owner=person)
        DataSource.objects.create(name=f"Source {review.pk}", steward=person)
        PositionFactory(chart=ChartFactory(), person=person, reports_to=None)


def test_the_person_page_lists_everything_they_hold_in_a_fixed_number_of_queries(
    leader_client, django_assert_max_num_queries
):
    one, many = PersonFactory(name="One"), PersonFactory(name="Many")
    holdings_of(one, 1)
    holdings_of(many, 6)
    StepFactory(workflow=many.owned_workflows.first())
    with django_assert_max_num_queries(16) as one_queries:
        leader_client.get(reverse("governance:person-detail", args=[one.pk]))
    with django_assert_max_num_queries(len(one_queries)) as many_queries:
        page = leader_client.get(reverse("governance:person-detail", args=[many.pk])).content.decode()
    assert len(many_queries) == len(one_queries)
    assert page.count("Fix it") == 6
    assert CorrectiveAction.objects.filter(assignee=many).count() == 6
    for workflow in many.owned_workflows.all():
        assert workflow.name in page
    for source in DataSource.objects.filter(steward=many):
        assert source.name in page


def test_the_people_list_links_to_adding_for_a_leader(leader_client):
    PositionFactory(chart=ChartFactory(status="live"), roles=[role("cmo")], person=PersonFactory(name="Chris"))
    page = leader_client.get(reverse("roles:person-list")).content.decode()
    assert reverse("roles:person-create") in page and "Chris" in page


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Ada Lovelace", "AL"), ("Mary-Jane Watson", "MW"), ("Sam Ortiz (interim)", "SO"), ("Cher", "C")],
)
def test_the_person_page_and_the_chart_box_show_the_same_initials(leader_client, name, initials):
    person = PersonFactory(name=name)
    position = PositionFactory(person=person)
    page = leader_client.get(reverse("governance:person-detail", args=[person.pk])).content.decode()
    box = leader_client.get(reverse("roles:chart-detail", args=[position.chart_id])).content.decode()
    assert f">{initials}<" in page
    assert f'<span class="oc-avatar" aria-hidden="true">{initials}</span>' in box
