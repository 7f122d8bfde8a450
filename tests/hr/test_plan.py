"""The preview (a dry run): every category, against the live chart, and every kind of bad file with its row
and column, with nothing written."""

import pytest

from hr.plan import Plan, build_plan
from roles.models import Chart, Person, Position

from .conftest import generic_csv, person, sample

MIA = "mia.chen@halcyon.example"


def without(content: bytes, email: str) -> bytes:
    return b"".join(line for line in content.splitlines(keepends=True) if email.encode() not in line)


def snapshot():
    return (
        Person.objects.count(),
        Position.objects.count(),
        Chart.objects.count(),
        Person.history.count(),
        Position.history.count(),
        list(Person.objects.filter(is_active=True).values_list("pk", flat=True)),
    )


def test_the_preview_of_a_bamboohr_export_against_the_demo_has_every_category(demo, upload):
    people_import = upload(without(sample("bamboohr_employees.csv"), MIA), "bamboohr_employees.csv", target="live")
    before = snapshot()
    plan = build_plan(people_import)
    assert snapshot() == before  # a dry run writes nothing
    assert plan.problems == []
    added = {item["name"] for item in plan.people_added}
    assert {"Victor Hale", "Aisha Rahman", "Laura Becker"} <= added
    assert "Marco Rossi" not in added  # known already
    seats = {item["name"]: item for item in plan.seats_added}
    assert "Sam Okafor" in seats  # a known person without a live seat gets one, and is not "added"
    assert "Sam Okafor" not in added
    assert seats["Aisha Rahman"]["role"] == "Workflow Architect"
    assert seats["Ben Carlisle"]["role"] == "Platform owner, expertise HubSpot"
    assert seats["Laura Becker"]["role"] == "no role"
    retitled = {item["name"]: (item["from"], item["to"]) for item in plan.seats_retitled}
    assert retitled["Dana Whitfield"] == ("Marketing Operations Manager", "Marketing Ops Manager")
    moved = {item["name"]: (item["from"], item["to"]) for item in plan.seats_moved}
    assert moved["Tom Nguyen"] == ("sales_ops", "marops")
    managers = {item["name"]: (item["from"], item["to"]) for item in plan.managers_changed}
    assert managers["Dana Whitfield"] == ("Marcus Lee", "Claire Donovan")
    [leaver] = plan.leavers
    assert leaver["email"] == MIA
    assert "Knowledge asset “Chat Concierge system prompt v3”" in leaver["holds"]
    assert leaver["seats"] == ["Marketing Operations Specialist"]
    assert [item["title"] for item in plan.seats_removed] == ["Marketing Operations Specialist"]
    assert plan.unchanged > 0
    # one line per distinct title, with its match
    marketo = next(m for m in plan.matches if m["title"] == "Marketo Admin")
    assert (marketo["count"], marketo["match"]["role_key"], marketo["match"]["platform_key"]) == (
        1,
        "platform-owner",
        "Marketo",
    )
    assert all("text" in item for name, _ in Plan.CATEGORIES for item in getattr(plan, name))
    assert Plan.from_json(plan.to_json()) == plan


def test_a_correction_on_the_roles_page_changes_the_preview(demo, upload):
    people_import = upload(sample("hibob_people.csv"), "hibob_people.csv")
    people_import.overrides = {"Marketing Automation Architect": {"role": "marops-specialist", "platform": "Marketo"}}
    plan = build_plan(people_import)
    aisha = next(item for item in plan.seats_added if item["name"] == "Aisha Rahman")
    assert aisha["role"] == "Marketing operations specialist, expertise Marketo"
    match = next(m for m in plan.matches if m["title"] == "Marketing Automation Architect")["match"]
    assert (match["confidence"], match["reason"]) == (1.0, "Corrected on this import")


CEO = person("Evelyn Carter", "Chief Executive Officer", department="Executive")
CMO = person("Claire Donovan", "Chief Marketing Officer", "Evelyn")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (  # a cycle: each member of it is named
            [CEO, CMO, person("Ann Ames", "Campaign Manager", "Bob"), person("Bob Burns", "Marketo Admin", "Ann")],
            [
                (4, "manager_email", "reporting cycle: ann@example.com → bob@example.com → ann@example.com"),
                (5, "manager_email", "reporting cycle: bob@example.com → ann@example.com → bob@example.com"),
            ],
        ),
        (  # two tops
            [CEO, CMO, person("Ann Ames", "Campaign Manager")],
            [(4, "manager_email", "a second top: Ann Ames has no manager, like Evelyn Carter on row 2")],
        ),
        (  # a manager who is not in the file
            [CEO, CMO, person("Ann Ames", "Campaign Manager", "Zed")],
            [(4, "manager_email", "the manager zed@example.com is not in the file")],
        ),
        (  # duplicate e-mails, whatever their case
            [CEO, CMO, ["", "Claire Again", "CLAIRE@example.com", "CMO", "", "evelyn@example.com", "", ""]],
            [
                (
                    4,
                    "email",
                    "claire@example.com is already on row 3: an e-mail belongs to one person, whatever its case",
                )
            ],
        ),
        (  # missing required values
            [CEO, CMO, ["", "", "", "", "", "claire@example.com", "", ""]],
            [
                (4, "email", "the work e-mail is empty (it identifies the person across imports)"),
                (4, "name", "the name is empty"),
                (4, "title", "the job title is empty"),
            ],
        ),
        (  # values that cannot be read
            [CEO, ["", "Claire Donovan", "not-an-email", "CMO", "", "evelyn@example.com", "31/02/2020", "lots"]],
            [
                (3, "email", "“not-an-email” is not an e-mail address"),
                (3, "salary", "“lots” is not an amount"),
                (3, "start_date", "“31/02/2020” is not a date (write it as YYYY-MM-DD)"),
            ],
        ),
        (  # someone their own manager
            [CEO, CMO, person("Ann Ames", "Campaign Manager", "Ann")],
            [(4, "manager_email", "ann@example.com is their own manager")],
        ),
    ],
    ids=["cycle", "two-tops", "manager-not-in-file", "duplicate-email", "missing-values", "bad-values", "own-manager"],
)
def test_every_problem_of_a_bad_file_has_its_row_and_column_and_nothing_is_written(demo, upload, rows, expected):
    people_import = upload(generic_csv(rows), "bad.csv")
    before = snapshot()
    plan = build_plan(people_import)
    assert [(p["row"], p["column"], p["message"]) for p in plan.problems] == expected
    assert plan.people_added == plan.seats_added == []
    assert snapshot() == before


def test_an_ambiguous_manager_name_is_refused(db, upload):
    headers = ["Name", "Work Email", "Title", "Manager"]
    rows = [
        ["Alex Kim", "alex1@example.com", "CEO", ""],
        ["Sam Lee", "sam1@example.com", "CMO", "Alex Kim"],
        ["Sam Lee", "sam2@example.com", "CFO", "Alex Kim"],
        ["Jo Park", "jo@example.com", "Marketo Admin", "Sam Lee"],
    ]
    plan = build_plan(upload(generic_csv(rows, headers), "rippling.csv"))
    assert [(p["row"], p["column"], p["message"]) for p in plan.problems] == [
        (5, "Manager", "2 people are called “Sam Lee” (rows 3, 4): map the manager's e-mail or employee ID instead")
    ]


def test_a_manager_by_employee_id(db, upload):
    headers = ["Employee ID", "Name", "Email", "Job Title", "Manager ID"]
    rows = [
        ["1", "Alex Kim", "alex@example.com", "CEO", ""],
        ["2", "Sam Lee", "sam@example.com", "CMO", "1"],
        ["3", "Jo Park", "jo@example.com", "Marketo Admin", "9"],
    ]
    plan = build_plan(upload(generic_csv(rows, headers), "ids.csv"))
    assert [(p["row"], p["column"], p["message"]) for p in plan.problems] == [
        (4, "Manager ID", "no one in the file has the employee ID “9”")
    ]
