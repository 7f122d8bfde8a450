import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from core.ids import is_id
from core.validators import InputRules
from roles.models import Person
from workflows.choices import AllowedMode
from workflows.models import Agent, Step

from .choices import HarmCategory, RootCause, Severity
from .models import DataSource, KnowledgeAsset, OutputAudit
from .services import REASON_LENGTH, SEVERITY_ORDER


class IncidentForm(InputRules, forms.Form):
    """Log an incident in under a minute: only agent, what happened and severity are required."""

    service_checks = ("occurred_at",)  # incident_create checks when it happened, in the API's words too

    agent = forms.ModelChoiceField(queryset=Agent.objects.all(), help_text="Type to search.")
    step = forms.ModelChoiceField(
        queryset=Step.objects.select_related("workflow"),
        required=False,
        empty_label="— not known —",
        help_text="Only the steps this agent acts in.",
    )
    summary = forms.CharField(max_length=200, label="In one line")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What happened")
    occurred_at = forms.DateTimeField(
        label="When",
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    is_buyer_facing = forms.BooleanField(required=False, initial=True, label="Buyer-facing")
    harm_category = forms.ChoiceField(choices=HarmCategory.choices, initial=HarmCategory.OTHER, label="Harm")
    affected = forms.CharField(max_length=300, required=False, label="Who was affected")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent_id = self.data.get("agent") or self.initial.get("agent")
        steps = Step.objects.select_related("workflow").order_by("workflow__name", "order")
        step = cast("forms.ModelChoiceField[Step]", self.fields["step"])
        step.queryset = steps.filter(agent_id=agent_id) if is_id(agent_id) else steps.none()
        # Replacing label_from_instance per field is Django's documented way; the stubs see a method.
        step.label_from_instance = lambda s: f"{s.workflow.name} · {s.order}. {s.name}"  # type: ignore[method-assign,assignment]


class ReviewForm(InputRules, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    root_cause = forms.ChoiceField(choices=[("", "— not yet known —"), *RootCause.choices], required=False)
    analysis = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    accountable_owner = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_active=True),
        required=False,
        empty_label="— nobody yet —",
        label="The one accountable owner",
    )
    owner_change_reason = forms.CharField(
        max_length=100,  # django-simple-history's change reason column
        required=False,
        label="Why the accountable owner changes",
        help_text="Needed when you replace or clear the person named; the timeline keeps it.",
    )


class CorrectiveActionForm(InputRules, forms.Form):
    description = forms.CharField(max_length=500, label="Corrective action")
    assignee = forms.ModelChoiceField(queryset=Person.objects.filter(is_active=True))
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Due")


class EscalateForm(InputRules, forms.Form):
    """Raise an incident's severity. The list offers only the severities above the current one; any
    other is refused by incident_escalate, which says why (the one rule), not by the form."""

    severity = forms.ChoiceField(choices=Severity.choices, label="New severity")
    reason = forms.CharField(max_length=REASON_LENGTH, label="Why it is more severe")

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="escalate-%s", **kwargs)  # ids apart from the reopen form's
        labels = dict(Severity.choices)
        above = SEVERITY_ORDER[SEVERITY_ORDER.index(Severity(current)) + 1 :]
        # Only the widget's options: the field still accepts every severity, so a stale page's choice
        # reaches the service and gets its message ("already high") rather than Django's generic one.
        self.fields["severity"].widget.choices = [(s.value, labels[s.value]) for s in above]

    @property
    def has_choices(self) -> bool:
        """False for a critical incident: nothing is above it, and the page shows no form."""
        return bool(self.fields["severity"].widget.choices)


class ReopenForm(InputRules, forms.Form):
    """Reopen a resolved review; `version` is the review's as the page showed it (a stale page is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    # The timeline keeps "Reopened: <reason>" in REASON_LENGTH characters: the reason gets what is left.
    reason = forms.CharField(max_length=REASON_LENGTH - len("Reopened: "), label="Why it is reopened")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="reopen-%s", **kwargs)  # ids apart from the escalate form's


class PolicyForm(InputRules, forms.Form):
    allowed_mode = forms.ChoiceField(choices=AllowedMode.choices, label="What the agent may do")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class KillSwitchForm(InputRules, forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DataSourceForm(InputRules, forms.ModelForm):
    class Meta:
        model = DataSource
        fields = [
            "name",
            "description",
            "is_allowed",
            "entity_rules",
            "last_audit_on",
            "quality_score",
            "steward",
            "agents",
        ]
        widgets = {
            "last_audit_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "agents": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 2}),
            "entity_rules": forms.Textarea(attrs={"rows": 2}),
        }


class KnowledgeAssetForm(InputRules, forms.ModelForm):
    class Meta:
        model = KnowledgeAsset
        fields = ["name", "kind", "version", "description", "owner", "agents"]
        widgets = {"agents": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 2})}


class OutputAuditForm(InputRules, forms.ModelForm):
    def clean_audited_on(self) -> datetime.date:
        audited_on: datetime.date = self.cleaned_data["audited_on"]
        if audited_on > timezone.localdate():
            raise forms.ValidationError("An audit cannot be dated in the future.")
        return audited_on

    class Meta:
        model = OutputAudit
        fields = ["audited_on", "accuracy_score", "brand_score", "sample_size", "auditor", "notes"]
        widgets = {
            "audited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class LeaverForm(InputRules, forms.Form):
    """Record a leaver: why, and one successor per thing they hold (a field per handoff, named by its key)."""

    reason = forms.CharField(
        max_length=300, label="Why they left", help_text="Kept in the history of everything handed on."
    )

    def __init__(self, *args: Any, handoffs: list[Any], successors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in handoffs:
            self.fields[item.key] = forms.ModelChoiceField(
                queryset=successors,
                required=not item.vacancy_allowed,
                label=f"{item.kind}: {item.label}",
                empty_label="— vacancy: hire or promote —" if item.vacancy_allowed else "— choose a successor —",
                initial=item.proposed.pk if item.proposed else None,
            )

    def successors(self) -> dict[str, Person | None]:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}
