"""The people of a chart in the generic import shape, as CSV or XLSX: importing the export back changes nothing."""

import io

from core.imports import csv_cell, csv_writer
from roles.models import Chart, Position

HEADERS = ["employee_id", "name", "email", "title", "department", "manager_email", "start_date", "salary"]


def people_table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """One row per seated person (vacancies are not people), the top first, managers before their reports.
    The department is the seat's team, which an import reads back as the same team. Two queries."""
    positions = list(
        Position.objects.filter(chart=chart, person__isnull=False).select_related("person").order_by("title", "pk")
    )
    holder = {p.pk: p.person for p in positions}
    parent = dict(Position.objects.filter(chart=chart).values_list("pk", "reports_to_id"))

    def manager_email(position: Position) -> str:
        # The nearest seated manager: a vacancy in between is skipped (the file has people, not seats).
        node = parent.get(position.pk)
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            if (person := holder.get(node)) is not None:
                return person.email
            node = parent.get(node)
        return ""

    depth: dict[int, int] = {}

    def level(pk: int) -> int:
        chain: list[int] = []
        node: int | None = pk
        while node is not None and node not in depth and len(chain) <= len(parent):
            chain.append(node)
            node = parent.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for at, member in enumerate(reversed(chain), 1):
            depth[member] = base + at
        return depth[pk]

    positions.sort(key=lambda p: (level(p.pk), p.title, p.pk))
    rows = []
    for position in positions:
        person = position.person
        assert person is not None
        rows.append(
            [
                "",
                person.name,
                person.email,
                position.title,
                position.get_team_display(),
                manager_email(position),
                person.start_date.isoformat() if person.start_date else "",
                "" if position.salary is None else str(position.salary),
            ]
        )
    return list(HEADERS), rows


def as_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writerow = csv_writer(out)
    writerow(list(headers))
    for row in rows:
        writerow(list(row))
    return out.getvalue().encode("utf-8")


def as_xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    """A one-sheet workbook; every cell is text, and one that would start a formula is neutralised."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    sheet.append([csv_cell(h) for h in headers])
    for row in rows:
        sheet.append([csv_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
