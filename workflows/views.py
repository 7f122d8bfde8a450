"""Workflow inventory and ownership. Reads need the view permission; edits are the Leaders'."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import attachment
from core.htmx import apply_service, editor_response, form_errors_text, saved_response
from core.imports import csv_import_page
from core.models import ImportKind
from core.views import PageRequest, page_of, read_only
from roles.choices import ChartStatus
from roles.models import Position

from .accountability import workflow_accountable
from .choices import FlagKind
from .csv_io import inventory_export_csv
from .forms import InventoryImportForm, OwnerForm, PlatformForm, StepForm, WorkflowForm
from .history import workflow_history
from .models import Platform, Step, Workflow
from .selectors import (
    agent_list,
    critical_count_note,
    flag_list,
    platform_workflows,
    workflow_completeness,
    workflow_figures,
    workflow_list,
    workflow_swimlane,
)
from .services import platform_create, step_delete, step_save, workflow_assign_owner, workflow_save

TEMPLATE = "workflows/workflow_detail.html"


@read_only
@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def workflow_index(request: PageRequest) -> HttpResponse:
    """Every workflow, 100 a page, by name; the figures count all of them (in the database)."""
    figures = workflow_figures()
    workflows = workflow_list().filter(archived_at__isnull=True).order_by("name")  # deleted ones are archived
    if request.GET.get("critical"):
        workflows = workflows.filter(is_critical=True)
    if query := request.GET.get("q", "").replace("\x00", "").strip():  # PostgreSQL text holds no NUL
        workflows = workflows.filter(name__icontains=query)
    page = page_of(workflows, request)
    context = {
        "rows": [(w, workflow_completeness(w)) for w in page],
        "page": page,
        "query": query,
        "critical_note": critical_count_note(figures["critical"]),
        "critical": figures["critical"],
        "complete": figures["mapped"],
        "total": figures["total"],
        "form": WorkflowForm(),
    }
    return render(request, "workflows/workflow_list.html", context)


@require_POST
@permission_required("workflows.add_workflow", raise_exception=True)
def workflow_create(request: PageRequest) -> HttpResponse:
    form = WorkflowForm(request.POST)
    created = []
    if apply_service(form, lambda f: created.append(workflow_save(**f.cleaned_data))):
        messages.success(request, f"Created “{created[0].name}”. Map its steps and give it an owner.")
        return redirect("workflows:workflow-detail", created[0].pk)
    messages.error(request, form_errors_text(form))
    return redirect("workflows:workflow-list")


def _workspace(workflow_pk: int) -> dict[str, Any]:
    """The workflow page's changing part: swimlane, steps with their accountable person, completeness."""
    workflow = get_object_or_404(workflow_list(), pk=workflow_pk)
    accountability = workflow_accountable(workflow)  # the same for every step of the workflow
    return {
        "workflow": workflow,
        "lanes": workflow_swimlane(workflow),
        "steps": [(step, accountability) for step in workflow.steps.all()],
        "completeness": workflow_completeness(workflow),
        "accountability": accountability,
    }


def _page(request: PageRequest, workflow_pk: int, editor: dict[str, Any] | None = None) -> HttpResponse:
    context = _workspace(workflow_pk)
    workflow = context["workflow"]
    context |= {
        "editor": editor,
        "owner_form": OwnerForm(initial={"owner": workflow.owner_id}),
        "workflow_form": WorkflowForm(
            prefix="workflow",
            initial={
                "name": workflow.name,
                "description": workflow.description,
                "is_critical": workflow.is_critical,
                "status": workflow.status,
            },
        ),
        "can_edit": workflow.is_editable and request.user.has_perm("workflows.change_workflow"),
    }
    return render(request, TEMPLATE, context)


@read_only
@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def workflow_detail(request: PageRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@read_only
@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def workflow_history_page(request: PageRequest, pk: int) -> HttpResponse:
    """Who changed the workflow's owner, name, flags and steps, when, and how (screen, import, API)."""
    workflow = get_object_or_404(Workflow.objects.select_related("owner"), pk=pk)
    context = {"workflow": workflow, "entries": workflow_history(workflow)}
    return render(request, "workflows/workflow_history.html", context)


def _saved(request: PageRequest, workflow: Workflow, message: str) -> HttpResponse:
    return saved_response(
        request,
        TEMPLATE,
        lambda: _workspace(workflow.pk) | {"can_edit": True},
        message,
        reverse("workflows:workflow-detail", args=[workflow.pk]),
    )


@require_POST
@permission_required("workflows.change_workflow", raise_exception=True)
def workflow_owner(request: PageRequest, pk: int) -> HttpResponse:
    workflow = get_object_or_404(Workflow, pk=pk)
    form = OwnerForm(request.POST)
    if not apply_service(form, lambda f: workflow_assign_owner(workflow=workflow, owner=f.cleaned_data["owner"])):
        messages.error(request, form_errors_text(form))
    elif not (accountability := workflow_accountable(workflow)).passes:
        messages.warning(request, f"Saved, and flagged: {accountability.reason} Nobody is accountable for its steps.")
    else:  # the owner is accountable, so there is one
        messages.success(request, f"{workflow.owner.name} now owns “{workflow.name}”.")  # type: ignore[union-attr]
    return redirect("workflows:workflow-detail", workflow.pk)


@require_POST
@permission_required("workflows.change_workflow", raise_exception=True)
def workflow_edit(request: PageRequest, pk: int) -> HttpResponse:
    workflow = get_object_or_404(Workflow, pk=pk)
    form = WorkflowForm(request.POST, prefix="workflow")
    if apply_service(form, lambda f: workflow_save(workflow=workflow, **f.cleaned_data)):
        messages.success(request, f"Saved “{workflow.name}”.")
    else:
        messages.error(request, form_errors_text(form))
    return redirect("workflows:workflow-detail", workflow.pk)


def _editor(request: PageRequest, workflow: Workflow, editor: dict[str, Any]) -> HttpResponse:
    return editor_response(
        request,
        TEMPLATE,
        {"editor": editor, "workflow": workflow},
        full_page=lambda: _page(request, workflow.pk, editor=editor),
    )


@require_http_methods(["GET", "POST"])
@permission_required("workflows.change_workflow", raise_exception=True)
def step_create(request: PageRequest, pk: int) -> HttpResponse:
    workflow = get_object_or_404(Workflow, pk=pk)
    form = StepForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and apply_service(form, lambda f: step_save(workflow=workflow, data=f.step_data())):
        return _saved(request, workflow, f"Added the step “{form.cleaned_data['name']}”.")
    return _editor(request, workflow, {"form": form, "heading": "New step", "action": request.path})


@require_http_methods(["GET", "POST"])
@permission_required("workflows.change_workflow", raise_exception=True)
def step_edit(request: PageRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(Step.objects.select_related("workflow"), pk=pk)
    form = StepForm(request.POST if request.method == "POST" else None, initial=StepForm.initial_for(step))
    save = lambda f: step_save(workflow=step.workflow, data=f.step_data(), step=step)  # noqa: E731
    if request.method == "POST" and apply_service(form, save):
        return _saved(request, step.workflow, f"Saved the step “{step.name}”.")
    editor = {"form": form, "heading": f"Step {step.order}: {step.name}", "action": request.path, "step": step}
    return _editor(request, step.workflow, editor)


@require_POST
@permission_required("workflows.change_workflow", raise_exception=True)
def step_remove(request: PageRequest, pk: int) -> HttpResponse:
    step = get_object_or_404(Step.objects.select_related("workflow"), pk=pk)
    try:
        step_delete(step=step)
    except ValidationError as exc:  # incidents keep the step
        editor = {
            "form": StepForm(initial=StepForm.initial_for(step)),
            "heading": f"Step {step.order}: {step.name}",
            "step": step,
            "action": reverse("workflows:step-edit", args=[step.pk]),
            "error": " ".join(exc.messages),
        }
        return _editor(request, step.workflow, editor)
    return _saved(request, step.workflow, f"Removed the step “{step.name}”.")


@read_only
@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def owned_by_me(request: PageRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    workflows = workflow_list().filter(owner=person, archived_at__isnull=True) if person else Workflow.objects.none()
    rows = [(w, workflow_completeness(w)) for w in workflows]
    return render(request, "workflows/owned_by_me.html", {"person": person, "rows": rows})


@read_only
@require_GET
@permission_required("workflows.view_agent", raise_exception=True)
def agent_index(request: PageRequest) -> HttpResponse:
    agents = agent_list().annotate(
        step_count=Count("steps", distinct=True),
        workflow_count=Count("steps__workflow", distinct=True),
    )
    return render(request, "workflows/agent_list.html", {"agents": agents})


WORKFLOWS_PER_PLATFORM = 10


@read_only
@require_GET
@permission_required("workflows.view_platform", raise_exception=True)
def platform_index(request: PageRequest) -> HttpResponse:
    """Each platform with its live experts, and the first workflows through it with their owners."""
    live_experts = Position.objects.filter(chart__status=ChartStatus.LIVE).select_related("person")
    platforms = Platform.objects.annotate(
        step_count=Count("steps", distinct=True),
        ai_step_count=Count("steps", filter=~Q(steps__mode="human"), distinct=True),
        workflow_count=Count("steps__workflow", distinct=True),
    ).prefetch_related(Prefetch("experts", queryset=live_experts, to_attr="live_experts"))
    shown = platform_workflows(per_platform=WORKFLOWS_PER_PLATFORM)
    rows = [(p, shown.get(p.pk, []), p.workflow_count - len(shown.get(p.pk, []))) for p in platforms]
    return render(request, "workflows/platform_list.html", {"rows": rows, "form": PlatformForm()})


@require_POST
@permission_required("workflows.add_platform", raise_exception=True)
def platform_add(request: PageRequest) -> HttpResponse:
    form = PlatformForm(request.POST)
    if apply_service(form, lambda f: platform_create(**f.cleaned_data)):
        messages.success(request, f"Added the platform {form.cleaned_data['name']}.")
    else:
        messages.error(request, form_errors_text(form))
    return redirect("workflows:platform-list")


@read_only
@require_GET
@permission_required("workflows.view_ownershipflag", raise_exception=True)
def flag_index(request: PageRequest) -> HttpResponse:
    flags = flag_list()
    kind = request.GET.get("kind")
    kind = kind if kind in FlagKind.values else None  # from a dashboard bar; anything else shows them all
    if kind:
        flags = flags.filter(kind=kind)
    page = page_of(flags, request)
    context = {"flags": page, "page": page, "kind": FlagKind(kind).label if kind else None}
    return render(request, "workflows/flag_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("workflows.add_workflow", raise_exception=True)
def inventory_import(request: PageRequest) -> HttpResponse:
    """The upload becomes a background job (core.imports); the answer is the job's page."""
    return csv_import_page(
        request, form_class=InventoryImportForm, template="workflows/inventory_import.html", kind=ImportKind.INVENTORY
    )


@read_only
@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def inventory_export(request: PageRequest) -> HttpResponse:
    csv = inventory_export_csv()
    return attachment(csv, filename="workflow-inventory.csv", content_type="text/csv; charset=utf-8")
