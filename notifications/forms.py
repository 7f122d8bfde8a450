from django import forms

from .choices import Delivery
from .selectors import TopicChoice


class PreferencesForm(forms.Form):
    """One choice per optional topic: e-mail at once, a daily summary, or not at all."""

    def __init__(self, *args: object, choices: list[TopicChoice], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for choice in choices:
            self.fields[choice.topic] = forms.ChoiceField(
                label=choice.label, choices=Delivery.choices, initial=choice.delivery, widget=forms.RadioSelect
            )

    def problems(self) -> str:
        """Every error, each after the topic it is about."""
        return " ".join(
            f"{self.fields[name].label}: {' '.join(map(str, errors))}" for name, errors in self.errors.items()
        )
