"""HR systems' exports, read: a CSV (UTF-8, UTF-8 with a BOM, or Windows-1252) or an XLSX workbook becomes a
table of text cells; its header row says which system wrote it; a column mapping says which of its columns
holds each field MarOps needs. A mapping a user confirmed is saved for the next file with that header row.

The vendors' columns, and the documentation they follow, are described in tests/data/hr/README.md."""

import csv
import datetime
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from core.imports import csv_value
from core.validators import text_problem

from .models import ColumnMapping

MAX_ROWS = 50_000
MAX_COLUMNS = 200


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: the spreadsheet row (the header is row 1; 0 for the whole file) and column."""

    row: int
    column: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"row {self.row}" if self.row else "", self.column and f"“{self.column}”") if part
        )
        return f"{where}: {self.message}" if where else self.message


class HrFileError(Exception):
    """A file that cannot be read at all (not a spreadsheet, a wrong encoding, empty): every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)  # each as long as headers; row i is spreadsheet row i + 2


# field, label, required
FIELDS: list[tuple[str, str, bool]] = [
    ("employee_id", "Employee ID", False),
    ("name", "Full name", False),
    ("first_name", "First name", False),
    ("last_name", "Last name", False),
    ("email", "Work e-mail", True),
    ("title", "Job title", True),
    ("department", "Department", False),
    ("manager_email", "Manager's e-mail", False),
    ("manager_id", "Manager's employee ID", False),
    ("start_date", "Start date", False),
    ("salary", "Salary", False),
]
FIELD_NAMES = [name for name, _, _ in FIELDS]
FIELD_LABELS = {name: label for name, label, _ in FIELDS}

FORMATS = {
    "bamboohr": "BambooHR",
    "hibob": "HiBob",
    "rippling": "Rippling",
    "workday": "Workday",
    "generic": "Any spreadsheet",
}

# Each vendor's export headers, per field (tests/data/hr/README.md names the documentation). A vendor that
# names the manager only (Rippling's and Workday's "Manager", BambooHR's "Reporting to") maps it to
# manager_name, which is resolved against the file's names (an ambiguous name is refused).
VENDOR_HEADERS: dict[str, dict[str, str]] = {
    "bamboohr": {
        "employee_id": "Employee #",
        "first_name": "First Name",
        "last_name": "Last Name",
        "email": "Work Email",
        "title": "Job Title",
        "department": "Department",
        "manager_id": "Supervisor EID",
        "manager_name": "Reporting to",
        "start_date": "Hire Date",
        "salary": "Pay rate",
    },
    "hibob": {
        "employee_id": "work.employeeIdInCompany",
        "first_name": "root.firstName",
        "last_name": "root.surname",
        "name": "root.displayName",
        "email": "root.email",
        "title": "work.title",
        "department": "work.department",
        "manager_email": "work.reportsTo.email",
        "start_date": "work.startDate",
    },
    "rippling": {
        "employee_id": "Employee Number",
        "first_name": "Legal First Name",
        "last_name": "Legal Last Name",
        "email": "Work Email",
        "title": "Title",
        "department": "Department",
        "manager_name": "Manager",
        "start_date": "Start Date",
        "salary": "Annual Salary",
    },
    "workday": {
        "employee_id": "Employee ID",
        "name": "Worker",
        "email": "Primary Work Email",
        "title": "Business Title",
        "department": "Supervisory Organization",
        "manager_name": "Manager",
        "start_date": "Hire Date",
    },
}

# For any other file: the names people give these columns (normalised: lower case, no punctuation).
SYNONYMS: dict[str, list[str]] = {
    "employee_id": [
        "employee id",
        "employee number",
        "employee no",
        "employee",
        "emp id",
        "worker id",
        "id",
        "staff id",
    ],
    "name": ["name", "full name", "display name", "employee name", "worker", "preferred name"],
    "first_name": ["first name", "given name", "forename", "first"],
    "last_name": ["last name", "surname", "family name", "last"],
    "email": [
        "email",
        "work email",
        "e mail",
        "email address",
        "work email address",
        "business email",
        "primary work email",
    ],
    "title": ["title", "job title", "business title", "position", "job", "role", "position title"],
    "department": [
        "department",
        "dept",
        "team",
        "division",
        "function",
        "organisation",
        "organization",
        "supervisory organization",
    ],
    "manager_email": ["manager email", "manager e mail", "reports to email", "supervisor email", "line manager email"],
    "manager_id": [
        "manager id",
        "manager employee id",
        "supervisor id",
        "supervisor eid",
        "reports to id",
        "manager employee number",
    ],
    "manager_name": ["manager", "manager name", "reports to", "reporting to", "supervisor", "line manager"],
    "start_date": ["start date", "hire date", "date of hire", "joined", "start", "employment start date"],
    "salary": ["salary", "annual salary", "base salary", "pay rate", "compensation", "base pay"],
}
# Fields a mapping may name beyond FIELDS: the manager by name, when that is all a vendor gives.
EXTRA_FIELDS = [("manager_name", "Manager's name", False)]
ALL_FIELDS = FIELDS + EXTRA_FIELDS
ALL_FIELD_NAMES = [name for name, _, _ in ALL_FIELDS]


def normalise_header(header: str) -> str:
    return re.sub(r"[^a-z0-9#]+", " ", header.strip().lower()).strip()


# --- Reading ------------------------------------------------------------------
XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"


def read_table(content: bytes, filename: str) -> Table:
    """The file as a table of stripped text cells, or HrFileError saying why it cannot be read."""
    if not content.strip():
        raise HrFileError([Problem(0, "", "the file is empty")])
    if content.startswith(OLD_EXCEL_MAGIC):
        raise HrFileError([Problem(0, "", "this is an old Excel workbook (.xls): save it as .xlsx or CSV")])
    if content.startswith(XLSX_MAGIC):
        table = _read_xlsx(content)
    else:
        if filename.lower().endswith((".xlsx", ".xlsm")):
            raise HrFileError([Problem(0, "", "the file is called .xlsx but is not an Excel workbook")])
        table = _read_csv(_decode(content))
    return _checked(table)


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096] and not content.startswith(b"\xef\xbb\xbf"):
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise HrFileError([Problem(0, "", "the file is UTF-16 text: save it as CSV (UTF-8)")])
        raise HrFileError(
            [Problem(0, "", "the file is not a spreadsheet (it holds binary data): upload a CSV or XLSX")]
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            line = content[: utf8_error.start].count(b"\n") + 1
            raise HrFileError(
                [Problem(line, "", "the file is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8)")]
            ) from None
        if _SUSPECT_CP1252.search(text):  # binary data that happens to decode
            raise HrFileError([Problem(0, "", "the file is not a spreadsheet: upload a CSV or XLSX")]) from None
        return text


# Control characters other than tab and line breaks: text files do not hold them.
_SUSPECT_CP1252 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read_csv(text: str) -> Table:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > MAX_ROWS + 1:
                raise HrFileError([Problem(0, "", f"the file has more than {MAX_ROWS:,} rows")])
    except csv.Error as exc:
        raise HrFileError([Problem(reader.line_num + 1, "", f"the file is not valid CSV: {exc}")]) from None
    if not records:
        raise HrFileError([Problem(0, "", "the file is empty")])
    return Table(headers=[h.strip() for h in records[0]], rows=[[csv_value(c.strip()) for c in r] for r in records[1:]])


def _read_xlsx(content: bytes) -> Table:
    import openpyxl  # only needed for workbooks

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise HrFileError(
            [Problem(0, "", f"the file is not a readable Excel workbook ({exc.__class__.__name__})")]
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise HrFileError([Problem(0, "", "the workbook has no sheets")])
        rows: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_xlsx_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                raise HrFileError([Problem(0, "", f"the file has more than {MAX_ROWS:,} rows")])
    finally:
        workbook.close()
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise HrFileError([Problem(0, "", "the workbook's first sheet is empty")])
    return Table(headers=rows[0], rows=rows[1:])


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):  # HR exports mean a date
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return csv_value(str(value).strip())  # an exported cell's formula guard, undone (hr.export writes it)


def _checked(table: Table) -> Table:
    """Headers present, named once, within reason; rows padded to the header's width; blank rows dropped."""
    headers = [h.strip() for h in table.headers]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise HrFileError([Problem(1, "", "the first row is empty: it should name the columns")])
    if len(headers) > MAX_COLUMNS:
        raise HrFileError([Problem(1, "", f"the file has more than {MAX_COLUMNS} columns")])
    problems = []
    seen: dict[str, int] = {}
    for at, header in enumerate(headers, 1):
        if not header:
            problems.append(Problem(1, f"column {at}", "this column has no name"))
        elif (problem := text_problem(header)) is not None:
            problems.append(Problem(1, f"column {at}", f"the column's name {problem}"))
        elif header.lower() in seen:
            problems.append(
                Problem(1, header, f"two columns are called “{header}” (columns {seen[header.lower()]} and {at})")
            )
        else:
            seen[header.lower()] = at
    if problems:
        raise HrFileError(problems)
    width = len(headers)
    rows = []
    for row in table.rows:
        cells = (row + [""] * width)[:width]
        rows.append(cells)
    # Trailing blank rows are noise; blank rows in the middle keep their numbers (the plan skips them).
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise HrFileError([Problem(2, "", "the file has a header row but no people")])
    return Table(headers=headers, rows=rows)


# --- Recognising and mapping -------------------------------------------------
def detect_format(headers: list[str]) -> str:
    """The vendor whose documented columns the header row holds most of (at least 4), else "generic"."""
    have = {normalise_header(h) for h in headers}
    best, best_score = "generic", 0
    for fmt, columns in VENDOR_HEADERS.items():
        score = sum(1 for header in columns.values() if normalise_header(header) in have)
        # a vendor's own column names (e.g. "Supervisor EID", "work.reportsTo.email") count more than common ones
        if score > best_score and score >= min(4, len(columns)):
            best, best_score = fmt, score
    return best


def header_signature(headers: list[str]) -> str:
    return hashlib.sha256("\x1f".join(normalise_header(h) for h in headers).encode()).hexdigest()


def propose_mapping(headers: list[str], fmt: str) -> dict[str, str]:
    """field -> header ("" when the file has no such column). A mapping saved for this header row wins."""
    saved = ColumnMapping.objects.filter(signature=header_signature(headers)).first()
    if saved is not None:
        present = set(headers)
        return {
            name: (saved.mapping.get(name) or "") if saved.mapping.get(name) in present else ""
            for name in ALL_FIELD_NAMES
        }
    by_norm = {normalise_header(h): h for h in reversed(headers)}  # the first of equal names wins
    mapping = dict.fromkeys(ALL_FIELD_NAMES, "")
    taken: set[str] = set()
    for name, header in VENDOR_HEADERS.get(fmt, {}).items():
        if (found := by_norm.get(normalise_header(header))) is not None:
            mapping[name] = found
            taken.add(found)
    for name in ALL_FIELD_NAMES:
        if mapping[name]:
            continue
        for synonym in SYNONYMS.get(name, []) + [normalise_header(name.replace("_", " "))]:
            found = by_norm.get(synonym)
            if found is not None and found not in taken:
                mapping[name] = found
                taken.add(found)
                break
    if mapping["first_name"] and mapping["last_name"] and mapping["name"] == "":
        pass  # the name is built from the two
    return mapping


def mapping_problems(headers: list[str], mapping: dict[str, str]) -> list[Problem]:
    """Why this mapping cannot be used: a required field without a column, a column that is not in the
    file, one column for two fields, no way to tell names or managers. Each problem names its field."""
    present = set(headers)
    problems: list[Problem] = []
    used: dict[str, str] = {}
    for name, label, required in ALL_FIELDS:
        header = (mapping.get(name) or "").strip()
        if header and header not in present:
            problems.append(Problem(0, name, f"{label}: the file has no column “{header}”"))
        elif header and header in used:
            problems.append(
                Problem(
                    0, name, f"{label}: “{header}” is already used for {FIELD_LABELS.get(used[header], used[header])}"
                )
            )
        elif header:
            used[header] = name
        elif required:
            problems.append(Problem(0, name, f"{label}: choose the column that holds it"))
    unknown = set(mapping) - set(ALL_FIELD_NAMES)
    for name in sorted(unknown):
        problems.append(Problem(0, name, f"“{name}” is not a field MarOps imports"))
    if not mapping.get("name") and not (mapping.get("first_name") and mapping.get("last_name")):
        if not mapping.get("first_name"):
            problems.append(Problem(0, "name", "Full name: choose its column, or the first and last name columns"))
        else:
            problems.append(Problem(0, "last_name", "Last name: choose its column (or the full name column)"))
    if not (mapping.get("manager_email") or mapping.get("manager_id") or mapping.get("manager_name")):
        problems.append(
            Problem(0, "manager_email", "Manager: choose the column with the manager's e-mail, employee ID or name")
        )
    if mapping.get("manager_id") and not mapping.get("employee_id"):
        problems.append(Problem(0, "employee_id", "Employee ID: needed to find managers by their employee ID"))
    return problems


def save_mapping(headers: list[str], fmt: str, mapping: dict[str, str], user: User) -> ColumnMapping:
    """Remember the mapping for the next file with this header row."""
    clean = {name: (mapping.get(name) or "") for name in ALL_FIELD_NAMES}
    saved, _ = ColumnMapping.objects.update_or_create(
        signature=header_signature(headers), defaults={"fmt": fmt, "mapping": clean, "updated_by": user}
    )
    return saved
