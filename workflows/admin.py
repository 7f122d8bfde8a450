from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .models import Agent, FlagDigest, OwnershipFlag, Platform, Step, Workflow
from .scan import ownership_refresh
from .services import workflow_archive

# Saves in Django admin bring the flags of what they touched up to date as the services do, inside the
# admin's transaction (ownership_refresh): the dashboard, the flags page and the Test agree at once.


def _step_agents(steps: QuerySet[Step]) -> set[int]:
    """The agents acting in `steps` now: an agent that loses its last step acts in no workflow."""
    return {pk for pk in steps.values_list("agent_id", flat=True) if pk is not None}


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name"]
    autocomplete_fields = ["experts"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "allowed_mode", "vendor", "model_name"]
    list_filter = ["status", "allowed_mode", "vendor"]
    search_fields = ["name", "purpose", "vendor", "model_name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Agent | None = None) -> list[str]:
        """Retired is for good, as on the agent's page (governance.services): no resume, pause or
        governance call; its record is shown, not changed."""
        return ["status", "allowed_mode"] if obj is not None and obj.is_retired else []

    def save_model(self, request: HttpRequest, obj: Agent, form: "ModelForm[Agent]", change: bool) -> None:
        super().save_model(request, obj, form, change)
        ownership_refresh(agent_ids=[obj.pk])  # a new agent, or one paused, resumed or retired


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "name", "platform", "mode", "agent", "decision", "is_buyer_facing"]
    autocomplete_fields = ["platform", "agent"]


@admin.action(
    description="Delete selected workflows (archived: their steps, flags and history stay)", permissions=["delete"]
)
def archive_selected(modeladmin: "WorkflowAdmin", request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
    archived = [workflow_archive(workflow=workflow) for workflow in queryset]
    modeladmin.message_user(request, f"Archived {len(archived)} workflow(s): their steps, flags and history stay.")


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    """Deleting a workflow archives it (workflows.services.workflow_archive); an archived one is read-only."""

    list_display = ["name", "owner", "is_critical", "status", "archived_at", "updated_at"]
    list_filter = [
        "is_critical",
        "status",
        ("owner", admin.EmptyFieldListFilter),
        ("archived_at", admin.EmptyFieldListFilter),
    ]
    readonly_fields = ["archived_at"]
    actions = [archive_selected]
    search_fields = ["name", "description", "owner__name"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    inlines = [StepInline]

    def save_related(
        self,
        request: HttpRequest,
        form: "ModelForm[Workflow]",
        formsets: "list[BaseInlineFormSet[Step, Workflow, ModelForm[Step]]]",
        change: bool,
    ) -> None:
        """After the workflow (owner, status) and its steps (the inline) are saved: the steps' agents
        before and after count, as in step_save."""
        workflow = form.instance
        agents = _step_agents(workflow.steps.all())
        super().save_related(request, form, formsets, change)
        ownership_refresh(workflow_ids=[workflow.pk], agent_ids=agents | _step_agents(workflow.steps.all()))

    def has_change_permission(self, request: HttpRequest, obj: Workflow | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # archive_selected does what deleting means here
        return actions

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """The delete page lists the workflow alone: nothing goes with it (its steps and flags stay)."""
        workflows = list(objs)
        return [str(w) for w in workflows], {"workflows": len(workflows)}, set(), []

    def delete_model(self, request: HttpRequest, obj: Workflow) -> None:
        workflow_archive(workflow=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        for workflow in queryset:
            workflow_archive(workflow=workflow)

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        # Not Django's "deleted successfully": say what happened.
        self.message_user(request, f"“{obj_display}” is archived: its steps, flags and history stay.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:workflows_workflow_changelist"))


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "mode", "agent", "is_buyer_facing"]
    list_filter = ["mode", "is_buyer_facing", "platform"]
    search_fields = ["name", "decision", "workflow__name"]
    list_select_related = ["workflow", "platform", "agent"]
    autocomplete_fields = ["workflow", "platform", "agent", "roles"]

    def has_change_permission(self, request: HttpRequest, obj: Step | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.workflow.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Step | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.workflow.is_editable)

    def save_model(self, request: HttpRequest, obj: Step, form: "ModelForm[Step]", change: bool) -> None:
        # A step moved to another workflow, or given another agent, touches both.
        before = Step.objects.filter(pk=obj.pk).values_list("workflow_id", "agent_id").first()
        previous_workflow, previous_agent = before or (obj.workflow_id, None)
        super().save_model(request, obj, form, change)
        ownership_refresh(workflow_ids={obj.workflow_id, previous_workflow}, agent_ids=[obj.agent_id, previous_agent])

    def delete_model(self, request: HttpRequest, obj: Step) -> None:
        self.delete_queryset(request, Step.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Step]) -> None:
        workflows = set(queryset.values_list("workflow_id", flat=True))
        agents = _step_agents(queryset)
        super().delete_queryset(request, queryset)
        ownership_refresh(workflow_ids=workflows, agent_ids=agents)


@admin.register(OwnershipFlag)
class OwnershipFlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject_key", "message", "opened_at", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject_key", "message"]
    raw_id_fields = ["workflow", "step", "agent"]


@admin.register(FlagDigest)
class FlagDigestAdmin(admin.ModelAdmin):
    """Which days' digests went out (a record of what the worker did; nothing to edit)."""

    list_display = ["day", "sent_at", "flags"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FlagDigest | None = None) -> bool:
        return False
