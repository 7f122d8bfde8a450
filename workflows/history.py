"""A workflow's history in words: who changed its owner, name, flags and steps, when, and how.

django-simple-history records every save of a workflow and of its steps; the change reason says how a
change was made when it was not made on a screen (the inventory import, the API), and the user who.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.history_start import REASON as HISTORY_BEGAN

from .choices import StepMode, WorkflowStatus
from .models import Step, Workflow

# Change reasons the writers record, read back here as how the change was made.
IMPORTED = "inventory import"
VIA_API = "API"

WORKFLOW_LABELS = {"owner": "Owner", "name": "Name", "is_critical": "Critical", "status": "Status"}
STEP_LABELS = {
    "name": "Name",
    "mode": "Mode",
    "agent": "Agent",
    "platform": "Platform",
    "is_buyer_facing": "Buyer-facing",
}
KINDS = {"+": "created", "~": "changed", "-": "removed"}
RELATED = {"owner", "agent", "platform"}

# simple-history builds its historical models at run time and has no types: its records are Any here.


@dataclass(frozen=True)
class WorkflowHistoryEntry:
    at: datetime.datetime
    user: str  # "—" when no user made it (a command, a task, the seed)
    how: str  # screen, import, API, system, or the recorded reason
    subject: str  # "Workflow" or the step
    kind: str  # created, changed, removed, or how the first record came to be
    changes: tuple[str, ...]


def _how(record: Any) -> str:
    reason = record.history_change_reason or ""
    if reason == IMPORTED:
        return "import"
    if reason == VIA_API:
        return "API"
    if reason == HISTORY_BEGAN:
        return "—"
    return reason or ("screen" if record.history_user_id else "system")


def _raw(record: Any, field: str) -> Any:
    return getattr(record, f"{field}_id" if field in RELATED else field)


def _shown(record: Any, field: str) -> str:
    if field in RELATED:
        related_id = _raw(record, field)
        if related_id is None:
            return "nobody" if field == "owner" else "none"
        related = getattr(record, field)  # joined below; None if it has since been deleted
        return related.name if related is not None else f"#{related_id}"
    value = getattr(record, field)
    if field in {"is_critical", "is_buyer_facing"}:
        return "yes" if value else "no"
    if field == "status":
        return WorkflowStatus(value).label
    if field == "mode":
        return StepMode(value).label
    return str(value)


def _entries(
    records: Iterable[Any], labels: dict[str, str], subject: Callable[[Any], str]
) -> list[WorkflowHistoryEntry]:
    """Records of one object, oldest first: each says what changed against the one before it."""
    entries, older = [], None
    for record in records:
        user = record.history_user.get_username() if record.history_user else "—"
        kind = KINDS[record.history_type]
        changes: tuple[str, ...] = ()
        if record.history_type == "~" and older is not None:
            changes = tuple(
                f"{label}: {_shown(older, field)} → {_shown(record, field)}"
                for field, label in labels.items()
                if _raw(older, field) != _raw(record, field)
            )
            if not changes:  # e.g. only the roles or the order of a step changed
                older = record
                continue
        elif record.history_type == "+" or older is None:
            if record.history_change_reason == HISTORY_BEGAN:
                kind = HISTORY_BEGAN
            changes = tuple(f"{label}: {_shown(record, field)}" for field, label in labels.items())
        entries.append(WorkflowHistoryEntry(record.history_date, user, _how(record), subject(record), kind, changes))
        older = record
    return entries


def workflow_history(workflow: Workflow) -> list[WorkflowHistoryEntry]:
    """Newest first: the workflow's changes and its steps' (added, changed, removed). Two queries,
    however long the history: the workflow's records and its steps', each with the people, agents,
    platforms and users they name joined in."""
    order = ("history_date", "history_id")
    workflow_records = Workflow.history.filter(id=workflow.pk).select_related("history_user", "owner").order_by(*order)
    step_records = (
        Step.history.filter(workflow_id=workflow.pk)
        .select_related("history_user", "agent", "platform")
        .order_by("id", *order)
    )
    entries = _entries(workflow_records, WORKFLOW_LABELS, lambda record: "Workflow")
    by_step: dict[int, list[Any]] = {}
    for record in step_records:
        by_step.setdefault(record.id, []).append(record)
    for records in by_step.values():
        entries += _entries(records, STEP_LABELS, lambda record: f"Step {record.order} “{record.name}”")
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
