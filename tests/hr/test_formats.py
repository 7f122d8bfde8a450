"""Reading HR systems' exports: every vendor's sample file, and every kind of file that cannot be read."""

import pytest

from hr.formats import HrFileError, detect_format, mapping_problems, propose_mapping, read_table, save_mapping
from hr.models import ColumnMapping, PeopleImport
from hr.plan import read_people
from hr.services import people_import_create

from .conftest import sample

SAMPLES = [
    (
        "bamboohr_employees.csv",
        "bamboohr",
        {"manager_id": "Supervisor EID", "email": "Work Email", "title": "Job Title"},
    ),
    (
        "hibob_people.csv",
        "hibob",
        {"manager_email": "work.reportsTo.email", "email": "root.email", "title": "work.title"},
    ),
    ("rippling_employees.csv", "rippling", {"manager_name": "Manager", "email": "Work Email", "title": "Title"}),
    ("workday_workers.xlsx", "workday", {"manager_name": "Manager", "name": "Worker", "title": "Business Title"}),
    ("generic_people.csv", "generic", {"manager_email": "manager_email", "email": "email", "title": "title"}),
    ("generic_people.xlsx", "generic", {"manager_email": "Manager Email", "email": "Email", "title": "Job Title"}),
]


@pytest.mark.parametrize(("filename", "fmt", "expected"), SAMPLES)
def test_each_vendor_sample_is_recognised_mapped_and_read(db, filename, fmt, expected):
    table = read_table(sample(filename), filename)
    assert detect_format(table.headers) == fmt
    mapping = propose_mapping(table.headers, fmt)
    assert {field: mapping[field] for field in expected} == expected
    assert mapping_problems(table.headers, mapping) == []
    rows, problems = read_people(table, mapping, fmt)
    assert problems == []
    assert len(rows) == 47
    by_email = {row.email: row for row in rows}
    marco = by_email["marco.rossi@halcyon.example"]
    assert (marco.name, marco.title) == ("Marco Rossi", "Marketo Admin")
    assert marco.manager is not None and marco.manager.email == "dana.whitfield@halcyon.example"
    assert [row.name for row in rows if row.manager is None] == ["Evelyn Carter"]


def test_rippling_is_read_as_windows_1252_with_us_dates_and_dollar_salaries(db):
    table = read_table(sample("rippling_employees.csv"), "rippling_employees.csv")
    rows, _ = read_people(table, propose_mapping(table.headers, "rippling"), "rippling")
    chloe = next(row for row in rows if row.email == "chloe.dubois@halcyon.example")
    assert chloe.name == "Chloé Dubois"
    evelyn = rows[0]
    assert (evelyn.start_date.isoformat(), evelyn.salary) == ("2015-03-02", 240_000)


def test_workday_xlsx_dates_and_bamboohr_pay_rates_are_read(db):
    table = read_table(sample("workday_workers.xlsx"), "workday_workers.xlsx")
    rows, _ = read_people(table, propose_mapping(table.headers, "workday"), "workday")
    assert rows[0].start_date.isoformat() == "2015-03-02"
    table = read_table(sample("bamboohr_employees.csv"), "x.csv")
    rows, _ = read_people(table, propose_mapping(table.headers, "bamboohr"), "bamboohr")
    assert rows[1].salary == 185_000


def test_a_confirmed_mapping_is_proposed_again_for_the_same_header_row(db, leader):
    table = read_table(sample("generic_people.xlsx"), "generic_people.xlsx")
    mapping = propose_mapping(table.headers, "generic")
    mapping["department"] = ""  # the user says the department column is not to be used
    save_mapping(table.headers, "generic", mapping, leader)
    assert propose_mapping(table.headers, "generic")["department"] == ""
    save_mapping(table.headers, "generic", mapping, leader)
    assert ColumnMapping.objects.count() == 1


def test_mapping_problems_name_each_field(db):
    headers = ["Name", "Email", "Title", "Boss"]
    problems = mapping_problems(headers, {"name": "Name", "email": "Nope", "title": "Name"})
    by_field = {p.column: p.message for p in problems}
    assert "no column “Nope”" in by_field["email"]
    assert "already used" in by_field["title"]
    assert "Manager" in by_field["manager_email"]


BAD_FILES = [
    (b"", "people.csv", "the file is empty"),
    (b"   \n\n", "people.csv", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.csv", "not a spreadsheet"),
    ("name,email\nZoë,z@x.com\n".encode("utf-16"), "people.csv", "UTF-16"),
    (b"name,email,title\nA\x81\x8d,a@x.com,CEO\n", "people.csv", "neither UTF-8 nor Windows-1252"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "people.xls", "old Excel workbook"),
    (b"PK\x03\x04not really a zip", "people.xlsx", "not a readable Excel workbook"),
    (b"name,email\n", "people.csv", "no people"),
    (b"name,name,email\nA,B,a@x.com\n", "people.csv", "two columns are called"),
    (b",,\nA,a@x.com,CEO\n", "people.csv", "first row is empty"),
    (b"name,email,title", "people.xlsx", "not an Excel workbook"),
]


@pytest.mark.parametrize(("content", "filename", "message"), BAD_FILES)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_problem_and_nothing_kept(
    db, leader, content, filename, message
):
    with pytest.raises(HrFileError) as refused:
        people_import_create(content=content, filename=filename, fmt="auto", user=leader)
    assert any(message in p.message for p in refused.value.problems), refused.value.problems
    assert PeopleImport.objects.count() == 0


def test_a_cp1252_file_is_read_and_a_bom_is_dropped(db):
    table = read_table("Name,Email\nRenée,r@x.com\n".encode("cp1252"), "x.csv")
    assert table.rows == [["Renée", "r@x.com"]]
    table = read_table("\ufeffName;Email\nA;a@x.com\n".encode(), "x.csv")  # semicolons, as Excel writes in Europe
    assert table.headers == ["Name", "Email"]
