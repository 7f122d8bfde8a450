import csv
import io
from pathlib import Path

import pytest

from hr.services import people_import_create

DATA = Path(__file__).resolve().parent.parent / "data" / "hr"
GENERIC = ["employee_id", "name", "email", "title", "department", "manager_email", "start_date", "salary"]


def generic_csv(rows: list[list[str]], headers: list[str] = GENERIC) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode()


def person(name: str, title: str, manager: str = "", department: str = "Marketing", salary: str = "") -> list[str]:
    """A generic row; e-mails are the first name at example.com (manager given by first name too)."""
    local = name.split()[0].lower()
    boss = f"{manager.lower()}@example.com" if manager else ""
    return ["", name, f"{local}@example.com", title, department, boss, "", salary]


@pytest.fixture
def upload(leader):
    def make(content: bytes, filename: str = "people.csv", fmt: str = "auto", **fields):
        people_import = people_import_create(content=content, filename=filename, fmt=fmt, user=leader)
        for name, value in fields.items():
            setattr(people_import, name, value)
        if fields:
            people_import.save()
        return people_import

    return make


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()
