"""The org chart editor. Reads need roles.view_chart; edits are the Leaders' (roles.change_position).

htmx requests get the piece of the page that changed (`#workspace` or `#editor`); the same URLs
without htmx render the whole page or redirect, so every action also works without JavaScript."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import apply_service, editor_response, saved_response
from core.ids import is_id
from core.imports import csv_import_page
from core.views import PageRequest, read_only

from .choices import ChartStatus
from .compare import chart_compare
from .cost import chart_cost
from .csv_io import chart_export_csv, chart_import_csv
from .forms import ChartImportForm, CompareForm, PositionForm, ScenarioForm
from .history import position_history
from .models import Chart, Position
from .rules import chart_facts, findings_from
from .selectors import (
    chart_adoption_impact,
    chart_list,
    chart_live,
    chart_positions,
    chart_tree,
    people_planned,
    person_list,
)
from .services import (
    PositionData,
    chart_adopt,
    chart_clone,
    chart_delete,
    position_assign_person,
    position_delete,
    position_save,
)
from .svg import chart_svg


def _workspace(request: PageRequest, chart_id: int) -> dict[str, Any]:
    """Everything the chart page shows, in a fixed number of queries whatever the chart's size."""
    positions = chart_positions(chart_id)
    chart = positions[0].chart if positions else get_object_or_404(Chart, pk=chart_id)
    facts = chart_facts(chart, positions)
    return {
        "chart": chart,
        "tree": chart_tree(positions=positions),
        "findings": findings_from(facts),
        "unplaced": facts.unplaced,
        "cost": chart_cost(positions),
        "can_edit": chart.is_editable and request.user.has_perm("roles.change_position"),
    }


def _chart_page(
    request: PageRequest, chart_id: int, editor: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = _workspace(request, chart_id) | {"editor": editor}
    return render(request, "roles/chart_detail.html", context, status=status)


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def live_chart(request: PageRequest) -> HttpResponse:
    chart = chart_live()
    if chart is None:
        return redirect("roles:chart-list")
    return _chart_page(request, chart.pk)


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_detail(request: PageRequest, pk: int) -> HttpResponse:
    return _chart_page(request, pk)


def _editor_response(request: PageRequest, chart: Chart, editor: dict[str, Any], status: int = 200) -> HttpResponse:
    return editor_response(
        request,
        "roles/chart_detail.html",
        {"editor": editor, "chart": chart},
        full_page=lambda: _chart_page(request, chart.pk, editor=editor, status=status),
    )


def _saved(request: PageRequest, chart: Chart, message: str) -> HttpResponse:
    """After an edit: the refreshed workspace (tree, findings, cost) and a closed editor."""
    return saved_response(
        request,
        "roles/chart_detail.html",
        lambda: _workspace(request, chart.pk),
        message,
        reverse("roles:chart-detail", args=[chart.pk]),
    )


def _apply(form: PositionForm, save: Callable[[PositionData], object]) -> bool:
    return apply_service(form, lambda form: save(form.position_data()))


@require_http_methods(["GET", "POST"])
@permission_required("roles.change_position", raise_exception=True)
def position_create(request: PageRequest, chart_pk: int) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=chart_pk)
    under_id = request.GET.get("under", "")
    under = Position.objects.filter(chart=chart, pk=under_id).first() if is_id(under_id) else None
    initial = {
        "reports_to": under,
        "team": under.team if under else None,
        "person": request.GET.get("person") if is_id(request.GET.get("person")) else None,
    }
    form = PositionForm(request.POST if request.method == "POST" else None, initial=initial, chart=chart)
    if request.method == "POST" and _apply(form, lambda data: position_save(chart=chart, data=data)):
        return _saved(request, chart, f"Added “{form.cleaned_data['title']}”.")
    heading = f"New position under {under.title}" if under else "New position"
    return _editor_response(request, chart, {"form": form, "heading": heading, "action": request.get_full_path()})


@require_http_methods(["GET", "POST"])
@permission_required("roles.change_position", raise_exception=True)
def position_edit(request: PageRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position.objects.select_related("chart"), pk=pk)
    chart = position.chart
    form = PositionForm(
        request.POST if request.method == "POST" else None,
        initial=PositionForm.initial_for(position),
        chart=chart,
        position=position,
    )
    if request.method == "POST" and _apply(form, lambda data: position_save(chart=chart, data=data, position=position)):
        return _saved(request, chart, f"Saved “{position.title}”.")
    editor = {"form": form, "heading": f"Edit {position.title}", "action": request.path, "position": position}
    return _editor_response(request, chart, editor)


@require_POST
@permission_required("roles.change_position", raise_exception=True)
def position_remove(request: PageRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position.objects.select_related("chart"), pk=pk)
    try:
        position_delete(position=position)
    except ValidationError as exc:
        form = PositionForm(initial=PositionForm.initial_for(position), chart=position.chart, position=position)
        editor = {
            "form": form,
            "heading": f"Edit {position.title}",
            "position": position,
            "action": reverse("roles:position-edit", args=[pk]),
            "error": " ".join(exc.messages),
        }
        return _editor_response(request, position.chart, editor, status=409)
    return _saved(request, position.chart, f"Removed “{position.title}”.")


@require_POST
@permission_required("roles.change_position", raise_exception=True)
def position_vacate(request: PageRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position.objects.select_related("chart", "person"), pk=pk)
    holder = position.person
    try:
        position_assign_person(position=position, person=None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roles:chart-detail", position.chart_id)
    return _saved(request, position.chart, f"“{position.title}” is now a vacancy ({holder} is unplaced in this chart).")


@read_only
@require_GET
@permission_required("roles.view_position", raise_exception=True)
def position_history_page(request: PageRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position.objects.select_related("chart", "person"), pk=pk)
    return render(request, "roles/position_history.html", {"position": position, "entries": position_history(position)})


@require_POST
@permission_required("roles.add_chart", raise_exception=True)
def chart_clone_view(request: PageRequest, pk: int) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=pk)
    form = ScenarioForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["name"])  # type: ignore[arg-type]  # an ErrorList is a list
        scenario = chart_clone(chart=chart, name=form.cleaned_data["name"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roles:chart-detail", chart.pk)
    messages.success(request, f"Scenario “{scenario.name}” created from {chart.name}. Edit it freely.")
    return redirect("roles:chart-detail", scenario.pk)


@require_http_methods(["GET", "POST"])
def chart_adopt_view(request: PageRequest, pk: int) -> HttpResponse:
    """One address: GET shows what adopting the scenario would change, POST (from that page) adopts it."""
    return (chart_adopt_confirm if request.method == "POST" else chart_adopt_preview)(request, pk)


@permission_required("roles.view_chart", raise_exception=True)
def chart_adopt_preview(request: PageRequest, pk: int) -> HttpResponse:
    """docs/design.md: "Adoption shows its accountability impact first": the Test before and after, the owners
    who would lose their seat, what would fail and what would newly pass, and the planned hires who join."""
    chart = get_object_or_404(Chart, pk=pk)
    if chart.status != ChartStatus.SCENARIO:
        messages.error(request, f"Only a scenario can be adopted; {chart.name} is {chart.get_status_display()}.")
        return redirect("roles:chart-detail", chart.pk)
    context = {
        "chart": chart,
        "live": chart_live(),
        "impact": chart_adoption_impact(chart),
        "planned": list(people_planned(chart)),
        "can_adopt": request.user.has_perm("roles.change_chart"),
    }
    return render(request, "roles/chart_adopt.html", context)


@permission_required("roles.change_chart", raise_exception=True)
def chart_adopt_confirm(request: PageRequest, pk: int) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=pk)
    try:
        chart_adopt(chart=chart, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{chart.name} is now the live chart; the previous one is kept as history.")
    return redirect("roles:chart-detail", chart.pk)


@require_POST
@permission_required("roles.delete_chart", raise_exception=True)
def chart_delete_view(request: PageRequest, pk: int) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=pk)
    try:
        chart_delete(chart=chart)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roles:chart-detail", chart.pk)
    messages.success(request, f"Deleted the scenario “{chart.name}”.")
    return redirect("roles:chart-list")


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_index(request: PageRequest) -> HttpResponse:
    return render(request, "roles/chart_list.html", {"charts": chart_list(), "live": chart_live()})


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_compare_view(request: PageRequest) -> HttpResponse:
    if "a" in request.GET and "b" in request.GET:
        form = CompareForm(request.GET)
    else:  # "Compare with another chart…" names only the first chart: let the user pick the second
        form = CompareForm(initial={"a": request.GET.get("a")})
    comparison = (
        chart_compare(form.cleaned_data["a"], form.cleaned_data["b"]) if form.is_bound and form.is_valid() else None
    )
    return render(request, "roles/chart_compare.html", {"form": form, "comparison": comparison})


@require_http_methods(["GET", "POST"])
@permission_required("roles.add_chart", raise_exception=True)
def chart_import_view(request: PageRequest) -> HttpResponse:
    def run(data: dict[str, Any]) -> HttpResponse:
        chart = chart_import_csv(text=data["file"], scenario=data["name"], by=request.user)
        messages.success(request, f"Imported {chart.positions.count()} positions into “{chart.name}”.")
        return redirect("roles:chart-detail", chart.pk)

    return csv_import_page(request, form_class=ChartImportForm, template="roles/chart_import.html", run=run)


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_export(request: PageRequest, pk: int, fmt: str) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=pk)
    filename = f"{chart.name}.{fmt}".replace('"', "")
    if fmt == "csv":
        response = HttpResponse(chart_export_csv(chart), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(chart_svg(chart_tree(chart), chart.name), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_print(request: PageRequest, pk: int) -> HttpResponse:
    return render(request, "roles/chart_print.html", _workspace(request, pk) | {"can_edit": False})


@read_only
@require_GET
@permission_required("roles.view_person", raise_exception=True)
def people(request: PageRequest) -> HttpResponse:
    return render(request, "roles/person_list.html", {"people": person_list()})
