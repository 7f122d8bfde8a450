"""The people import's forms: the upload, the column mapping, the role of each job title, and where to
apply it. Each checks its input field by field; the services (hr.services) check the rest."""

from typing import Any

from django import forms

from core.validators import InputRules
from roles.models import Role
from workflows.models import Platform

from .choices import ImportTarget
from .formats import ALL_FIELDS, FORMATS
from .titles import TitleMatch

NOT_IN_FILE = "— not in the file —"
NO_ROLE = "— no role (a seat outside marketing) —"
NO_PLATFORM = "— none —"


class UploadForm(InputRules, forms.Form):
    # An empty file is the service's to refuse, in the same words as the command's.
    file = forms.FileField(
        label="HR export", help_text="CSV (UTF-8 or Windows) or XLSX, with a header row.", allow_empty_file=True
    )
    fmt = forms.ChoiceField(
        label="Exported from",
        choices=[("auto", "Recognise it from the header row"), *FORMATS.items()],
        initial="auto",
    )


class MappingForm(forms.Form):
    """One <select> per field of a person, offering the file's headers; the proposal is preselected."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", NOT_IN_FILE), *((header, header) for header in headers)]
        for name, label, required in ALL_FIELDS:
            self.fields[name] = forms.ChoiceField(label=label, choices=choices, required=False)
            self.fields[name].required_in_file = required  # type: ignore[attr-defined]  # shown as a mark

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name, _, _ in ALL_FIELDS}


def _role_choices() -> list[tuple[str, str]]:
    return [("", NO_ROLE), *Role.objects.order_by("-is_core", "name").values_list("key", "name")]


def _platform_choices(proposed: set[str]) -> list[tuple[str, str]]:
    """The catalogue's platforms, and any the matcher proposes that the catalogue does not have yet (applying
    the import adds them)."""
    names = list(Platform.objects.values_list("name", flat=True))
    known = {name.lower() for name in names}
    names += [name for name in proposed if name.lower() not in known]
    return [("", NO_PLATFORM), *((name, name) for name in sorted(names, key=str.lower))]


class RolesForm(forms.Form):
    """For each distinct job title (`titles`: title, how many people, the matcher's proposal), the role and
    platform expertise it means; the proposal is preselected. `remember` keeps corrections as rules."""

    remember = forms.BooleanField(
        label="Remember these corrections for the next import",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, titles: list[tuple[str, int, TitleMatch]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.titles = titles
        roles = _role_choices()
        platforms = _platform_choices({match.platform_key for _, _, match in titles if match.platform_key})
        # In the table the row's title labels its two selects: each is named by aria-label (a visually hidden
        # <label> is positioned absolutely, and would escape the table's scrolling box on a phone).
        for index, (title, _, match) in enumerate(titles):
            role_label = f"Role for “{title}”"
            self.fields[f"role-{index}"] = forms.ChoiceField(
                label=role_label,
                choices=roles,
                required=False,
                initial=match.role_key or "",
                widget=forms.Select(attrs={"aria-label": role_label}),
            )
            platform_label = f"Expertise for “{title}”"
            self.fields[f"platform-{index}"] = forms.ChoiceField(
                label=platform_label,
                choices=platforms,
                required=False,
                initial=match.platform_key or "",
                widget=forms.Select(attrs={"aria-label": platform_label}),
            )

    def rows(self) -> list[dict[str, Any]]:
        """The table the page shows: each title with its two fields."""
        return [
            {
                "title": title,
                "count": count,
                "match": match,
                "percent": round(match.confidence * 100),
                "role": self[f"role-{index}"],
                "platform": self[f"platform-{index}"],
            }
            for index, (title, count, match) in enumerate(self.titles)
        ]

    def corrections(self) -> dict[str, dict[str, str]]:
        """title -> {"role": key or "", "platform": name or ""}, for the titles whose choice differs from what
        the page proposed: only those are remembered."""
        corrections = {}
        for index, (title, _, match) in enumerate(self.titles):
            if f"role-{index}" not in self.data and f"platform-{index}" not in self.data:
                continue  # not sent (a page from before the file's titles changed): nothing to correct
            role, platform = self.cleaned_data[f"role-{index}"], self.cleaned_data[f"platform-{index}"]
            if (role, platform) != (match.role_key or "", match.platform_key or ""):
                corrections[title] = {"role": role, "platform": platform}
        return corrections


class ApplyForm(InputRules, forms.Form):
    target = forms.ChoiceField(
        label="Where",
        choices=[
            (ImportTarget.SCENARIO, "Into a new scenario, to compare and adopt later"),
            (ImportTarget.LIVE, "As a sync of the live chart, now"),
        ],
        initial=ImportTarget.SCENARIO,
        widget=forms.RadioSelect,
    )
    scenario_name = forms.CharField(
        label="Scenario name", max_length=150, required=False, help_text="Needed for a new scenario."
    )
