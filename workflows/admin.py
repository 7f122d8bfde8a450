from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from .models import Agent, OwnershipFlag, Platform, Step, Workflow
from .scan import ownership_refresh

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

    def save_model(self, request: HttpRequest, obj: Agent, form: "ModelForm[Agent]", change: bool) -> None:
        super().save_model(request, obj, form, change)
        ownership_refresh(agent_ids=[obj.pk])  # a new agent, or one paused, resumed or retired


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "name", "platform", "mode", "agent", "decision", "is_buyer_facing"]
    autocomplete_fields = ["platform", "agent"]


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_critical", "status", "updated_at"]
    list_filter = ["is_critical", "status", ("owner", admin.EmptyFieldListFilter)]
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

    def delete_model(self, request: HttpRequest, obj: Workflow) -> None:
        self.delete_queryset(request, Workflow.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        # Their flags go with them; the agents acting only in their steps now act in no workflow.
        agents = _step_agents(Step.objects.filter(workflow__in=queryset))
        super().delete_queryset(request, queryset)
        ownership_refresh(agent_ids=agents)


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "mode", "agent", "is_buyer_facing"]
    list_filter = ["mode", "is_buyer_facing", "platform"]
    search_fields = ["name", "decision", "workflow__name"]
    list_select_related = ["workflow", "platform", "agent"]
    autocomplete_fields = ["workflow", "platform", "agent", "roles"]

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
