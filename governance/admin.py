from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from .models import (
    CorrectiveAction,
    DataSource,
    Incident,
    KillSwitchEvent,
    KnowledgeAsset,
    OutputAudit,
    PolicyDecision,
    Review,
)
from .services import incident_flag_sync


@admin.register(PolicyDecision)
class PolicyDecisionAdmin(admin.ModelAdmin):
    list_display = ["agent", "allowed_mode", "decided_by", "decided_on"]
    list_filter = ["allowed_mode", "decided_on"]
    search_fields = ["agent__name", "rationale"]
    autocomplete_fields = ["agent", "decided_by"]


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_allowed", "quality_score", "last_audit_on", "steward"]
    list_filter = ["is_allowed"]
    search_fields = ["name", "description", "entity_rules"]
    autocomplete_fields = ["steward", "agents"]


class OutputAuditInline(admin.TabularInline):
    model = OutputAudit
    extra = 0
    autocomplete_fields = ["auditor"]


@admin.register(KnowledgeAsset)
class KnowledgeAssetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "version", "owner", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "description", "owner__name"]
    autocomplete_fields = ["owner", "agents"]
    inlines = [OutputAuditInline]


@admin.register(OutputAudit)
class OutputAuditAdmin(admin.ModelAdmin):
    list_display = ["asset", "audited_on", "accuracy_score", "brand_score", "sample_size", "auditor"]
    list_filter = ["audited_on"]
    search_fields = ["asset__name", "notes"]
    autocomplete_fields = ["asset", "auditor"]


@admin.register(KillSwitchEvent)
class KillSwitchEventAdmin(admin.ModelAdmin):
    list_display = ["agent", "action", "by", "at", "reason"]
    list_filter = ["action"]
    search_fields = ["agent__name", "reason"]


class ReviewInline(admin.StackedInline):
    model = Review
    extra = 0
    autocomplete_fields = ["accountable_owner"]
    exclude = ["version"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["summary", "agent", "severity", "is_buyer_facing", "occurred_at", "accountable_when_logged"]
    list_filter = ["severity", "is_buyer_facing", "harm_category", "review__status"]
    search_fields = ["summary", "description", "agent__name"]
    list_select_related = ["agent", "accountable_when_logged"]
    autocomplete_fields = ["agent", "step", "accountable_when_logged"]
    date_hierarchy = "occurred_at"
    inlines = [ReviewInline]

    def save_formset(
        self,
        request: HttpRequest,
        form: "ModelForm[Incident]",
        formset: "BaseInlineFormSet[Review, Incident, ModelForm[Review]]",
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        for review_form in formset.forms:
            changed = "accountable_owner" in review_form.changed_data
            if changed and review_form not in formset.deleted_forms:
                incident_flag_sync(review_form.instance)


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    extra = 0
    autocomplete_fields = ["assignee"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["incident", "status", "root_cause", "accountable_owner", "due_on", "resolved_at"]
    list_filter = ["status", "root_cause"]
    search_fields = ["incident__summary", "analysis"]
    list_select_related = ["incident", "accountable_owner"]
    autocomplete_fields = ["accountable_owner"]
    inlines = [CorrectiveActionInline]

    def save_model(self, request: HttpRequest, obj: Review, form: "ModelForm[Review]", change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "accountable_owner" in form.changed_data:
            incident_flag_sync(obj)


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["description", "assignee", "due_on", "is_done"]
    list_filter = ["is_done"]
    search_fields = ["description"]
    autocomplete_fields = ["assignee"]
