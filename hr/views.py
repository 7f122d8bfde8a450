"""The people import, page by page: upload → mapping → roles → preview (a background task) → apply
(another) → the result; and the people exports. Only Leaders (and superusers) import: the import adds
people, seats and a chart, so it needs the permissions those edits need."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.downloads import attachment
from core.htmx import FormT, apply_service
from core.views import PageRequest, read_only
from roles.models import Chart
from roles.selectors import chart_live

from . import export
from .choices import ImportStatus
from .formats import FORMATS, HrFileError, Problem, Table, read_table
from .forms import ApplyForm, MappingForm, RolesForm, UploadForm
from .models import PeopleImport
from .plan import Plan
from .services import (
    HrMappingError,
    people_import_create,
    people_import_get,
    people_import_set_mapping,
    people_import_set_roles,
    people_import_titles,
    start_apply,
    start_preview,
    visible_imports,
)

IMPORT_PERMISSIONS = ("roles.add_person", "roles.change_person", "roles.add_chart", "roles.change_position")
RECENT = 10  # imports listed on the upload page
SAMPLE_ROWS = 5  # the file's rows shown under the mapping
LINES_SHOWN = 200  # a category of the preview lists this many lines, then says how many more
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def people_import_upload(request: PageRequest) -> HttpResponse:
    """The file and the system it came from; a bad file is refused with every problem, and nothing is kept."""
    form = UploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # its size and content are the service's to check
        try:
            people_import = people_import_create(
                content=upload.read(),
                filename=upload.name or "",
                fmt=form.cleaned_data["fmt"],
                user=request.user,
            )
        except HrFileError as exc:
            problems = exc.problems
        else:
            return redirect("hr:people-import-mapping", people_import.pk)
    context = {"form": form, "problems": problems, "imports": visible_imports(request.user)[:RECENT]}
    return render(request, "hr/upload.html", context, status=422 if request.method == "POST" else 200)


def _step(request: PageRequest, pk: int) -> PeopleImport:
    return people_import_get(pk, request.user)


def _settled(people_import: PeopleImport) -> bool:
    """Applied, or a task works on it: its mapping and roles are not offered for change (the services
    refuse a forged POST), its own page says why."""
    stage = _stage(people_import)
    return stage["applied"] or stage["busy"]


def _mapped(form: FormT, save: Callable[[FormT], object]) -> bool:
    """apply_service, with the mapping's problems (each naming its field) beside their fields."""
    try:
        return apply_service(form, save)
    except HrMappingError as exc:
        for problem in exc.problems:
            form.add_error(problem.column if problem.column in form.fields else None, problem.message)
        return False


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def people_import_mapping(request: PageRequest, pk: int) -> HttpResponse:
    """Which column holds each field: the proposal preselected, the file's first rows shown as a sample."""
    people_import = _step(request, pk)
    if request.method == "GET" and _settled(people_import):
        return redirect("hr:people-import-detail", people_import.pk)
    form = MappingForm(request.POST or None, headers=people_import.headers, initial=people_import.mapping)
    if request.method == "POST" and _mapped(
        form,
        lambda f: people_import_set_mapping(people_import, f.mapping(), request.user),
    ):
        return redirect("hr:people-import-roles", people_import.pk)
    table = read_table(bytes(people_import.content), people_import.filename)
    context = {
        "people_import": people_import,
        "form": form,
        "format_name": FORMATS.get(people_import.fmt, people_import.fmt),
        "sample": Table(headers=table.headers, rows=table.rows[:SAMPLE_ROWS]),
    }
    return render(request, "hr/mapping.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def people_import_roles(request: PageRequest, pk: int) -> HttpResponse:
    """One row per distinct job title: the role it means, as proposed or corrected; then the preview starts."""
    people_import = _step(request, pk)
    if request.method == "GET" and _settled(people_import):
        return redirect("hr:people-import-detail", people_import.pk)
    try:
        titles = people_import_titles(people_import)
    except HrMappingError as exc:  # rows the mapping cannot read: corrected on the mapping page
        context = {"people_import": people_import, "problems": exc.problems}
        return render(request, "hr/roles.html", context, status=422)
    form = RolesForm(request.POST or None, titles=titles)

    def save(form: RolesForm) -> None:
        with transaction.atomic():  # a refused preview keeps neither the corrections nor the rules
            remember = form.cleaned_data["remember"]
            people_import_set_roles(people_import, form.corrections(), remember_rules=remember, user=request.user)
            start_preview(people_import)

    if request.method == "POST" and _mapped(form, save):
        return redirect("hr:people-import-detail", people_import.pk)
    context = {"people_import": people_import, "form": form}
    return render(request, "hr/roles.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def people_import_detail(request: PageRequest, pk: int) -> HttpResponse:
    """Progress while a task works (htmx polls the status); then the preview and where to apply it (POST);
    once applied, the chart and its comparison with the live chart."""
    people_import = _step(request, pk)
    form = ApplyForm(request.POST or None, initial={"scenario_name": people_import.scenario_name})
    if request.method == "POST" and apply_service(
        form,
        lambda f: start_apply(
            people_import,
            target=f.cleaned_data["target"],
            scenario_name=f.cleaned_data["scenario_name"],
            user=request.user,
        ),
    ):
        return redirect("hr:people-import-detail", people_import.pk)
    plan = Plan.from_json(people_import.plan)
    context = {
        "people_import": people_import,
        "form": form,
        "stage": _stage(people_import),
        "plan": plan,
        "sections": _sections(plan),
    }
    template = "hr/detail.html#import-status" if request.htmx else "hr/detail.html"
    return render(request, template, context, status=422 if form.errors else 200)


def _stage(people_import: PeopleImport) -> dict[str, bool]:
    """Which part of the page shows: progress, the problems, the result, the preview (or the way to it)."""
    status = people_import.status
    return {
        "busy": people_import.is_busy,
        "failed": status == ImportStatus.FAILED,
        "applied": status == ImportStatus.APPLIED,
        "previewed": status == ImportStatus.PREVIEWED,
    }


def _sections(plan: Plan) -> list[dict[str, Any]]:
    """The preview's categories, each with its count and its first LINES_SHOWN lines; a leaver's line
    lists what they hold."""
    sections = []
    for key, label, count in plan.counts():
        items = getattr(plan, key)[:LINES_SHOWN]
        lines = [_leaver_line(item) if key == "leavers" else item for item in items]
        more = max(count - LINES_SHOWN, 0)
        sections.append(
            {"key": key, "label": label, "count": count, "lines": lines, "more": more, "leavers": key == "leavers"}
        )
    return sections


def _leaver_line(item: dict[str, Any]) -> dict[str, Any]:
    """A leaver, a link to their page (where their work is handed on) and what they hold. What becomes of
    them depends on where the import is applied, which the page says once for all of them."""
    return {
        "text": f"{item['name']} <{item['email']}>",
        "person_id": item.get("person_id"),
        "holds": item.get("holds", []),
    }


@read_only
@require_GET
@permission_required("roles.view_person", raise_exception=True)
def people_export(request: PageRequest, fmt: str) -> HttpResponse:
    """Everyone seated in the live chart, in the shape the import reads."""
    chart = chart_live()
    if chart is None:
        return redirect("roles:person-list")
    return _people_file(chart, "People", fmt)


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_people_export(request: PageRequest, pk: int, fmt: str) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=pk)
    return _people_file(chart, f"{chart.name} people", fmt)


def _people_file(chart: Chart, name: str, fmt: str) -> HttpResponse:
    headers, rows = export.people_table(chart)
    content = export.as_csv(headers, rows) if fmt == "csv" else export.as_xlsx(headers, rows)
    return attachment(content, filename=f"{name}.{fmt}", content_type=CONTENT_TYPES[fmt])
