"""`manage.py import_people FILE [--format …] [--dry-run] [--scenario NAME]`: prints the preview, then applies."""

import io

import pytest
from django.core.management import CommandError, call_command

from roles.choices import ChartStatus
from roles.models import Chart, Person

from .conftest import DATA, generic_csv, person
from .test_plan import snapshot


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_prints_the_preview_and_writes_nothing(demo):
    before = snapshot()
    out, _ = run(str(DATA / "bamboohr_employees.csv"), "--dry-run")
    assert snapshot() == before
    assert "bamboohr_employees.csv: BambooHR export, 47 rows." in out
    assert "Preview against the live chart (sync):" in out
    assert "People added: 30" in out
    assert "  - “Marketo Admin”" not in out  # Marco Rossi's seat is unchanged
    assert (
        "Dana Whitfield: “Marketing Operations Manager” → “Marketing Ops Manager” (Marketing operations manager)" in out
    )
    assert "Dry run: nothing written." in out


def test_the_format_can_be_named_and_the_file_applied_into_a_scenario(demo):
    out, _ = run(str(DATA / "workday_workers.xlsx"), "--format", "workday", "--scenario", "From Workday")
    assert "Preview against new scenario “From Workday”:" in out
    assert "Applied to “From Workday”" in out
    chart = Chart.objects.get(name="From Workday")
    assert chart.status == ChartStatus.SCENARIO
    assert chart.positions.filter(person__email="victor.hale@halcyon.example").exists()


def test_without_a_scenario_the_live_chart_is_synced(demo):
    run(str(DATA / "hibob_people.csv"))
    assert Person.objects.get(email="victor.hale@halcyon.example").is_active
    out, _ = run(str(DATA / "hibob_people.csv"), "--dry-run")
    assert "Unchanged: 47" in out


def test_a_bad_file_lists_every_problem_and_writes_nothing(demo, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(generic_csv([person("Ann Ames", "CEO"), person("Bob Burns", "CMO", "Zed")]))
    before = snapshot()
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        run(str(bad))
    assert snapshot() == before
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="cannot be read"):
        run(str(empty))
