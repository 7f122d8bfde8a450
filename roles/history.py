"""A position's history in words: who changed what and when (from django-simple-history)."""

import datetime
from dataclasses import dataclass
from typing import Any

from .choices import Level, Team
from .models import Person, Position, Role


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    user: str
    kind: str  # created, changed, deleted
    changes: tuple[str, ...]


LABELS = {
    "title": "Title",
    "person": "Person",
    "reports_to": "Reports to",
    "level": "Level",
    "team": "Team",
    "salary": "Salary",
    "roles": "Roles",
    "dotted_lines": "Dotted lines",
}


def _names(field: str, value: Any, people: dict[int, str], positions: dict[int, str], roles: dict[int, str]) -> str:
    """`value` as a historical record holds it: an id, a choice, or the m2m rows (dicts of ids)."""
    if field in {"roles", "dotted_lines"}:
        key = "role" if field == "roles" else "to_position"
        lookup = roles if field == "roles" else positions
        names = sorted(lookup.get(item[key], f"#{item[key]}") for item in value or [])
        return ", ".join(names) or "none"
    if value in (None, ""):
        return "vacancy" if field == "person" else "—"
    if field == "person":
        return people.get(value, f"#{value}")
    if field == "reports_to":
        return positions.get(value, f"#{value}")
    if field == "level":
        return Level(value).label
    if field == "team":
        return Team(value).label
    return str(value)


def position_history(position: Position) -> list[HistoryEntry]:
    """Newest first. Each entry lists what changed against the record before it."""
    records = list(position.history.select_related("history_user").order_by("-history_date", "-history_id"))
    people = dict(Person.objects.values_list("id", "name"))
    positions = dict(Position.objects.filter(chart=position.chart).values_list("id", "title"))
    roles = dict(Role.objects.values_list("id", "name"))
    entries = []
    for record, older in zip(records, records[1:] + [None], strict=True):
        user = record.history_user.get_username() if record.history_user else "system"
        if older is None:
            if record.history_change_reason:  # e.g. "Cloned from …", "Imported from CSV"
                entries.append(HistoryEntry(record.history_date, user, record.history_change_reason, ()))
                continue
            entries.append(
                HistoryEntry(
                    record.history_date,
                    user,
                    "created" if record.history_type == "+" else "first recorded",
                    (),
                )
            )
            continue
        delta = record.diff_against(older, included_fields=list(LABELS))
        changes = tuple(
            f"{LABELS[c.field]}: {_names(c.field, c.old, people, positions, roles)} → "
            f"{_names(c.field, c.new, people, positions, roles)}"
            for c in delta.changes
        )
        if changes or record.history_type == "-":
            entries.append(
                HistoryEntry(record.history_date, user, "deleted" if record.history_type == "-" else "changed", changes)
            )
    return entries
