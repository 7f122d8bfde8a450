"""Applying an import: into a new scenario (a clone of live + the file) or as a sync of the live chart; all or
nothing, set-based, idempotent, with history saying who imported, through the Celery tasks with progress."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.rules import inactive_holder
from hr.apply import ApplyRefused, apply_rows
from hr.choices import ImportStatus
from hr.plan import Plan, build_plan, people_import_rows
from hr.services import people_import_get, start_apply, start_preview, visible_imports
from roles.choices import ChartStatus
from roles.cost import chart_cost, position_cost
from roles.models import Chart, Person, Position
from roles.rules import chart_facts, head_reports_to_cmo
from roles.selectors import chart_positions

from .conftest import generic_csv, person, sample
from .test_plan import MIA, snapshot, without

TITLES = [
    "Campaign Manager",
    "Marketo Admin",
    "Account Executive",
    "Content Marketer",
    "Software Engineer",
    "Marketing Coordinator",
    "Financial Analyst",
    "Growth Marketing Manager",
]


def apply(people_import, *, target="live", scenario="", by=None):
    rows, problems = people_import_rows(people_import)
    assert problems == []
    return apply_rows(
        rows,
        target=target,
        scenario_name=scenario,
        overrides=people_import.overrides or {},
        by=by,
        reason=f"Imported from {people_import.filename}",
    )


def test_a_live_sync_joins_moves_and_deactivates_leavers_whose_holdings_become_findings(demo, upload, leader):
    people_import = upload(without(sample("bamboohr_employees.csv"), MIA), "bamboohr.csv")
    chart, _ = apply(people_import, by=leader)
    assert chart.status == ChartStatus.LIVE
    victor = Person.objects.get(email="victor.hale@halcyon.example")
    assert (victor.is_active, victor.is_planned, str(victor.start_date)) == (True, False, "2017-04-03")
    cfo = Position.objects.get(chart=chart, person=victor)
    assert (cfo.title, cfo.team, cfo.level, cfo.salary, cfo.role_list()) == (
        "Chief Financial Officer",
        "finance",
        "c_level",
        190_000,
        [],
    )
    assert cfo.reports_to.person.name == "Evelyn Carter"
    ben = Position.objects.get(chart=chart, person__email="ben.carlisle@halcyon.example")
    assert [r.key for r in ben.role_list()] == ["platform-owner"]
    assert [p.name for p in ben.expertise_list()] == ["HubSpot"]  # added to the platform catalogue
    dana = Position.objects.get(chart=chart, person__email="dana.whitfield@halcyon.example")
    assert (dana.title, dana.reports_to.person.name) == ("Marketing Ops Manager", "Claire Donovan")
    assert [r.key for r in dana.role_list()] == ["marops-manager"]  # roles follow a new title
    # the leaver: deactivated, seat vacated, what they hold is an open finding (never silent)
    mia = Person.objects.get(email=MIA)
    assert not mia.is_active
    seat = Position.objects.get(chart=chart, title="Marketing Operations Specialist")
    assert seat.person is None
    assert any("Mia Chen is inactive but still holds" in f.message for f in inactive_holder())
    # history says who imported, and why
    assert victor.history.first().history_user == leader
    assert cfo.history.first().history_change_reason == "Imported from bamboohr.csv"
    assert mia.history.first().history_user == leader


def test_seats_outside_marketing_cost_their_salary_or_nothing_and_take_part_in_the_reporting_rules(demo, upload):
    rows = [
        person("Evelyn Carter", "Chief Executive Officer", department="Executive"),
        person("Claire Donovan", "Chief Marketing Officer", "Evelyn"),
        person("Vic Hale", "Chief Financial Officer", "Evelyn", "Finance", "190000"),
        person("Grace Okoye", "VP Sales", "Evelyn", "Sales"),
        person("Dana Whitfield", "Head of Marketing Operations", "Grace"),
    ]
    chart, _ = apply(upload(generic_csv(rows), "x.csv"), target="scenario", scenario="Outside marketing")
    positions = {p.title: p for p in chart_positions(chart)}
    assert position_cost(positions["Chief Financial Officer"]).low == 190_000
    assert position_cost(positions["VP Sales"]) is None  # no salary, no role: not counted at all
    assert positions["VP Sales"] in chart_cost(list(positions.values())).unpriced
    # the Head of MarOps reports to a sales VP (a seat without a catalogue role): the rule sees it
    messages = [finding.message for finding in head_reports_to_cmo(chart_facts(chart))]
    assert (
        "The Head of Marketing Operations (Head of Marketing Operations) reports to VP Sales, not directly to the CMO."
        in messages
    )


def test_a_scenario_is_a_clone_of_live_plus_the_file_and_changes_no_one(demo, upload, leader):
    live = Chart.objects.get(status=ChartStatus.LIVE)
    live_before = list(Position.objects.filter(chart=live).values_list("pk", "title", "person_id", "reports_to_id"))
    people_import = upload(without(sample("hibob_people.csv"), MIA), "hibob.csv")
    chart, _ = apply(people_import, target="scenario", scenario="From HiBob", by=leader)
    assert (chart.status, chart.based_on) == (ChartStatus.SCENARIO, live)
    assert (
        list(Position.objects.filter(chart=live).values_list("pk", "title", "person_id", "reports_to_id"))
        == live_before
    )
    victor = Person.objects.get(email="victor.hale@halcyon.example")
    assert (victor.is_planned, victor.is_active) == (True, False)  # a planned hire until the scenario is adopted
    assert Person.objects.get(email=MIA).is_active  # a scenario deactivates no one
    assert Position.objects.get(chart=chart, title="Marketing Operations Specialist").person is None
    assert set(Position.objects.filter(chart=chart).values_list("key", flat=True)) >= set(
        live.positions.values_list("key", flat=True)
    )


def seats(chart):
    return sorted(
        (p.person.email if p.person else "", p.title, p.team, p.reports_to.title if p.reports_to else "")
        for p in Position.objects.filter(chart=chart).select_related("person", "reports_to")
    )


def test_syncing_the_same_file_again_changes_nothing(demo, upload):
    content = sample("rippling_employees.csv")
    apply(upload(content, "rippling.csv"))
    again = upload(content, "rippling.csv", target="live")
    plan = build_plan(again)
    assert plan.changes == 0 and plan.unchanged == 47, plan.lines()
    before = snapshot()
    _, second = apply(again)
    assert second.changes == 0
    assert snapshot() == before  # not even a history record


def test_importing_the_same_file_into_two_scenarios_gives_the_same_chart(demo, upload):
    content = sample("workday_workers.xlsx")
    first, _ = apply(upload(content, "w.xlsx"), target="scenario", scenario="First")
    second, _ = apply(upload(content, "w.xlsx"), target="scenario", scenario="Second")
    assert seats(first) == seats(second)


def test_an_apply_that_fails_half_way_writes_nothing(demo, upload):
    people_import = upload(sample("generic_people.csv"), "generic.csv")
    Chart.objects.create(name="Taken", status=ChartStatus.SCENARIO)
    before = snapshot()
    with pytest.raises(ApplyRefused) as refused:
        apply(people_import, target="scenario", scenario="taken")
    assert refused.value.problems[0].message == "A chart called “taken” already exists."
    assert snapshot() == before


def synthetic(size: int) -> bytes:
    """A company of `size` people, five reports per manager (the CEO on row 2)."""
    rows = [["", "Person 0", "p0@big.example", "Chief Executive Officer", "Executive", "", "2020-01-01", ""]]
    for n in range(1, size):
        rows.append(
            [
                "",
                f"Person {n}",
                f"p{n}@big.example",
                TITLES[n % len(TITLES)],
                "",
                f"p{(n - 1) // 5}@big.example",
                "2021-02-03",
                str(40_000 + n),
            ]
        )
    return generic_csv(rows)


def test_preview_and_apply_take_the_same_number_of_queries_whatever_the_size(
    demo, upload, django_assert_max_num_queries
):
    counts = {}
    for size in (20, 400):
        Chart.objects.filter(status=ChartStatus.SCENARIO).delete()
        people_import = upload(synthetic(size), "big.csv")
        with CaptureQueriesContext(connection) as preview:
            build_plan(people_import)
        with CaptureQueriesContext(connection) as applying:
            chart, _ = apply(people_import, target="scenario", scenario=f"Size {size}")
        assert chart.positions.filter(person__email__endswith="@big.example").count() == size
        counts[size] = (len(preview), len(applying))
    assert counts[400] == counts[20], counts
    people_import = upload(synthetic(1000), "big.csv")
    with django_assert_max_num_queries(counts[20][0]):
        build_plan(people_import)


def test_the_tasks_preview_then_apply_with_progress(demo, upload, leader, django_capture_on_commit_callbacks):
    people_import = upload(sample("workday_workers.xlsx"), "workday_workers.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        start_preview(people_import)
    people_import.refresh_from_db()
    assert people_import.status == ImportStatus.PREVIEWED
    assert (people_import.done, people_import.total) == (47, 47)
    plan = Plan.from_json(people_import.plan)
    assert len(plan.people_added) == 30 and plan.problems == []
    with pytest.raises(ValidationError) as refused:
        start_apply(people_import, target="scenario", scenario_name="", user=leader)
    assert "scenario_name" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        start_apply(people_import, target="scenario", scenario_name="Workday import", user=leader)
    people_import.refresh_from_db()
    assert people_import.status == ImportStatus.APPLIED, people_import.problems
    assert people_import.chart.name == "Workday import"
    assert people_import.chart.positions.count() > 47


def test_a_bad_file_fails_its_preview_with_every_problem(demo, upload, django_capture_on_commit_callbacks):
    rows = [person("Ann Ames", "CEO"), person("Bob Burns", "CMO")]
    people_import = upload(generic_csv(rows), "two-tops.csv")
    with django_capture_on_commit_callbacks(execute=True):
        start_preview(people_import)
    people_import.refresh_from_db()
    assert people_import.status == ImportStatus.FAILED
    assert people_import.problems == [
        {
            "row": 3,
            "column": "manager_email",
            "message": "a second top: Bob Burns has no manager, like Ann Ames on row 2",
        }
    ]
    assert not people_import.can_apply


def test_only_the_uploader_and_staff_see_an_import(db, upload, leader, django_user_model):
    people_import = upload(sample("generic_people.csv"), "generic.csv")
    other = django_user_model.objects.create_user("someone-else")
    admin = django_user_model.objects.create_user("staffer", is_staff=True)
    assert list(visible_imports(leader)) == [people_import]
    assert list(visible_imports(other)) == []
    assert people_import_get(people_import.pk, admin) == people_import
    from django.http import Http404

    with pytest.raises(Http404):
        people_import_get(people_import.pk, other)
