from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q

from core.imports import csv_text
from core.validators import InputRules

from .choices import ChartStatus, Level, Team
from .models import Chart, Person, Position, Role
from .services import PersonData, PositionData


class PositionForm(InputRules, forms.Form):
    """Everything about a seat, edited at once. Choices are limited to the seat's own chart."""

    title = forms.CharField(max_length=150)
    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_active=True),
        required=False,
        empty_label="— vacancy: hire or promote —",
    )
    roles = forms.ModelMultipleChoiceField(
        queryset=Role.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None for a seat outside marketing (a CEO, a sales director, an engineer).",
    )
    level = forms.ChoiceField(choices=Level.choices)
    team = forms.ChoiceField(choices=Team.choices)
    reports_to = forms.ModelChoiceField(
        queryset=Position.objects.none(),
        required=False,
        label="Reports to",
        empty_label="— nobody (top of the chart) —",
    )
    dotted_lines = forms.ModelMultipleChoiceField(
        queryset=Position.objects.none(),
        required=False,
        label="Dotted lines to",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    salary = forms.IntegerField(min_value=0, required=False, help_text="Leave empty to use the role's band.")

    field_order = ["title", "person", "reports_to", "dotted_lines", "level", "team", "salary", "roles"]

    def __init__(self, *args: Any, chart: Chart, position: Position | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = Q(is_active=True)
        if chart.status == ChartStatus.SCENARIO:
            offered |= Q(is_planned=True)  # planned hires may be seated in any scenario, never in the live chart
        if position is not None and position.person_id:
            # The current holder stays a choice even if inactive, so saving other fields keeps them seated.
            offered |= Q(pk=position.person_id)
        person = cast("forms.ModelChoiceField[Person]", self.fields["person"])
        reports_to = cast("forms.ModelChoiceField[Position]", self.fields["reports_to"])
        dotted_lines = cast("forms.ModelMultipleChoiceField[Position]", self.fields["dotted_lines"])
        person.queryset = Person.objects.filter(offered)
        others = Position.objects.filter(chart=chart).select_related("person").order_by("title")
        if position is not None:
            others = others.exclude(pk=position.pk)
        reports_to.queryset = others
        dotted_lines.queryset = others
        # Replacing label_from_instance per field is Django's documented way; the stubs see a method.
        reports_to.label_from_instance = dotted_lines.label_from_instance = lambda p: (  # type: ignore[method-assign,assignment]
            f"{p.title} ({p.person.name if p.person else 'vacancy'})"
        )

    @classmethod
    def initial_for(cls, position: Position) -> dict[str, Any]:
        return {
            "title": position.title,
            "person": position.person_id,
            "roles": list(position.roles.all()),
            "level": position.level,
            "team": position.team,
            "reports_to": position.reports_to_id,
            "dotted_lines": list(position.dotted_lines.all()),
            "salary": position.salary,
        }

    def position_data(self) -> PositionData:
        data = self.cleaned_data
        return PositionData(
            title=data["title"],
            team=data["team"],
            level=data["level"],
            roles=list(data["roles"]),
            person=data["person"],
            reports_to=data["reports_to"],
            dotted_lines=list(data["dotted_lines"]),
            salary=data["salary"],
        )


class ScenarioForm(InputRules, forms.Form):
    name = forms.CharField(max_length=150, label="Scenario name")


class ChartImportForm(InputRules, forms.Form):
    name = forms.CharField(max_length=150, label="Scenario name")
    file = forms.FileField(label="CSV file", help_text="One row per position, with a header row.")

    def clean_file(self) -> str:
        return csv_text(self.cleaned_data["file"], max_mb=5)


class CompareForm(forms.Form):
    a = forms.ModelChoiceField(queryset=Chart.objects.all(), label="Before")
    b = forms.ModelChoiceField(queryset=Chart.objects.all(), label="After")


class PersonForm(InputRules, forms.Form):
    """A person's name, work e-mail, level, start date and optional login (initials stand in for a photo)."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254, label="Work e-mail")
    level = forms.ChoiceField(choices=Level.choices)
    start_date = forms.DateField(
        required=False, label="Start date", widget=forms.DateInput(attrs={"type": "date"}), help_text="YYYY-MM-DD"
    )
    start_date.earliest_year = 1950  # type: ignore[attr-defined]  # read by InputRules: careers began before 2000
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label="Login",
        empty_label="— no login —",
        to_field_name="username",
    )

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "email": person.email,
            "level": person.level,
            "start_date": person.start_date,
            "user": person.user.username if person.user else None,
        }

    def person_data(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            name=data["name"],
            email=data["email"],
            level=data["level"],
            start_date=data["start_date"],
            user=data["user"],
        )
