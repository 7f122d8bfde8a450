"""The webhooks' finding, registered into governance's rules (webhooks/apps.py)."""

from django.conf import settings
from django.utils import timezone

from governance.rules import GovernanceFinding

from .models import Endpoint


def webhook_disabled() -> list[GovernanceFinding]:
    """An endpoint that failed for a day and was disabled: its events are no longer sent anywhere."""
    return [
        GovernanceFinding(
            "webhook-disabled",
            f"The webhook “{endpoint.name}” was disabled on "
            f"{timezone.localtime(endpoint.disabled_at):%d %b %Y at %H:%M} after "
            f"{settings.MAROPS_WEBHOOK_DISABLE_AFTER_HOURS:g} hours of failed deliveries; "
            f"its events are not being sent. {endpoint.disabled_reason} "
            "Fix the receiver, send a test event, then enable it again.",
        )
        for endpoint in Endpoint.objects.filter(auto_disabled=True).order_by("disabled_at", "pk")
        if endpoint.disabled_at is not None  # always: a constraint
    ]
