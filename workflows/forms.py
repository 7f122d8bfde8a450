from typing import Any, cast

from django import forms

from core.imports import csv_text
from core.validators import InputRules
from roles.models import Person, Role

from .choices import PlatformCategory, StepMode, WorkflowStatus
from .models import Agent, Platform, Step
from .selectors import marops_people
from .services import StepData


class WorkflowForm(InputRules, forms.Form):
    name = forms.CharField(max_length=150)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_critical = forms.BooleanField(required=False, label="Critical (one of the 5–7 most important)")
    status = forms.ChoiceField(choices=WorkflowStatus.choices, initial=WorkflowStatus.ACTIVE)


class OwnerForm(forms.Form):
    """One owner. MarOps people in the live chart come first; anyone active may be chosen."""

    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Owner")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        marops = list(marops_people().order_by("name"))
        others = Person.objects.filter(is_active=True).exclude(pk__in=[p.pk for p in marops]).order_by("name")
        cast(forms.TypedChoiceField, self.fields["owner"]).choices = [
            ("", "— no owner —"),
            ("MarOps team (live chart)", [(p.pk, p.name) for p in marops]),
            ("Everyone else (raises a finding)", [(p.pk, p.name) for p in others]),
        ]

    def clean_owner(self) -> Person | None:
        pk = self.cleaned_data["owner"]
        return None if pk is None else Person.objects.get(pk=pk)


class StepForm(InputRules, forms.Form):
    name = forms.CharField(max_length=150)
    order = forms.IntegerField(min_value=1, required=False, help_text="Empty: at the end.")
    platform = forms.ModelChoiceField(queryset=Platform.objects.all(), required=False)
    mode = forms.ChoiceField(choices=StepMode.choices)
    agent = forms.ModelChoiceField(queryset=Agent.objects.exclude(status="retired"), required=False)
    decision = forms.CharField(max_length=500, required=False, help_text="The decision made in this step.")
    is_buyer_facing = forms.BooleanField(required=False, label="Buyer-facing")
    roles = forms.ModelMultipleChoiceField(
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Human roles touching it",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agent = cast("forms.ModelChoiceField[Agent]", self.fields["agent"])
        # Replacing label_from_instance per field is Django's documented way; the stubs see a method.
        agent.label_from_instance = lambda a: f"{a.name} (allowed: {a.get_allowed_mode_display()})"  # type: ignore[method-assign,assignment]

    @classmethod
    def initial_for(cls, step: Step) -> dict[str, Any]:
        return {
            "name": step.name,
            "order": step.order,
            "platform": step.platform_id,
            "mode": step.mode,
            "agent": step.agent_id,
            "decision": step.decision,
            "is_buyer_facing": step.is_buyer_facing,
            "roles": list(step.roles.all()),
        }

    def step_data(self) -> StepData:
        d = self.cleaned_data
        return StepData(
            name=d["name"],
            platform=d["platform"],
            mode=d["mode"],
            agent=d["agent"],
            decision=d["decision"],
            is_buyer_facing=d["is_buyer_facing"],
            roles=list(d["roles"]),
            order=d["order"],
        )


class PlatformForm(InputRules, forms.Form):
    name = forms.CharField(max_length=120)
    category = forms.ChoiceField(choices=PlatformCategory.choices)


class InventoryImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="One row per step, with a header row.")

    def clean_file(self) -> str:
        return csv_text(self.cleaned_data["file"], max_mb=10)
