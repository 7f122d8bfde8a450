"""The org chart editor. Reads need roles.view_chart; edits are the Leaders' (roles.change_position).

htmx requests get the piece of the page that changed (`#workspace` or `#editor`); the same URLs
without htmx render the whole page or redirect, so every action also works without JavaScript."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.downloads import attachment
from core.htmx import apply_service, editor_response, saved_response
from core.ids import is_id
from core.imports import csv_import_page
from core.models import ImportKind
from core.views import PageRequest, read_only

from .choices import ChartStatus
from .compare import chart_compare, compare_pair
from .csv_io import chart_export_csv
from .findings_version import findings_version
from .forms import ChartImportForm, CompareForm, PersonForm, PositionForm, ScenarioForm
from .history import position_history
from .models import Chart, Person, Position
from .rules import chart_reading
from .selectors import (
    branch_reports,
    chart_adoption_impact,
    chart_graph,
    chart_list,
    chart_live,
    chart_positions,
    chart_tree,
    collector_paused,
    people_planned,
    person_list,
    position_move_targets,
    position_search,
)
from .services import (
    PositionData,
    chart_adopt,
    chart_clone,
    chart_delete,
    person_save,
    position_assign_person,
    position_delete,
    position_move,
    position_save,
)
from .svg import chart_svg
from .templatetags.orgchart import chart_seats

FINDINGS_SHOWN = 30


def _opened(request: PageRequest) -> set[int] | None:
    """The seats whose reports the user has open in the graphical chart (orgchart.js sends them with
    every htmx request that redraws the workspace, so a save keeps the chart as it was)."""
    header = request.headers.get("X-Chart-Open")
    return None if header is None else {int(pk) for pk in header.split(",")[:5000] if is_id(pk)}


def _outline(request: PageRequest) -> bool:
    """The outline (an indented list) instead of the graphical chart: `?view=outline`, also on the page
    an htmx save came from."""
    query = request.GET if not request.htmx else QueryDict(urlsplit(request.htmx.current_url or "").query)
    return query.get("view") == "outline"


def _workspace(
    request: PageRequest, chart_id: int, reveal: int | None = None, outline: bool | None = None, printed: bool = False
) -> dict[str, Any]:
    """Everything the chart page shows, in a fixed number of queries whatever the chart's size: the
    whole chart is read for its findings and cost, and the top levels (or the branches the user had
    open) are drawn; deeper branches load as they are opened (`position_branch`)."""
    chart = get_object_or_404(Chart.objects.annotate(findings_version=findings_version()), pk=chart_id)
    positions = chart_positions(chart)
    reading = chart_reading(chart, positions)  # kept between requests while nothing it reads changes
    findings = reading.findings
    outline = _outline(request) if outline is None else outline
    return {
        "chart": chart,
        "outline": outline,
        "seat_count": len(positions),
        "top": next((position for position in positions if position.reports_to_id is None), None),
        "tree": chart_tree(positions=positions) if outline else [],
        "seats": [] if outline else chart_graph(positions, expanded=_opened(request), reveal=reveal),
        # For orgchart.js: each seat a finding involves, with the findings' rules and the path from the top
        # (so "Involves: …" can open the branches down to a seat not drawn yet).
        "seat_findings": reading.involved,
        # Most severe first; a chart with hundreds lists the first FINDINGS_SHOWN unless all are asked for.
        "findings": findings if printed or request.GET.get("findings") == "all" else findings[:FINDINGS_SHOWN],
        "finding_count": len(findings),
        "unplaced": reading.unplaced,
        "cost": reading.cost,
        "can_edit": chart.is_editable and request.user.has_perm("roles.change_position"),
    }


def _chart_page(
    request: PageRequest, chart_id: int, editor: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    # The cycle collector waits until the page is written and its thousands of seats freed: run in the
    # middle, each pass walked them all (a fifth of the page's time on 2,000 seats; bench/chart.py).
    with collector_paused():
        return _chart_page_written(request, chart_id, editor, status)


def _chart_page_written(
    request: PageRequest, chart_id: int, editor: dict[str, Any] | None, status: int
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


def _saved(request: PageRequest, chart: Chart, message: str, reveal: int | None = None) -> HttpResponse:
    """After an edit: the refreshed workspace (chart, findings, cost) with `reveal` in view, a closed
    editor, and the message in the chart's status line."""
    return saved_response(
        request,
        "roles/chart_detail.html",
        lambda: _workspace(request, chart.pk, reveal=reveal),
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
    added: list[Position] = []
    if request.method == "POST" and _apply(form, lambda data: added.append(position_save(chart=chart, data=data))):
        return _saved(request, chart, f"Added “{form.cleaned_data['title']}”.", reveal=added[0].pk)
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
        return _saved(request, chart, f"Saved “{position.title}”.", reveal=position.pk)
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
    return _saved(
        request,
        position.chart,
        f"“{position.title}” is now a vacancy ({holder} is unplaced in this chart).",
        reveal=position.pk,
    )


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def position_branch(request: PageRequest, pk: int) -> HttpResponse:
    """A seat's reports, drawn as the graphical chart opens its branch (htmx GET)."""
    with collector_paused():  # as for the page: the collector waits until the seats are written and freed
        branch = branch_reports(pk)
        if branch is None:
            raise Http404("No Position matches the given query.")
        can_edit = branch[0].is_editable and request.user.has_perm("roles.change_position")
        # The boxes alone, as roles/_chart_seats.html draws them on the page, written straight out: a
        # fragment needs no template engine, nor the context processors (the navigation) a render runs.
        html = chart_seats(branch[1], can_edit)
        del branch
    return HttpResponse(html)


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_search(request: PageRequest, pk: int) -> HttpResponse:
    """Seats whose title, person, role, team or platform expertise holds `q`, each a jump to its box."""
    chart = get_object_or_404(Chart, pk=pk)
    query = request.GET.get("q", "")[:100]
    count, found = position_search(chart, query)
    return render(request, "roles/_chart_search.html", {"query": query.strip(), "count": count, "found": found})


def _move_refused(request: PageRequest, position: Position, reason: str) -> HttpResponse:
    """A refused move changes nothing: htmx shows why in the chart's status line (beside the chart);
    without JavaScript the page comes back with the move form and the reason."""
    if request.htmx:
        response = render(request, "roles/chart_detail.html#chart-status", {"status_error": reason}, status=422)
        return reswap(retarget(response, "#chart-status"), "innerHTML")
    editor = _move_editor(position) | {"error": reason}
    return _chart_page(request, position.chart_id, editor=editor, status=422)


def _move_editor(position: Position) -> dict[str, Any]:
    return {
        "move": True,
        "position": position,
        "heading": f"Move {position.title}",
        "targets": position_move_targets(position),
        "action": reverse("roles:position-move", args=[position.pk]),
    }


@require_http_methods(["GET", "POST"])
@permission_required("roles.change_position", raise_exception=True)
def position_move_view(request: PageRequest, pk: int) -> HttpResponse:
    """Put a seat under another: dragged onto it in the chart, or chosen in "Move under…" (the keyboard's
    way). The same service as the edit form (`position_move` → `position_save`) checks it: no cycle, the
    top seat stays on top, a former live chart is read-only."""
    position = get_object_or_404(Position.objects.select_related("chart", "reports_to"), pk=pk)
    if request.method == "GET":
        return _editor_response(request, position.chart, _move_editor(position))
    under_id = request.POST.get("reports_to", "")
    under = Position.objects.filter(pk=under_id).first() if is_id(under_id) else None
    if under is None:
        return _move_refused(request, position, "Reports to: choose the seat to move it under.")
    try:
        position_move(position=position, new_manager=under)
    except ValidationError as exc:
        return _move_refused(request, position, " ".join(exc.messages))
    return _saved(request, position.chart, f"Moved “{position.title}” under “{under.title}”.", reveal=position.pk)


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
    opened_from = request.GET.get("a", "")
    if "a" in request.GET and "b" in request.GET:
        form = CompareForm(request.GET)
    elif is_id(opened_from) and (chart := Chart.objects.filter(pk=opened_from).first()) is not None:
        # "Compare with another chart…" names the chart it was opened from: a scenario is compared at
        # once with the chart it was cloned from; for any other chart the user picks what comes after.
        before, after = compare_pair(chart)
        form = CompareForm({"a": before.pk, "b": after.pk}) if after else CompareForm(initial={"a": before.pk})
    else:
        form = CompareForm()
    comparison = (
        chart_compare(form.cleaned_data["a"], form.cleaned_data["b"]) if form.is_bound and form.is_valid() else None
    )
    return render(request, "roles/chart_compare.html", {"form": form, "comparison": comparison})


@require_http_methods(["GET", "POST"])
@permission_required("roles.add_chart", raise_exception=True)
def chart_import_view(request: PageRequest) -> HttpResponse:
    """The upload becomes a background job (core.imports); the answer is the job's page."""
    return csv_import_page(
        request,
        form_class=ChartImportForm,
        template="roles/chart_import.html",
        kind=ImportKind.CHART,
        params=lambda data: {"scenario": data["name"]},
    )


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_export(request: PageRequest, pk: int, fmt: str) -> HttpResponse:
    chart = get_object_or_404(Chart, pk=pk)
    if fmt == "csv":
        return attachment(chart_export_csv(chart), filename=f"{chart.name}.csv", content_type="text/csv; charset=utf-8")
    svg = chart_svg(chart_tree(chart), chart.name)
    return attachment(svg, filename=f"{chart.name}.svg", content_type="image/svg+xml")


@read_only
@require_GET
@permission_required("roles.view_chart", raise_exception=True)
def chart_print(request: PageRequest, pk: int) -> HttpResponse:
    context = _workspace(request, pk, outline=True, printed=True) | {"can_edit": False}
    return render(request, "roles/chart_print.html", context)


@read_only
@require_GET
@permission_required("roles.view_person", raise_exception=True)
def people(request: PageRequest) -> HttpResponse:
    can_add = request.user.has_perm("roles.add_person")
    return render(request, "roles/person_list.html", {"people": person_list(), "can_add": can_add})


@require_http_methods(["GET", "POST"])
@permission_required("roles.change_person", raise_exception=True)
def person_edit(request: PageRequest, pk: int | None = None) -> HttpResponse:
    """Add a person (no `pk`) or correct one; a refused save shows every problem beside its field."""
    if pk is None and not request.user.has_perm("roles.add_person"):  # the permission the "Add" button asks for
        raise PermissionDenied
    person = get_object_or_404(Person, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = PersonForm(request.POST)
        saved: list[Person] = []
        if apply_service(
            form, lambda f: saved.append(person_save(data=f.person_data(), person=person, by=request.user))
        ):
            messages.success(request, f"{saved[0].name} saved.")
            return redirect("governance:person-detail", pk=saved[0].pk)
    else:
        form = PersonForm(initial=PersonForm.initial_for(person) if person else None)
    return render(request, "roles/person_form.html", {"form": form, "person": person})
