"""CSV imports, the ground they share: the error that lists every bad row, the upload check, and the
page both importers use (a form with the file, then the import or every bad row)."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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


def read_csv_rows(text: str, columns: list[str]) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's records as (line number, {column: stripped value}), skipping blank lines.

    The line number is where the record ends in the file (the header is line 1), so it stays right
    after blank lines and for quoted values that span lines. Shared by both CSV importers."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in columns if c not in header]
        if missing:
            return [], [RowError(1, f"the header is missing the column(s) {', '.join(missing)}")]
        reader.fieldnames = header
        rows = []
        for record in reader:
            values = {c: (record.get(c) or "").strip() for c in columns}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        return [], [RowError(reader.line_num + 1, f"the file is not valid CSV: {exc}")]
    if not rows:
        return [], [RowError(2, "the file has no rows")]
    return rows, []


def too_long(values: dict[str, str], limits: dict[str, int]) -> list[str]:
    return [
        f"{column} is longer than {limit} characters" for column, limit in limits.items() if len(values[column]) > limit
    ]


def csv_text(upload: UploadedFile, *, max_mb: int) -> str:
    """An uploaded CSV file as text, or a form error saying why not (too large, not UTF-8)."""
    if (upload.size or 0) > max_mb * 1024 * 1024:  # None only for a file built by hand
        raise forms.ValidationError(f"The file is larger than {max_mb} MB.")
    try:
        content: bytes = upload.read()
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise forms.ValidationError("The file is not UTF-8 text; save it as CSV (UTF-8).") from exc


def csv_import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    template: str,
    run: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """`run(cleaned_data)` imports and returns the response to send (a redirect); a CsvImportError
    re-renders the page with every bad row, status 422."""
    form = form_class(*((request.POST, request.FILES) if request.method == "POST" else (None,)))
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        try:
            return run(form.cleaned_data)
        except CsvImportError as exc:
            errors = exc.errors
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, "errors": errors}, status=status)
