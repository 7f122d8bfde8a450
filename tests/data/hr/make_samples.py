"""Writes the HR sample exports beside it (the files are checked in; run again only to change them):
`uv run python tests/data/hr/make_samples.py`. tests/data/hr/README.md says which vendor documentation each follows."""

import csv
import datetime
import io
from pathlib import Path

import openpyxl

OUT = Path(__file__).resolve().parent
D = "halcyon.example"
# id, first, last, title, department, manager id, start, salary
PEOPLE = [
    ("1001", "Evelyn", "Carter", "Chief Executive Officer", "Executive", "", "2015-03-02", 240000),
    ("1002", "Claire", "Donovan", "Chief Marketing Officer", "Marketing", "1001", "2019-06-10", 185000),
    ("1003", "Raj", "Patel", "Chief Data Officer", "Data", "1001", "2018-01-15", 175000),
    ("1004", "Hannah", "Brooks", "Chief Technology Officer", "Engineering", "1001", "2016-09-05", 200000),
    ("1005", "Victor", "Hale", "Chief Financial Officer", "Finance", "1001", "2017-04-03", 190000),
    ("1006", "Grace", "Okoye", "VP Sales", "Sales", "1001", "2018-11-12", 160000),
    ("1010", "Marcus", "Lee", "Head of Demand Generation", "Marketing", "1002", "2020-02-03", 92000),
    ("1011", "Dana", "Whitfield", "Marketing Ops Manager", "Marketing Operations", "1002", "2019-08-19", 72000),
    ("1012", "Marco", "Rossi", "Marketo Admin", "Marketing Operations", "1011", "2021-01-11", 52000),
    ("1013", "Tom", "Nguyen", "Salesforce Administrator", "Marketing Operations", "1011", "2021-05-24", 55000),
    ("1014", "Mia", "Chen", "Marketing Operations Specialist", "Marketing Operations", "1011", "2022-03-07", 46000),
    ("1015", "Sam", "Okafor", "Marketing Operations Analyst", "Marketing Operations", "1011", "2025-10-06", 44000),
    ("1016", "Aisha", "Rahman", "Marketing Automation Architect", "Marketing Operations", "1011", "2023-02-13", 78000),
    ("1017", "Ben", "Carlisle", "HubSpot Specialist", "Marketing Operations", "1011", "2024-04-02", 47000),
    ("1020", "Nora", "Quinn", "Campaign Manager", "Demand Generation", "1010", "2021-09-13", 52000),
    ("1021", "Jade", "Morgan", "Campaign Coordinator (EMEA)", "Demand Generation", "1020", "2022-06-01", 31000),
    (
        "1022",
        "Leo",
        "Fischer",
        "Campaign Coordinator (North America)",
        "Demand Generation",
        "1020",
        "2022-07-18",
        32000,
    ),
    ("1023", "Isla", "Bennett", "Field Marketing Manager", "Demand Generation", "1010", "2023-05-08", 54000),
    ("1024", "Kwame", "Asante", "Lifecycle Marketing Manager", "Demand Generation", "1010", "2023-09-25", 56000),
    ("1025", "Chloe", "Dubois", "ABM Manager", "Demand Generation", "1010", "2024-01-15", 58000),
    ("1026", "Ravi", "Menon", "Paid Media Specialist", "Demand Generation", "1010", "2024-08-05", 43000),
    ("1030", "Sofia", "Alvarez", "Head of Content", "Content", "1002", "2020-05-11", 78000),
    ("1031", "Ethan", "Price", "Content Marketer", "Content", "1030", "2021-11-01", 40000),
    ("1032", "Lucy", "Hart", "Senior Copywriter", "Content", "1030", "2022-10-10", 45000),
    ("1033", "Omar", "Haddad", "Social Media Manager", "Content", "1030", "2023-03-20", 42000),
    ("1040", "Oliver", "Grant", "Growth Lead", "Growth", "1002", "2020-10-05", 88000),
    ("1041", "Elena", "Petrova", "Growth Marketing Manager", "Growth", "1040", "2023-06-12", 60000),
    ("1042", "Finn", "O'Brien", "SEO Manager", "Growth", "1040", "2024-02-26", 52000),
    ("1050", "Priya", "Shah", "Marketing Analytics Manager", "Marketing Operations", "1011", "2020-07-27", 68000),
    ("1051", "Yuki", "Tanaka", "Marketing Data Analyst", "Marketing Operations", "1050", "2024-09-09", 45000),
    ("1060", "Hugo", "Laurent", "Director of Product Marketing", "Product Marketing", "1002", "2021-04-19", 110000),
    ("1061", "Amara", "Nwosu", "Product Marketing Manager", "Product Marketing", "1060", "2022-08-29", 70000),
    ("1062", "Daniel", "Kim", "Senior Product Marketing Manager", "Product Marketing", "1060", "2023-11-06", 82000),
    ("1063", "Sara", "Lind", "Marketing Coordinator", "Marketing", "1002", "2025-01-06", 30000),
    ("1064", "Zoe", "Martin", "Brand Manager", "Marketing", "1002", "2024-05-13", 58000),
    ("1070", "Peter", "Novak", "Sales Director", "Sales", "1006", "2019-02-11", 130000),
    ("1071", "Laura", "Becker", "Account Executive", "Sales", "1070", "2022-01-10", 75000),
    ("1072", "James", "Wright", "Account Executive", "Sales", "1070", "2023-04-17", 72000),
    ("1073", "Maya", "Singh", "Sales Development Representative", "Sales", "1070", "2024-07-01", 42000),
    ("1074", "Carlos", "Mendes", "Revenue Operations Manager", "Sales Operations", "1006", "2021-10-04", 80000),
    ("1080", "Ingrid", "Solberg", "Engineering Manager", "Engineering", "1004", "2019-12-02", 120000),
    ("1081", "Arjun", "Rao", "Senior Software Engineer", "Engineering", "1080", "2021-03-15", 105000),
    ("1082", "Emily", "Stone", "Software Engineer", "Engineering", "1080", "2023-08-21", 85000),
    ("1083", "Noah", "Fisher", "Data Engineer", "Data", "1003", "2022-02-28", 90000),
    ("1090", "Rachel", "Adams", "Financial Controller", "Finance", "1005", "2018-06-18", 95000),
    ("1091", "Tariq", "Aziz", "FP&A Analyst", "Finance", "1090", "2023-01-23", 60000),
    ("1092", "Helen", "Moore", "People Partner", "People", "1001", "2020-03-30", 65000),
]
by_id = {p[0]: p for p in PEOPLE}


def email(p):
    return f"{p[1].lower()}.{p[2].lower().replace(chr(39), '')}@{D}"


def name(p):
    return f"{p[1]} {p[2]}"


def us(d):
    y, m, dd = d.split("-")
    return f"{m}/{dd}/{y}"


def write_csv(path, headers, rows, comment, encoding="utf-8"):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(headers)
    w.writerows(rows)
    (OUT / path).write_bytes(out.getvalue().encode(encoding))


# BambooHR custom report (CSV): manager by Supervisor EID and by name ("Reporting to")
rows = []
for p in PEOPLE:
    m = by_id.get(p[5])
    rows.append([p[0], p[1], p[2], email(p), p[3], p[4], p[5], name(m) if m else "", p[6], f"{p[7]:.2f} GBP"])
write_csv(
    "bamboohr_employees.csv",
    [
        "Employee #",
        "First Name",
        "Last Name",
        "Work Email",
        "Job Title",
        "Department",
        "Supervisor EID",
        "Reporting to",
        "Hire Date",
        "Pay rate",
    ],
    rows,
    "",
)

# HiBob people report (CSV, UTF-8 with BOM as Bob writes it): manager by e-mail (work.reportsTo.email)
rows = []
for p in PEOPLE:
    m = by_id.get(p[5])
    rows.append([p[0], p[1], p[2], name(p), email(p), p[3], p[4], email(m) if m else "", p[6]])
(OUT / "hibob_people.csv").write_bytes(b"\xef\xbb\xbf")
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(
    [
        "work.employeeIdInCompany",
        "root.firstName",
        "root.surname",
        "root.displayName",
        "root.email",
        "work.title",
        "work.department",
        "work.reportsTo.email",
        "work.startDate",
    ]
)
w.writerows(rows)
(OUT / "hibob_people.csv").write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode())

# Rippling report (CSV, Windows-1252 as Excel on Windows saves it; US dates): manager by name only
rows = []
for p in PEOPLE:
    m = by_id.get(p[5])
    rows.append([p[0], p[1], p[2], email(p), p[3], p[4], name(m) if m else "", us(p[6]), f"${p[7]:,}"])
rows[19][1] = "Chloé"  # an accent (Chloé Dubois manages no one), to be read as cp1252
write_csv(
    "rippling_employees.csv",
    [
        "Employee Number",
        "Legal First Name",
        "Legal Last Name",
        "Work Email",
        "Title",
        "Department",
        "Manager",
        "Start Date",
        "Annual Salary",
    ],
    rows,
    "",
    encoding="cp1252",
)

# Workday custom report (XLSX): Worker, Business Title, Supervisory Organization, Manager (name)
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Workers"
ws.append(
    [
        "Employee ID",
        "Worker",
        "Business Title",
        "Supervisory Organization",
        "Manager",
        "Primary Work Email",
        "Hire Date",
    ]
)
for p in PEOPLE:
    m = by_id.get(p[5])
    org = f"{p[4]} ({name(m) if m else name(p)})"
    ws.append([p[0], name(p), p[3], org, name(m) if m else "", email(p), datetime.date.fromisoformat(p[6])])
wb.save(OUT / "workday_workers.xlsx")

# Generic: MarOps's own export shape
rows = []
for p in PEOPLE:
    m = by_id.get(p[5])
    rows.append(["", name(p), email(p), p[3], p[4], email(m) if m else "", p[6], p[7]])
write_csv(
    "generic_people.csv",
    ["employee_id", "name", "email", "title", "department", "manager_email", "start_date", "salary"],
    rows,
    "",
)
# Generic as XLSX too
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "People"
ws.append(["Name", "Email", "Job Title", "Department", "Manager Email"])
for p in PEOPLE:
    m = by_id.get(p[5])
    ws.append([name(p), email(p), p[3], p[4], email(m) if m else ""])
wb.save(OUT / "generic_people.xlsx")
print(len(PEOPLE))
