"""Webhook endpoints, the deliveries made to them and every attempt at each (docs/webhooks.md)."""

from django.conf import settings
from django.db import models

from core.db import choices_constraint

from .choices import DeliveryStatus, EndpointKind


class Endpoint(models.Model):
    """Where a Leader asked MarOps to send events: a signed JSON receiver, or a Slack or Teams channel."""

    name = models.CharField(max_length=100, help_text="What receives it, e.g. “#marops-incidents in Slack”.")
    url = models.URLField("URL", max_length=2000)
    kind = models.CharField(max_length=10, choices=EndpointKind.choices, default=EndpointKind.JSON)
    events = models.JSONField(default=list, help_text="The event names (core.events.KINDS) it receives.")
    # Kept to sign each delivery (HMAC needs the key itself); shown to the Leader once, at creation.
    secret = models.CharField(max_length=64, editable=False)
    is_enabled = models.BooleanField("enabled", default=True)
    # The first failed attempt of the current run of failures (cleared by a success): failing for longer
    # than MAROPS_WEBHOOK_DISABLE_AFTER_HOURS disables the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    auto_disabled = models.BooleanField(default=False, help_text="Disabled by MarOps after a day of failures.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            choices_constraint("kind", EndpointKind, "webhooks_endpoint"),
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://") | models.Q(url__startswith="https://"),
                name="webhooks_endpoint_url_http",
            ),
            # Disabled means: a moment and a reason; enabled means neither.
            models.CheckConstraint(
                condition=models.Q(is_enabled=True, disabled_at__isnull=True)
                | models.Q(is_enabled=False, disabled_at__isnull=False),
                name="webhooks_endpoint_disabled_at_iff_disabled",
            ),
            models.CheckConstraint(
                condition=models.Q(auto_disabled=False) | models.Q(is_enabled=False),
                name="webhooks_endpoint_auto_disabled_is_disabled",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event for one endpoint: the exact body sent (every attempt sends the same bytes) and where it
    stands. `delivery_id` is the X-MarOps-Delivery header, the same on every attempt and resend, so a
    receiver can ignore a delivery it already has."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(unique=True)
    event_id = models.UUIDField()
    event = models.CharField(max_length=60)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]
        constraints = [
            choices_constraint("status", DeliveryStatus, "webhooks_delivery"),
            # A redelivered fan-out task creates nothing twice.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhooks_delivery_one_per_event"),
            models.CheckConstraint(
                condition=models.Q(status=DeliveryStatus.PENDING, finished_at__isnull=True)
                | (~models.Q(status=DeliveryStatus.PENDING) & models.Q(finished_at__isnull=False)),
                name="webhooks_delivery_finished_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def is_pending(self) -> bool:
        return self.status == DeliveryStatus.PENDING

    @property
    def badge(self) -> str:
        """The badge's CSS class: green delivered, red failed, blue still being sent."""
        return {DeliveryStatus.DELIVERED: "badge-active", DeliveryStatus.FAILED: "badge-alert"}.get(
            DeliveryStatus(self.status), "badge-scenario"
        )


class Attempt(models.Model):
    """One HTTP request of a delivery: what came back (status, time, the first 500 bytes) or the error."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_start = models.TextField(blank=True, help_text="The first 500 bytes of the response.")
    error = models.TextField(blank=True, help_text="Why no answer came: refused, timed out…")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhooks_attempt_unique_number"),
            # Either an HTTP answer or an error saying why there was none.
            models.CheckConstraint(
                # (isnull=False: a NULL comparison would let the check pass unknowing.)
                condition=models.Q(status_code__isnull=False, status_code__gte=100, status_code__lte=599)
                | (models.Q(status_code__isnull=True) & ~models.Q(error="")),
                name="webhooks_attempt_answer_or_error",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.delivery}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
