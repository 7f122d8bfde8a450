"""CSV imports and exports, the ground they share: the error that lists every bad row, the cell rules
(no spreadsheet formula leaves in an export, no NUL or control character comes in), the upload check,
and the background job both importers run in.

An upload is stored as an `ImportJob` and the request answers at once with the job's page; the worker
(`core.tasks.run_import`) runs the importer that roles or workflows registered for the job's kind
(`register_importer`, from their `AppConfig.ready()`: core imports no app), all or nothing, writing its
progress on the job as it goes. The page polls the job with htmx until it is finished."""

import csv
import datetime
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from django import forms
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, OperationalError, connection, models, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.models import ImportJob, ImportKind, ImportStatus
from core.validators import text_problem


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file; the header is row 1
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


class CsvImportError(Exception):
    """A file with bad rows: every one of them, and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


# --- Cells ------------------------------------------------------------------
# What text_problem may object to (control characters, line breaks, surrogates): most cells have none,
# and one search is cheaper than its character-by-character look.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_START)


def csv_cell(value: object) -> str:
    """A value as an exported cell a spreadsheet shows as text: one that would start a formula gets a
    leading `'` (so does one that already starts with `'` before such a character, so that reading it
    back, `csv_value`, always gives the original)."""
    text = "" if value is None else str(value)
    return f"'{text}" if _looks_like_formula(text) else text


def csv_value(cell: str) -> str:
    """The value an exported cell stands for: `csv_cell` undone (one `'` before a formula's start)."""
    return cell[1:] if cell.startswith("'") and _looks_like_formula(cell) else cell


def csv_writer(out: io.StringIO) -> Callable[[list[object]], None]:
    """`writerow` for an export: each cell through `csv_cell`."""
    writer = csv.writer(out, lineterminator="\n")
    return lambda row: writer.writerow([csv_cell(value) for value in row])


def read_csv_rows(text: str, columns: list[str]) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's records as (line number, {column: stripped value}), skipping blank lines, and the
    errors found on the way: a missing column or no rows (then no records), a cell holding a NUL or
    another control character (its row and column; the records are still returned, so the importer
    lists every other problem too).

    The line number is where the record ends in the file (the header is line 1), so it stays right
    after blank lines and for quoted values that span lines. Shared by both CSV importers."""
    reader = csv.DictReader(io.StringIO(text))
    errors: list[RowError] = []
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in columns if c not in header]
        if missing:
            return [], [RowError(1, f"the header is missing the column(s) {', '.join(missing)}")]
        reader.fieldnames = header
        rows = []
        for record in reader:
            values = {c: csv_value((record.get(c) or "").strip()) for c in columns}
            if any(values.values()):
                rows.append((reader.line_num, values))
                errors += [
                    RowError(reader.line_num, f"{column} {problem}")
                    for column, value in values.items()
                    if _SUSPECT.search(value) and (problem := text_problem(value, multiline=True))
                ]
    except csv.Error as exc:
        return [], [RowError(reader.line_num + 1, f"the file is not valid CSV: {exc}")]
    if not rows:
        return [], [RowError(2, "the file has no rows")]
    return rows, errors


def too_long(values: Mapping[str, str], limits: dict[str, int]) -> list[str]:
    return [
        f"{column} is longer than {limit} characters" for column, limit in limits.items() if len(values[column]) > limit
    ]


def one_line(values: Mapping[str, str], columns: list[str]) -> list[str]:
    """Names must be on one line (core.validators.text_problem's rules). A NUL or another control
    character is reported by read_csv_rows already, for any column."""
    return [
        f"{column} {problem}"
        for column in columns
        if _SUSPECT.search(values[column])
        and (problem := text_problem(values[column]))
        and not text_problem(values[column], multiline=True)
    ]


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """`count` new ids from the table's sequence, in one query, so that rows written in bulk can point
    at each other (a seat at its manager) in the same INSERT. None where there is no sequence."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def bulk_update_rows(model: type[models.Model], objs: list[Any], fields: list[str]) -> None:
    """Update `fields` of many rows in one query (PostgreSQL: from arrays, linear in the rows; Django's
    bulk_update builds a CASE with a branch per row, quadratic for large imports)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields)  # type: ignore[attr-defined]
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    assert pk is not None
    sets = ", ".join(f'"{c.column}" = v."{c.column}"' for c in columns)  # type: ignore[union-attr]
    arrays = ", ".join(
        f'unnest(%s::{c.db_type(connection)}[]) AS "{c.column}"'  # type: ignore[union-attr]
        for c in [pk, *columns]
    )
    params = [[pk.get_db_prep_value(o.pk, connection) for o in objs]] + [
        [c.get_db_prep_value(getattr(o, c.attname), connection) for o in objs]  # type: ignore[union-attr]
        for c in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{meta.db_table}" SET {sets} FROM (SELECT {arrays}) AS v '
            f'WHERE "{meta.db_table}"."{pk.column}" = v."{pk.column}"',
            params,
        )


def csv_text(upload: UploadedFile, *, max_mb: int) -> str:
    """An uploaded CSV file as text, or a form error saying why not (too large, not UTF-8)."""
    if (upload.size or 0) > max_mb * 1024 * 1024:  # None only for a file built by hand
        raise forms.ValidationError(f"The file is larger than {max_mb} MB.")
    try:
        content: bytes = upload.read()
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise forms.ValidationError("The file is not UTF-8 text; save it as CSV (UTF-8).") from exc


# --- Progress ---------------------------------------------------------------
Progress = Callable[[int, int], None]  # (rows checked, rows in the file)


def no_progress(done: int, total: int) -> None:
    """The default: nobody is watching."""


def every_5_percent(report: Progress) -> Progress:
    """`report`, called only when the figure moves by 5% (and at the end): at most 21 calls for any
    size of file, so reporting progress costs a fixed number of queries."""
    last = -1

    def progress(done: int, total: int) -> None:
        nonlocal last
        step = 20 * done // total if total else 20
        if step != last:
            last = step
            report(done, total)

    return progress


def progress_printer(write: Callable[[str], None], *, tty: bool) -> Progress:
    """Progress for a command: a counter rewritten in place on a terminal, else a line every 5%."""

    def report(done: int, total: int) -> None:
        line = f"Checked {done:,} of {total:,} rows ({100 * done // total if total else 100}%)"
        if tty:
            write(f"\r{line}" + ("\n" if done >= total else ""))
        else:
            write(f"{line}\n")

    return every_5_percent(report)


# --- The importers' registry ------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    """What a finished import says: a sentence, some lines, a link to what it made."""

    message: str
    lines: list[str] = field(default_factory=list)
    link: str = ""
    link_text: str = ""


class Importer(Protocol):
    def __call__(self, *, text: str, params: dict[str, str], by: User | None, progress: Progress) -> ImportResult:
        """Validate and apply `text`, all or nothing; raise CsvImportError naming every bad row."""
        ...


_IMPORTERS: dict[str, Importer] = {}


def register_importer(kind: ImportKind, importer: Importer) -> None:
    """roles and workflows say, from their AppConfig.ready(), which function imports their kind."""
    _IMPORTERS[kind] = importer


# --- Services and selector --------------------------------------------------
# A job a worker started this long ago and never finished was lost with its worker (its transaction
# rolled back): a redelivered task may run it again.
STALE_AFTER = datetime.timedelta(minutes=30)


@transaction.atomic
def import_job_start(*, kind: ImportKind, text: str, params: dict[str, str], by: User) -> ImportJob:
    """Store an upload and queue it for the worker once the request's transaction commits."""
    from core.tasks import run_import  # the task module imports this one

    job = ImportJob.objects.create(kind=kind, content=text.encode("utf-8"), params=params, created_by=by)
    run_import.delay_on_commit(job.pk)
    return job


def import_job_run(*, job_id: int) -> None:
    """Run a queued job: the importer checks every row (progress on the job as it goes), then writes
    everything in one transaction, or nothing and every bad row on the job. Safe to run twice: only
    a queued job (or one whose worker was lost) is claimed."""
    now = timezone.now()
    claimable = Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    jobs = ImportJob.objects.filter(pk=job_id)
    if not jobs.filter(claimable).update(status=ImportStatus.RUNNING, started_at=now, done=0, total=0):
        return
    job = jobs.select_related("created_by").get()

    def report(done: int, total: int) -> None:
        jobs.update(done=min(done, total), total=total)

    outcome: dict[str, Any] = {"status": ImportStatus.FAILED}
    try:
        result = _IMPORTERS[job.kind](
            text=bytes(job.content).decode("utf-8"),
            params=job.params,
            by=job.created_by,
            progress=every_5_percent(report),
        )
        outcome = {"status": ImportStatus.DONE, "result": asdict(result)}
    except CsvImportError as exc:
        outcome["errors"] = [{"row": e.row, "reason": e.reason} for e in exc.errors]
    except OperationalError:
        outcome = {"status": ImportStatus.QUEUED, "started_at": None}  # the task retries it
        raise
    except DatabaseError:
        # Something changed under the import (someone took an e-mail or a name it checked): nothing
        # was written; the file itself may be fine.
        outcome["errors"] = [{"row": 0, "reason": "the data changed while the file was imported: try again"}]
        raise
    finally:
        jobs.update(finished_at=timezone.now(), **outcome)


def import_job_get(*, pk: int, user: User) -> ImportJob:
    """The job, for the user who started it (or staff); anyone else is told it does not exist."""
    job = ImportJob.objects.filter(pk=pk).defer("content").first()
    if job is None or not (job.created_by_id == user.pk or user.is_staff):
        raise Http404("No such import.")
    return job


# --- The upload page --------------------------------------------------------
def csv_import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    template: str,
    kind: ImportKind,
    params: Callable[[dict[str, Any]], dict[str, str]] = lambda data: {},
) -> HttpResponse:
    """The form with the file; a valid upload becomes a job and the answer is its page (at once: the
    worker imports it). An invalid form re-renders with its errors, status 422."""
    form = form_class(*((request.POST, request.FILES) if request.method == "POST" else (None,)))
    if request.method == "POST" and form.is_valid():
        user: User = request.user  # type: ignore[assignment]  # every page needs a login
        job = import_job_start(kind=kind, text=form.cleaned_data["file"], params=params(form.cleaned_data), by=user)
        return redirect("core:import-job", job.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form}, status=status)
