"""Each invariant of the roles app, attacked through the ORM and, where the ORM stops first, raw SQL."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError

from roles.models import Chart, Person, Position, Role
from roles.services import position_assign_person, position_create, position_move
from tests.db import raw_sql, refused_by_database
from tests.factories import ChartFactory, PersonFactory, PositionFactory, role

pytestmark = pytest.mark.django_db


def test_a_second_live_chart_is_refused():
    ChartFactory(status="live")
    with refused_by_database():
        ChartFactory(status="live")
    assert Chart.objects.filter(status="live").count() == 1


@pytest.mark.postgres
def test_a_second_live_chart_is_refused_in_raw_sql():
    live = ChartFactory(status="live")
    other = ChartFactory(status="scenario")
    with refused_by_database():
        raw_sql("UPDATE roles_chart SET status = 'live' WHERE id = %s", [other.pk])
    assert list(Chart.objects.filter(status="live")) == [live]


def test_position_cannot_report_to_itself():
    root = PositionFactory()
    child = PositionFactory(chart=root.chart, reports_to=root)
    with refused_by_database():
        Position.objects.filter(pk=child.pk).update(reports_to=child.pk)
    with pytest.raises(ValidationError, match="cannot report to itself"):
        position_move(position=child, new_manager=child)


def test_moving_a_manager_under_its_own_report_is_refused_and_changes_nothing():
    root = PositionFactory(title="CMO")
    head = PositionFactory(chart=root.chart, title="Head of MarOps", reports_to=root)
    architect = PositionFactory(chart=root.chart, title="Workflow Architect", reports_to=head)
    analyst = PositionFactory(chart=root.chart, title="Analyst", reports_to=architect)
    with pytest.raises(ValidationError, match="reporting cycle"):
        position_move(position=head, new_manager=analyst)
    head.refresh_from_db()
    assert head.reports_to == root


def test_moving_to_a_position_in_another_chart_is_refused():
    root = PositionFactory()
    child = PositionFactory(chart=root.chart, reports_to=root)
    elsewhere = PositionFactory()
    with pytest.raises(ValidationError, match="same chart"):
        position_move(position=child, new_manager=elsewhere)


def test_a_legal_move_is_saved():
    root = PositionFactory()
    a = PositionFactory(chart=root.chart, reports_to=root)
    b = PositionFactory(chart=root.chart, reports_to=root)
    position_move(position=b, new_manager=a)
    b.refresh_from_db()
    assert b.reports_to == a


def test_a_chart_has_one_root():
    root = PositionFactory()
    with refused_by_database():
        PositionFactory(chart=root.chart, reports_to=None)
    with pytest.raises(ValidationError, match="already has a top position"):
        position_create(chart=root.chart, title="Second root", team="marops", level="manager", roles=[role("cmo")])
    assert root.chart.positions.count() == 1


def test_a_person_holds_one_position_per_chart():
    person = PersonFactory(name="Dana")
    root = PositionFactory(person=person)
    with refused_by_database():
        PositionFactory(chart=root.chart, reports_to=root, person=person)
    vacancy = PositionFactory(chart=root.chart, reports_to=root)
    with pytest.raises(ValidationError, match="Dana already holds"):
        position_assign_person(position=vacancy, person=person)
    # The same person may hold a seat in another chart (a scenario).
    PositionFactory(person=person)
    assert person.positions.count() == 2


@pytest.mark.postgres
def test_a_person_holds_one_position_per_chart_in_raw_sql():
    person = PersonFactory()
    root = PositionFactory(person=person)
    vacancy = PositionFactory(chart=root.chart, reports_to=root)
    with refused_by_database():
        raw_sql("UPDATE roles_position SET person_id = %s WHERE id = %s", [person.pk, vacancy.pk])


def test_deleting_a_person_who_holds_a_position_is_refused():
    person = PersonFactory()
    PositionFactory(person=person)
    with pytest.raises(ProtectedError):
        person.delete()
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.mark.postgres
def test_deleting_a_person_who_holds_a_position_is_refused_in_raw_sql():
    person = PersonFactory()
    PositionFactory(person=person)
    with refused_by_database():
        raw_sql("DELETE FROM roles_person WHERE id = %s", [person.pk])


def test_deleting_a_manager_with_reports_is_refused_but_the_whole_chart_can_go():
    root = PositionFactory()
    PositionFactory(chart=root.chart, reports_to=root)
    with pytest.raises(RestrictedError):
        root.delete()
    root.chart.delete()
    assert not Position.objects.filter(chart_id=root.chart_id).exists()


def test_a_role_in_use_cannot_be_deleted_from_the_catalogue():
    PositionFactory(roles=[role("data-steward")])
    with pytest.raises(ProtectedError):
        role("data-steward").delete()


def test_person_email_is_unique_whatever_the_case():
    PersonFactory(email="dana@example.com")
    with refused_by_database():
        PersonFactory(email="Dana@Example.com")


@pytest.mark.postgres
def test_an_unknown_level_is_refused_in_raw_sql():
    person = PersonFactory()
    with refused_by_database():
        raw_sql("UPDATE roles_person SET level = 'intern' WHERE id = %s", [person.pk])


def test_a_salary_band_cannot_be_upside_down():
    with refused_by_database():
        Role.objects.create(key="x", name="X", team="marops", band_min=90_000, band_max=60_000)


def test_the_catalogue_has_the_four_core_roles_with_the_articles_bands():
    core = {r.key: (r.band_min, r.band_max, r.min_level) for r in Role.objects.filter(is_core=True)}
    assert core == {
        "head-of-marops": (80_000, 120_000, "director"),
        "workflow-architect": (60_000, 85_000, ""),
        "data-steward": (55_000, 75_000, ""),
        "prompt-knowledge-designer": (50_000, 70_000, ""),
    }
    keys = set(Role.objects.values_list("key", flat=True))
    assert {
        "cmo",
        "cdo",
        "cto",
        "platform-owner",
        "campaign-manager",
        "marketing-coordinator",
        "content-lead",
        "demand-gen-lead",
        "growth-lead",
    } <= keys


def test_former_live_charts_are_read_only():
    archived = ChartFactory(status="archived")
    root = PositionFactory(chart=archived)
    with pytest.raises(ValidationError, match="read-only"):
        position_create(
            chart=archived, title="New", team="marops", level="manager", reports_to=root, roles=[role("cmo")]
        )
