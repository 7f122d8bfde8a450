from django.contrib import admin

from .models import Agent, OwnershipFlag, Platform, Step, Workflow


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


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "platform", "mode", "agent", "is_buyer_facing"]
    list_filter = ["mode", "is_buyer_facing", "platform"]
    search_fields = ["name", "decision", "workflow__name"]
    list_select_related = ["workflow", "platform", "agent"]
    autocomplete_fields = ["workflow", "platform", "agent", "roles"]


@admin.register(OwnershipFlag)
class OwnershipFlagAdmin(admin.ModelAdmin):
    list_display = ["kind", "subject_key", "message", "opened_at", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject_key", "message"]
    raw_id_fields = ["workflow", "step", "agent"]
