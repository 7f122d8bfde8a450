import datetime
from typing import Any, cast

from django import forms

from core.validators import InputRules
from roles.choices import ChartStatus
from roles.models import Chart

from .models import MigrationPlan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MigrationPlanForm(InputRules, forms.ModelForm):
    """The Leader's dates: the move takes 6–12 months (“The MarOps Org Chart for the AI Era”), its steps in order."""

    class Meta:
        model = MigrationPlan
        fields = ["started_on", "target_chart", "map_workflows_by", "assign_owners_by", "add_roles_by"]
        widgets = dict.fromkeys(["started_on", "map_workflows_by", "assign_owners_by", "add_roles_by"], DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target_chart = cast("forms.ModelChoiceField[Chart]", self.fields["target_chart"])
        target_chart.queryset = Chart.objects.filter(status=ChartStatus.SCENARIO)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        dates: list[datetime.date | None] = [
            data.get(f) for f in ["started_on", "map_workflows_by", "assign_owners_by", "add_roles_by"]
        ]
        if None in dates:
            return data
        start, *steps = cast(list[datetime.date], dates)  # none of them None, as checked just above
        if steps != sorted(steps) or steps[0] < start:
            raise forms.ValidationError("The three steps come in order, after the start.")
        if not start + datetime.timedelta(days=182) <= steps[-1] <= start + datetime.timedelta(days=366):
            self.add_error(
                "add_roles_by", "The move takes 6–12 months: the last step is due 6 to 12 months after the start."
            )
        return data
