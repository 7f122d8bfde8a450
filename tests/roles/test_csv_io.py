"""CSV import and export of a chart: all or nothing, every bad row named, and a faithful round trip."""

import pytest

from roles.compare import chart_compare
from roles.csv_io import ChartImportError, chart_export_csv, chart_import_csv
from roles.models import Chart, Person, Position
from roles.rules import chart_findings

pytestmark = pytest.mark.django_db

HEADER = (
    "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
)

GOOD = HEADER + (
    "cmo,Chief Marketing Officer,Claire Donovan,claire@example.com,,,cmo,executive,C-level,\n"
    "cdo,Chief Data Officer,Raj Patel,raj@example.com,cmo,,Chief Data Officer,data,c_level,\n"
    'head,Head of MarOps,Dana Whitfield,dana@example.com,cmo,,head-of-marops,MarOps,Director,"£95,000"\n'
    "wa,Workflow Architect & Data Steward,Marco Rossi,marco@example.com,head,cdo,"
    "workflow-architect;data-steward,marops,senior manager,\n"
    "pkd,Prompt and Knowledge Designer,,,head,,Prompt and Knowledge Designer,,specialist,\n"
)


def test_a_good_file_becomes_a_scenario_with_people_lines_and_roles():
    Person.objects.create(name="Dana W.", email="dana@example.com", level="manager")  # known: placed, not duplicated
    chart = chart_import_csv(text=GOOD, scenario="Imported")
    assert chart.status == "scenario"
    positions = {p.key: p for p in chart.positions.select_related("person", "reports_to")}
    assert positions["cmo"].reports_to is None
    assert positions["wa"].reports_to == positions["head"]
    assert [d.key for d in positions["wa"].dotted_lines.all()] == ["cdo"]
    assert sorted(r.key for r in positions["wa"].roles.all()) == ["data-steward", "workflow-architect"]
    assert positions["head"].salary == 95_000 and positions["head"].level == "director"
    assert positions["pkd"].is_vacancy and positions["pkd"].team == "marops"  # team from its role
    assert positions["head"].person.name == "Dana W."
    assert Person.objects.count() == 4
    assert chart_findings(chart) == []


def assert_refused(text, expected, scenario="Bad"):
    before = (Chart.objects.count(), Position.objects.count(), Person.objects.count())
    with pytest.raises(ChartImportError) as refused:
        chart_import_csv(text=text, scenario=scenario)
    assert [(e.row, e.reason) for e in refused.value.errors] == expected
    assert (Chart.objects.count(), Position.objects.count(), Person.objects.count()) == before


def test_every_bad_row_is_listed_with_its_number_and_nothing_is_written():
    text = HEADER + (
        "cmo,CMO,Claire,claire@example.com,,,cmo,executive,C-level,\n"  # row 2: fine
        "a,Analyst,,,cmo,,wizard,data,specialist,\n"  # row 3: unknown role
        "b,Boss,,,cmo,,cmo,executive,overlord,\n"  # row 4: unknown level
        "c,Lost,,,nobody,,cmo,executive,manager,\n"  # row 5: manager not found
        "d,Second root,,,,,cmo,executive,manager,\n"  # row 6: second root
        "e,Loop one,,,f,,cmo,executive,manager,\n"  # row 7: cycle
        "f,Loop two,,,e,,cmo,executive,manager,\n"  # row 8: cycle
        "g,Twin,Claire,claire@example.com,cmo,,cmo,executive,manager,\n"  # row 9: duplicate person
        "h,Paid,,,cmo,,cmo,executive,manager,lots\n"  # row 10: malformed number
    )
    assert_refused(
        text,
        [
            (3, "unknown role “wizard”"),
            (
                4,
                "unknown level “overlord” "
                "(one of: Coordinator, Specialist, Manager, Senior manager, Director, VP, C-level)",
            ),
            (5, "manager_position_id “nobody” is not a position_id in the file"),
            (6, "a second root: row 2 already has no manager"),
            (7, "reporting cycle: e → f → e"),
            (8, "reporting cycle: f → e → f"),
            (9, "claire@example.com already holds the position on row 2; a person holds one position"),
            (10, "salary “lots” is not a number"),
        ],
    )


def test_a_missing_column_or_an_empty_file_is_refused():
    assert_refused(
        "position_id,title\n1,CMO\n",
        [
            (
                1,
                "the header is missing the column(s) person_name, person_email, "
                "manager_position_id, dotted_line_position_ids, roles, team, level, salary",
            )
        ],
    )
    assert_refused(HEADER, [(2, "the file has no rows")])


def test_an_existing_scenario_name_is_refused():
    chart_import_csv(text=GOOD, scenario="Imported")
    assert_refused(GOOD, [(0, "a chart called “imported” already exists")], scenario="imported")


def test_duplicate_ids_unknown_dotted_lines_and_unknown_people_are_refused():
    text = HEADER + (
        "cmo,CMO,,,,,cmo,executive,C-level,\n"
        "cmo,Again,,,cmo,,cmo,executive,manager,\n"
        "x,Dotted,,,cmo,ghost,cmo,executive,manager,\n"
        "y,Nameless,,nobody@example.com,cmo,,cmo,executive,manager,\n"
    )
    assert_refused(
        text,
        [
            (3, "position_id “cmo” is already used on row 2"),
            (4, "dotted line to “ghost”, which is not a position_id in the file"),
            (5, "person_email nobody@example.com matches nobody and person_name is empty"),
        ],
    )


def test_an_exported_chart_imports_back_to_the_same_chart(demo):
    live = Chart.objects.get(status="live")
    text = chart_export_csv(live)
    assert text.splitlines()[0] == HEADER.strip()
    copy = chart_import_csv(text=text, scenario="Round trip")
    comparison = chart_compare(live, copy)
    assert comparison.is_identical
    assert comparison.a.cost.total == comparison.b.cost.total
    # Same findings (unplaced people are a live-chart check; platform expertise is not a CSV column,
    # so the platform-organised message names no tool after the round trip).
    assert [(f.rule, f.position_titles) for f in comparison.a.findings if f.rule != "unplaced-person"] == [
        (f.rule, f.position_titles) for f in comparison.b.findings
    ]
    assert chart_export_csv(copy) == text


def test_row_numbers_stay_right_after_blank_lines_and_multiline_values():
    text = HEADER + (
        "cmo,CMO,,,,,cmo,executive,C-level,\n"
        "\n"  # line 3: blank
        'a,"Analyst\nwith a long title",,,cmo,,wizard,data,specialist,\n'  # lines 4-5
        "b,Boss,,,cmo,,cmo;cmo;Chief Marketing Officer,executive,director,\n"  # line 6: duplicates are fine
        "c,Side,,,b,b,cmo,executive,manager,\n"  # line 7: dotted line to its own manager
        f"d,{'x' * 151},,,cmo,,cmo,executive,manager,\n"  # line 8: too long
    )
    assert_refused(
        text,
        [
            (5, "unknown role “wizard”"),
            (7, "“b” is already the solid-line manager; a dotted line adds nothing"),
            (8, "title is longer than 150 characters"),
        ],
    )


def test_a_file_that_is_not_csv_is_refused_without_a_crash():
    huge = "x" * 200_000  # over the csv module's field limit
    assert_refused(
        HEADER + f"cmo,{huge},,,,,cmo,executive,C-level,\n",
        [(2, "the file is not valid CSV: field larger than field limit (131072)")],
    )


def test_a_formula_in_a_seat_title_leaves_neutralised_and_comes_back_as_it_was(client, db):
    from django.urls import reverse

    from tests.conftest import make_user

    formula = '=HYPERLINK("http://evil.example/x","click")'
    text = HEADER + (
        f'cmo,"{formula.replace(chr(34), chr(34) * 2)}",,,,,cmo,executive,C-level,\n'
        "a,+1 analyst,,,cmo,,cmo,executive,manager,\n"
        "b,@SUM(A1),,,cmo,,cmo,executive,manager,\n"
        "c,-2 seats,,,cmo,,cmo,executive,manager,\n"
        "d,'=already quoted,,,cmo,,cmo,executive,manager,\n"
    )
    chart = chart_import_csv(text=text, scenario="Formulas")
    titles = dict(chart.positions.values_list("key", "title"))
    assert titles == {
        "cmo": formula,
        "a": "+1 analyst",
        "b": "@SUM(A1)",
        "c": "-2 seats",
        "d": "=already quoted",  # a spreadsheet user's own quote is read as text, like ours
    }
    client.force_login(make_user("e", "Executives"))
    exported = client.get(reverse("roles:chart-export-csv", args=[chart.pk])).content.decode()
    assert exported == chart_export_csv(chart)
    cells = [line.split(",", 2)[1] for line in exported.splitlines()[1:]]
    assert all(cell.startswith(("'", "\"'")) for cell in cells), cells  # no cell starts a formula
    assert '"\'=HYPERLINK(""http://evil.example/x"",""click"")"' in exported
    copy = chart_import_csv(text=exported, scenario="Formulas again")
    assert dict(copy.positions.values_list("key", "title")) == titles


def test_nul_bytes_control_characters_huge_salaries_and_multiline_names_are_row_errors():
    text = HEADER + (
        "cmo,CMO,,,,,cmo,executive,C-level,\n"
        "a,Ana\x00lyst,,,cmo,,cmo,executive,manager,\n"  # row 3: NUL in the title
        "b,Boss,,,cmo,,cmo,executive,manager,2147483648\n"  # row 4: beyond the salary column
        'c,Side,"Dana\nWhit",dana@example.com,cmo,,cmo,executive,manager,\n'  # rows 5-6: two-line name
        "d,Bell\x07,,,cmo,,cmo,executive,manager,\n"  # row 7: a control character
        "e,Big,,,cmo,,cmo,executive,manager," + "9" * 400 + "\n"  # row 8: far beyond any number
    )
    assert_refused(
        text,
        [
            (3, "title contains a NUL character"),
            (4, "salary must be at most 2,147,483,647"),
            (6, "person_name must be on one line"),
            (7, "title contains the control character U+0007"),
            (8, "salary must be at most 2,147,483,647"),
        ],
    )


def test_a_scenario_name_on_two_lines_or_with_a_nul_is_refused():
    assert_refused(GOOD, [(0, "the scenario name must be on one line")], scenario="Two\nlines")
    assert_refused(GOOD, [(0, "the scenario name contains a NUL character")], scenario="Nul\x00")


def chain(depth: int) -> str:
    rows = ["s0,CMO,,,,,cmo,executive,C-level,"]
    rows += [f"s{i},Seat {i},,,s{i - 1},,cmo,executive,manager," for i in range(1, depth)]
    return HEADER + "\n".join(rows) + "\n"


def test_a_2500_deep_reporting_chain_imports_quickly():
    import time

    started = time.monotonic()
    chart = chart_import_csv(text=chain(2500), scenario="Deep")
    assert time.monotonic() - started < 10
    deepest = chart.positions.get(key="s2499")
    assert deepest.reports_to.key == "s2498" and chart.positions.count() == 2500


def test_a_long_cycle_is_reported_on_each_of_its_rows_in_a_short_message():
    rows = ["root,CMO,,,,,cmo,executive,C-level,"]
    rows += [f"c{i},Seat {i},,,c{(i - 1) % 3000},,cmo,executive,manager," for i in range(3000)]
    with pytest.raises(ChartImportError) as refused:
        chart_import_csv(text=HEADER + "\n".join(rows) + "\n", scenario="Loop")
    errors = refused.value.errors
    assert len(errors) == 3000 and {e.row for e in errors} == set(range(3, 3003))
    assert errors[0].reason == "reporting cycle: c0 → c2999 → c2998 → c2997 → c2996 → … 2994 more … → c1 → c0"


@pytest.mark.parametrize("size", [10, 400])
def test_an_import_takes_the_same_queries_whatever_its_size(size, django_assert_max_num_queries):
    Person.objects.create(name="Known", email="known0@example.com", level="manager")
    rows = ["s0,CMO,Known,known0@example.com,,,cmo,executive,C-level,100000"]
    rows += [
        f"s{i},Seat {i},Person {i},p{i}@example.com,s{i // 2},{'s0' if i > 1 else ''},"
        "workflow-architect;data-steward,marops,manager,50000"
        for i in range(1, size)
    ]
    with django_assert_max_num_queries(18):
        chart = chart_import_csv(text=HEADER + "\n".join(rows) + "\n", scenario=f"Size {size}")
    assert chart.positions.count() == size and Person.objects.count() == size
    assert Position.history.filter(chart_id=chart.pk, history_change_reason="Imported from CSV").count() == size
