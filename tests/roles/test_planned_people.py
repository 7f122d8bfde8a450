"""People in a scenario are planned, not real: they join the organisation when the scenario is adopted."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from marops.demo import LIVE_CHART
from roles import services
from roles.csv_io import chart_export_csv, chart_import_csv
from roles.models import Chart, Person, Position
from roles.rules import chart_findings
from roles.selectors import people_unplaced
from roles.services import chart_adopt, person_set_active, position_assign_person, position_save
from tests.conftest import make_user
from workflows.forms import OwnerForm
from workflows.models import Workflow
from workflows.services import workflow_assign_owner

pytestmark = pytest.mark.django_db

HEADER = (
    "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
)


def plan(name: str, *people: tuple[str, str]) -> Chart:
    """A scenario: a CMO (Claire, in the demo) with one MarOps seat under her per (name, e-mail)."""
    rows = "".join(
        f"s{i},Seat {i},{person},{email},cmo,,marops-specialist,marops,specialist,\n"
        for i, (person, email) in enumerate(people)
    )
    text = HEADER + "cmo,CMO,Claire Donovan,claire.donovan@halcyon.example,,,cmo,executive,C-level,\n" + rows
    return chart_import_csv(text=text, scenario=name)


def person(email: str) -> Person:
    return Person.objects.get(email=email)


def test_people_an_import_creates_are_planned_and_inactive_and_known_people_are_unchanged(demo):
    plan("Plan", ("Ava New", "ava@example.com"))
    ava, claire = person("ava@example.com"), person("claire.donovan@halcyon.example")
    assert (ava.is_planned, ava.is_active) == (True, False)
    assert (claire.is_planned, claire.is_active) == (False, True)


def test_the_import_command_and_the_import_page_create_planned_people(
    demo, tmp_path, client, django_capture_on_commit_callbacks
):
    path = tmp_path / "chart.csv"
    path.write_text(HEADER + "cmo,CMO,Bo Command,bo@example.com,,,cmo,executive,C-level,\n", encoding="utf-8")
    call_command("import_chart", str(path), scenario="From the command")
    client.force_login(make_user("l", "Leaders"))
    upload = SimpleUploadedFile(
        "chart.csv", (HEADER + "cmo,CMO,Cy Page,cy@example.com,,,cmo,executive,C-level,\n").encode()
    )
    with django_capture_on_commit_callbacks(execute=True):  # the upload's job runs once it is committed
        assert client.post(reverse("roles:chart-import"), {"name": "From the page", "file": upload}).status_code == 302
    for email in ["bo@example.com", "cy@example.com"]:
        assert (person(email).is_planned, person(email).is_active) == (True, False)


def test_reimporting_the_same_person_by_email_reuses_them_in_any_case(demo):
    plan("Plan A", ("Ava New", "ava@example.com"))
    plan("Plan B", ("Ava Renamed", "AVA@Example.com"))
    Person.objects.filter(email="ava@example.com").update(email="Ava@Example.com")  # stored in another case
    plan("Plan C", ("Ava", "ava@example.com"))
    ava = Person.objects.get(email__iexact="ava@example.com")
    assert Person.objects.filter(email__iexact="ava@example.com").count() == 1
    assert Position.objects.filter(person=ava).count() == 3 and ava.is_planned
    # An exported scenario imports back onto the same people, planned ones included.
    before = Person.objects.count()
    chart_import_csv(text=chart_export_csv(Chart.objects.get(name="Plan A")), scenario="Round trip")
    assert Person.objects.count() == before


def test_a_planned_person_is_not_unplaced_nor_offered_as_a_workflow_owner(demo):
    plan("Plan", ("Ava New", "ava@example.com"))
    ava, live = person("ava@example.com"), Chart.objects.get(name=LIVE_CHART)
    assert ava not in people_unplaced(live)
    messages = [f.message for f in chart_findings(live) if f.rule == "unplaced-person"]
    assert messages == ["Sam Okafor is active but holds no position in the live chart."]
    offered = [pk for _, group in OwnerForm().fields["owner"].choices[1:] for pk, _ in group]
    assert ava.pk not in offered and person("sam.okafor@halcyon.example").pk in offered
    with pytest.raises(ValidationError):
        workflow_assign_owner(workflow=Workflow.objects.get(name="Event follow-up"), owner=ava)


def test_a_planned_person_sits_only_in_scenarios_until_adopted(demo):
    plan("Plan", ("Ava New", "ava@example.com"))
    ava, live = person("ava@example.com"), Chart.objects.get(name=LIVE_CHART)
    vacancy = live.positions.get(title="Campaign Coordinator (APAC)")
    with pytest.raises(ValidationError, match="Ava New is a planned hire"):
        position_assign_person(position=vacancy, person=ava)
    with pytest.raises(ValidationError, match="planned hire"):
        person_set_active(person=ava, is_active=True)
    # Another scenario may seat her too: editing scenarios plans, it never hires.
    other = Chart.objects.get(name="Halcyon — 2026 target")
    seat = other.positions.get(title="Prompt and Knowledge Designer")
    data = services.position_data(seat)
    data.person = ava
    position_save(chart=other, data=data, position=seat)
    ava.refresh_from_db()
    assert (ava.is_planned, ava.is_active) == (True, False)
    assert Position.objects.get(pk=vacancy.pk).is_vacancy


def test_adopting_makes_its_planned_people_real_before_the_listeners_run_and_others_stay_planned(demo, monkeypatch):
    leader = make_user("l", "Leaders")
    adopted = plan("Adopted", ("Ava Only Here", "ava@example.com"), ("Bea In Both", "bea@example.com"))
    plan("Other", ("Cal Elsewhere", "cal@example.com"), ("Bea In Both", "bea@example.com"))
    seen = {}

    def listener(ids):
        seen["active"] = set(Person.objects.filter(is_active=True).values_list("email", flat=True))

    monkeypatch.setattr(services, "_people_listeners", [*services._people_listeners, listener])
    chart_adopt(chart=adopted, by=leader)

    for email in ["ava@example.com", "bea@example.com"]:
        assert (person(email).is_planned, person(email).is_active) == (False, True)
        assert email in seen["active"]
        record = person(email).history.first()
        assert record.history_change_reason == "Joined when Adopted was adopted" and record.history_user == leader
    cal = person("cal@example.com")
    assert (cal.is_planned, cal.is_active) == (True, False) and "cal@example.com" not in seen["active"]


def test_the_people_page_names_each_seats_chart_and_marks_planned_people(client, demo):
    plan("Plan", ("Ava New", "ava@example.com"))
    client.force_login(make_user("e", "Executives"))
    html = client.get(reverse("roles:person-list")).content.decode()
    ava_row = next(row for row in html.split("<tr") if "Ava New" in row)
    assert ">planned<" in ava_row and "Seat 0" in ava_row and "Plan" in ava_row and ">inactive<" not in ava_row
    claire_row = next(row for row in html.split("<tr") if "Claire Donovan" in row)
    assert "the live chart" in claire_row and "Halcyon — 2026 target" in claire_row and "Plan" in claire_row
    greg_row = next(row for row in html.split("<tr") if "Greg Holt" in row)
    assert ">inactive<" in greg_row and ">planned<" not in greg_row


def test_the_people_page_takes_the_same_queries_whatever_the_people_and_charts(client, demo, django_assert_num_queries):
    client.force_login(make_user("e", "Executives"))
    url = reverse("roles:person-list")
    # The user and their permissions (one query; the session comes from the cache), then the people and
    # their seats.
    with django_assert_num_queries(5) as small:
        client.get(url)
    for n in range(4):
        plan(f"Plan {n}", *[(f"New {n}-{i}", f"new{n}-{i}@example.com") for i in range(10)])
    with django_assert_num_queries(len(small.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('data-testid="person"') == Person.objects.count() == 18 + 40
