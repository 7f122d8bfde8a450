from django import forms

from core.events import KINDS
from core.validators import InputRules

from .choices import EndpointKind


class EndpointForm(InputRules, forms.Form):
    name = forms.CharField(max_length=100, help_text="What receives it, e.g. “#marops-incidents in Slack”.")
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where MarOps sends each event (http:// or https://). For Slack or Teams, the incoming "
        "webhook URL the channel gave you.",
    )
    kind = forms.ChoiceField(choices=EndpointKind.choices, initial=EndpointKind.JSON, widget=forms.RadioSelect)
    events = forms.MultipleChoiceField(
        choices=[(event, f"{description} ({event})") for event, description in KINDS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
    # The service checks the URL (scheme, host) in the same words for every caller.
    service_checks = ("url",)
