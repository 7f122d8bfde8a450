from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from .choices import ReviewStatus
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


class AppendOnlyAdmin(admin.ModelAdmin):
    """History that is only ever added to, and only by its service (which checks who may and keeps the
    agent in step): admin shows it, never adds, changes or deletes it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PolicyDecision)
class PolicyDecisionAdmin(AppendOnlyAdmin):
    """Made on the agent's page by the Head of MarOps (governance.services.policy_decide)."""

    list_display = ["agent", "allowed_mode", "decided_by", "decided_on"]
    list_filter = ["allowed_mode", "decided_on"]
    search_fields = ["agent__name", "rationale"]


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
class KillSwitchEventAdmin(AppendOnlyAdmin):
    """Pulled on the agent's page (governance.services.agent_pause, agent_resume, agent_retire)."""

    list_display = ["agent", "action", "by", "at", "reason"]
    list_filter = ["action"]
    search_fields = ["agent__name", "reason"]


def _kept(incident: Incident | None) -> bool:
    """Still within its retention period (see governance.models.RETENTION)."""
    return incident is not None and not incident.is_past_retention


class ReviewInline(admin.StackedInline):
    model = Review
    extra = 0
    max_num = 1
    can_delete = False  # one review per incident: it goes only with its incident
    autocomplete_fields = ["accountable_owner"]
    exclude = ["version"]

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        """A resolved review is closed, as on its page (governance.services.review_save)."""
        resolved = obj is not None and Review.objects.filter(incident=obj, status=ReviewStatus.RESOLVED).exists()
        return super().has_change_permission(request, obj) and not resolved


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["summary", "agent", "severity", "is_buyer_facing", "occurred_at", "accountable_when_logged"]
    list_filter = ["severity", "is_buyer_facing", "harm_category", "review__status"]
    search_fields = ["summary", "description", "agent__name"]
    list_select_related = ["agent", "accountable_when_logged"]
    autocomplete_fields = ["agent", "step", "accountable_when_logged"]
    date_hierarchy = "occurred_at"
    inlines = [ReviewInline]

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        """Kept at least six months after its review is resolved (EU AI Act, Article 26(6)); the bulk
        action asks this of each incident and deletes none if one is kept."""
        return super().has_delete_permission(request, obj) and not _kept(obj)

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
    can_delete = False  # kept with the incident's history; mark it done instead
    autocomplete_fields = ["assignee"]


class KeptWithIncidentAdmin(admin.ModelAdmin):
    """A review and its corrective actions are deleted only with their incident, once it is past its
    retention period (asked of each when the incident is deleted), never on their own."""

    def incident_of(self, obj: Any) -> Incident:
        raise NotImplementedError

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not _kept(self.incident_of(obj)))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        raise PermissionDenied("Deleted only with its incident.")


@admin.register(Review)
class ReviewAdmin(KeptWithIncidentAdmin):
    list_display = ["incident", "status", "root_cause", "accountable_owner", "due_on", "resolved_at"]
    list_filter = ["status", "root_cause"]
    search_fields = ["incident__summary", "analysis"]
    list_select_related = ["incident", "accountable_owner"]
    autocomplete_fields = ["accountable_owner"]
    inlines = [CorrectiveActionInline]

    def incident_of(self, obj: Review) -> Incident:
        return obj.incident

    def has_change_permission(self, request: HttpRequest, obj: Review | None = None) -> bool:
        """A resolved review is closed, as on its page (governance.services.review_save); its actions
        are still ticked off on the incident's page, which records each tick in the timeline."""
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_resolved)

    def save_model(self, request: HttpRequest, obj: Review, form: "ModelForm[Review]", change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "accountable_owner" in form.changed_data:
            incident_flag_sync(obj)


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(KeptWithIncidentAdmin):
    list_display = ["description", "assignee", "due_on", "is_done"]
    list_filter = ["is_done"]
    search_fields = ["description"]
    autocomplete_fields = ["assignee"]

    def incident_of(self, obj: CorrectiveAction) -> Incident:
        return obj.review.incident
