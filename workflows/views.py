from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Platform
from .selectors import agent_list, flag_list, step_accountable, workflow_list


@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def workflow_index(request):
    workflows = workflow_list()
    if request.GET.get("critical"):
        workflows = workflows.filter(is_critical=True)
    return render(request, "workflows/workflow_list.html", {"workflows": workflows})


@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def workflow_detail(request, pk: int):
    workflow = get_object_or_404(workflow_list(), pk=pk)
    steps = [(step, step_accountable(step)) for step in workflow.steps.all()]
    return render(request, "workflows/workflow_detail.html", {"workflow": workflow, "steps": steps})


@require_GET
@permission_required("workflows.view_agent", raise_exception=True)
def agent_index(request):
    agents = agent_list().annotate(
        step_count=Count("steps", distinct=True),
        workflow_count=Count("steps__workflow", distinct=True),
    )
    return render(request, "workflows/agent_list.html", {"agents": agents})


@require_GET
@permission_required("workflows.view_platform", raise_exception=True)
def platform_index(request):
    platforms = Platform.objects.annotate(
        step_count=Count("steps", distinct=True),
        workflow_count=Count("steps__workflow", distinct=True),
        ai_step_count=Count("steps", filter=~Q(steps__mode="human"), distinct=True),
    ).prefetch_related("experts__person")
    return render(request, "workflows/platform_list.html", {"platforms": platforms})


@require_GET
@permission_required("workflows.view_ownershipflag", raise_exception=True)
def flag_index(request):
    return render(request, "workflows/flag_list.html", {"flags": flag_list()})
