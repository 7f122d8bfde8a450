"""Export the people of a chart in the generic import shape (CSV and XLSX); importing it back changes nothing."""

import io

import pytest
from openpyxl import load_workbook

from hr.export import as_csv, as_xlsx, people_table
from hr.formats import detect_format, read_table
from hr.plan import build_plan
from roles.choices import ChartStatus
from roles.models import Chart, Person, Position


@pytest.mark.parametrize(("write", "filename"), [(as_csv, "people.csv"), (as_xlsx, "people.xlsx")])
def test_an_export_imports_back_with_nothing_changed(demo, upload, write, filename):
    live = Chart.objects.get(status=ChartStatus.LIVE)
    headers, rows = people_table(live)
    content = write(headers, rows)
    assert detect_format(read_table(content, filename).headers) == "generic"
    plan = build_plan(upload(content, filename, target="live"))
    assert plan.problems == []
    assert plan.changes == 0, plan.lines()
    assert plan.unchanged == Position.objects.filter(chart=live, person__isnull=False).count()


def test_the_export_has_the_import_columns_the_top_first_and_no_formula(demo):
    live = Chart.objects.get(status=ChartStatus.LIVE)
    Person.objects.filter(email="marco.rossi@halcyon.example").update(name="=HYPERLINK(1)")
    headers, rows = people_table(live)
    assert headers == ["employee_id", "name", "email", "title", "department", "manager_email", "start_date", "salary"]
    assert rows[0][1:6] == [
        "Evelyn Carter",
        "evelyn.carter@halcyon.example",
        "Chief Executive Officer",
        "Executive",
        "",
    ]
    text = as_csv(headers, rows).decode()
    assert "'=HYPERLINK(1)" in text
    sheet = load_workbook(io.BytesIO(as_xlsx(headers, rows)), read_only=True).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in names
