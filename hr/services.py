"""Writes for HR imports: the upload, its mapping and role corrections, and starting the preview and the apply
(a Celery task does the work and writes its progress on the import; the request answers at once)."""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.imports import every_5_percent
from roles.models import Role
from workflows.models import Platform

from .apply import ApplyRefused, apply_rows, scenario_name_problem
from .choices import ImportStatus, ImportTarget
from .formats import (
    FORMATS,
    HrFileError,
    Problem,
    detect_format,
    mapping_problems,
    propose_mapping,
    read_table,
    save_mapping,
)
from .models import PeopleImport
from .plan import build_plan, people_import_rows
from .titles import TitleMatch, TitleMatcher, remember, title_key

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A task whose worker was lost this long ago (its transaction rolled back) may be claimed again.
STALE_AFTER = datetime.timedelta(minutes=30)


class HrMappingError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def visible_imports(user: User) -> QuerySet[PeopleImport]:
    """The imports `user` may see: their own, or all for staff (core ImportJob's rule). Without the file."""
    imports = PeopleImport.objects.defer("content").select_related("created_by", "chart")
    return imports if user.is_staff else imports.filter(created_by=user)


def people_import_get(pk: int, user: User) -> PeopleImport:
    """The import, for its uploader or staff; anyone else is told it does not exist."""
    found = visible_imports(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such import.")
    return found


def people_import_create(*, content: bytes, filename: str, fmt: str, user: User) -> PeopleImport:
    """Store an upload after reading it (HrFileError says why a file cannot be read; nothing is stored then).
    `fmt` "auto" recognises the vendor from the header row; the proposed mapping is stored with it."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise HrFileError([Problem(0, "", f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")])
    table = read_table(content, filename)
    if fmt not in FORMATS:
        fmt = detect_format(table.headers)
    return PeopleImport.objects.create(
        created_by=user,
        filename=filename[:255],
        content=content,
        fmt=fmt,
        headers=table.headers,
        mapping=propose_mapping(table.headers, fmt),
        total=len(table.rows),
    )


APPLIED = "This import has been applied; upload the file again to import it once more."
BUSY = "This import is being worked on; wait for it to finish."


def _check_changeable(people_import: PeopleImport) -> None:
    """An applied import is a record; one a task works on waits."""
    if people_import.status == ImportStatus.APPLIED:
        raise ValidationError(APPLIED)
    if people_import.status in {ImportStatus.PREVIEWING, ImportStatus.APPLYING}:
        raise ValidationError(BUSY)


def people_import_set_mapping(people_import: PeopleImport, mapping: dict[str, str], user: User) -> PeopleImport:
    """Confirm the column mapping (HrMappingError names each field's problem; nothing changes then) and
    remember it for the next file with the same header row."""
    _check_changeable(people_import)
    clean = {name: (header or "").strip() for name, header in mapping.items()}
    problems = mapping_problems(people_import.headers, clean)
    if problems:
        raise HrMappingError(problems)
    save_mapping(people_import.headers, people_import.fmt, clean, user)
    people_import.mapping = clean
    people_import.status = ImportStatus.UPLOADED
    people_import.save(update_fields=["mapping", "status"])
    return people_import


def people_import_titles(people_import: PeopleImport) -> list[tuple[str, int, TitleMatch]]:
    """One line per distinct job title of the file: how many people hold it and the proposed match (the
    user's corrections on this import applied). A file with problems gives HrMappingError."""
    from .plan import effective_match

    rows, problems = people_import_rows(people_import)
    if problems:
        raise HrMappingError(problems)
    matcher = TitleMatcher.load()
    counted: dict[str, tuple[int, TitleMatch]] = {}
    for row in rows:
        if row.title in counted:
            count, match = counted[row.title]
            counted[row.title] = (count + 1, match)
        else:
            counted[row.title] = (1, effective_match(matcher, row, people_import.overrides or {}))
    return sorted(((title, count, match) for title, (count, match) in counted.items()), key=lambda t: (-t[1], t[0]))


@transaction.atomic
def people_import_set_roles(
    people_import: PeopleImport, overrides: dict[str, dict[str, str]], *, remember_rules: bool = True, user: User
) -> PeopleImport:
    """Correct the proposed role and expertise of some titles on this import ({title: {"role": key or "",
    "platform": name or ""}}); with `remember_rules`, each correction becomes a TitleRule for next time."""
    _check_changeable(people_import)
    roles = set(Role.objects.values_list("key", flat=True))
    errors = {}
    for title, choice in overrides.items():
        if choice.get("role") and choice["role"] not in roles:
            errors[title] = f"“{choice['role']}” is not a role of the catalogue."
        if not title_key(title):
            errors[title] = "A title is needed."
    if errors:
        raise ValidationError(errors)
    platforms = {p.lower(): p for p in Platform.objects.values_list("name", flat=True)}
    stored = dict(people_import.overrides or {})
    for title, choice in overrides.items():
        platform = (choice.get("platform") or "").strip()
        platform = platforms.get(platform.lower(), platform)
        stored[title] = {"role": choice.get("role") or "", "platform": platform}
        if remember_rules:
            remember(title, choice.get("role") or None, platform or None, user)
    people_import.overrides = stored
    people_import.save(update_fields=["overrides"])
    return people_import


@transaction.atomic
def start_preview(people_import: PeopleImport) -> PeopleImport:
    """Queue the dry run (the worker writes progress, then the plan or the problems)."""
    from .tasks import preview_people_import

    locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    _check_changeable(locked)
    if problems := mapping_problems(locked.headers, locked.mapping):
        raise HrMappingError(problems)
    PeopleImport.objects.filter(pk=locked.pk).update(
        status=ImportStatus.PREVIEWING, done=0, total=0, plan={}, problems=[], started_at=None, finished_at=None
    )
    preview_people_import.delay_on_commit(locked.pk)
    people_import.refresh_from_db()
    return people_import


@transaction.atomic
def start_apply(people_import: PeopleImport, *, target: str, scenario_name: str, user: User) -> PeopleImport:
    """Queue the apply of a previewed import into a new scenario called `scenario_name`, or as a sync of the
    live chart. Refusals are keyed by field ("target", "scenario_name") and change nothing."""
    from .tasks import apply_people_import

    locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    _check_changeable(locked)
    errors: dict[str, str] = {}
    if locked.status != ImportStatus.PREVIEWED:
        errors["target"] = "Preview the import first: apply what you have seen."
    if locked.problems:
        errors["target"] = "The file has problems: fix them and upload it again."
    if target not in ImportTarget.values:
        errors["target"] = "Choose a new scenario or a sync of the live chart."
    elif target == ImportTarget.SCENARIO and (problem := scenario_name_problem(scenario_name)):
        errors["scenario_name"] = problem
    if errors:
        raise ValidationError(errors)
    PeopleImport.objects.filter(pk=locked.pk).update(
        status=ImportStatus.APPLYING,
        target=target,
        scenario_name=scenario_name.strip() if target == ImportTarget.SCENARIO else "",
        applied_by=user,
        done=0,
        total=0,
        started_at=None,
        finished_at=None,
    )
    apply_people_import.delay_on_commit(locked.pk)
    people_import.refresh_from_db()
    return people_import


# --- What the tasks run ----------------------------------------------------------------
def _claim(pk: int, status: str) -> PeopleImport | None:
    now = timezone.now()
    claimable = Q(status=status) & (Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_AFTER))
    if not PeopleImport.objects.filter(pk=pk).filter(claimable).update(started_at=now):
        return None
    return PeopleImport.objects.select_related("created_by", "applied_by").get(pk=pk)


def _reporter(pk: int) -> Any:
    def report(done: int, total: int) -> None:
        PeopleImport.objects.filter(pk=pk).update(done=min(done, total), total=total)

    return every_5_percent(report)


def people_import_preview(import_id: int) -> None:
    """The dry run: the plan, or every problem of the file. Writes only the import's own row."""
    people_import = _claim(import_id, ImportStatus.PREVIEWING)
    if people_import is None:
        return
    outcome: dict[str, Any] = {"status": ImportStatus.FAILED}
    try:
        plan = build_plan(people_import, progress=_reporter(import_id))
        outcome = {
            "status": ImportStatus.FAILED if plan.problems else ImportStatus.PREVIEWED,
            "plan": plan.to_json(),
            "problems": plan.problems,
        }
    except HrFileError as exc:
        outcome["problems"] = [p.to_json() for p in exc.problems]
    except OperationalError:
        outcome = {"status": ImportStatus.PREVIEWING, "started_at": None}  # the task retries it
        raise
    finally:
        PeopleImport.objects.filter(pk=import_id).update(finished_at=timezone.now(), **outcome)


def people_import_apply(import_id: int) -> None:
    """Apply, all or nothing: on any refusal nothing is written and the import lists why."""
    people_import = _claim(import_id, ImportStatus.APPLYING)
    if people_import is None:
        return
    outcome: dict[str, Any] = {"status": ImportStatus.FAILED}
    report = _reporter(import_id)
    try:
        rows, problems = people_import_rows(people_import)
        if problems:
            raise ApplyRefused(problems)
        by = people_import.applied_by or people_import.created_by
        who = by.get_full_name() or by.get_username()
        chart, plan = apply_rows(
            rows,
            target=people_import.target,
            scenario_name=people_import.scenario_name,
            overrides=people_import.overrides or {},
            by=by,
            reason=f"Imported from {people_import.filename} by {who}",
            progress=report,
        )
        # What was written, for the target chosen at apply (the page then shows this, not the preview's plan).
        outcome = {"status": ImportStatus.APPLIED, "chart": chart, "plan": plan.to_json(), "problems": []}
    except (ApplyRefused, HrFileError) as exc:
        outcome["problems"] = [p.to_json() for p in exc.problems]
    except ValidationError as exc:
        outcome["problems"] = [{"row": 0, "column": "", "message": m} for m in exc.messages]
    except OperationalError:
        outcome = {"status": ImportStatus.APPLYING, "started_at": None}
        raise
    except DatabaseError:
        outcome["problems"] = [
            {"row": 0, "column": "", "message": "the data changed while the file was applied: try again"}
        ]
        raise
    finally:
        PeopleImport.objects.filter(pk=import_id).update(finished_at=timezone.now(), **outcome)
