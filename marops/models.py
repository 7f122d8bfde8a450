from datetime import timedelta
from typing import cast

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobHeartbeat(models.Model):
    """When each scheduled job last ran, so operators can see the worker and beat are alive."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (last ran {self.last_run_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def stale_after() -> timedelta:
        """Beat records its heartbeat every MAROPS_HEARTBEAT_SECONDS (60): three missed runs, or five
        minutes, whichever is longer, mean the worker or beat has stopped."""
        every = cast(float, settings.CELERY_BEAT_SCHEDULE["heartbeat"]["schedule"])
        return max(timedelta(minutes=5), timedelta(seconds=3 * every))

    @property
    def is_stale(self) -> bool:
        """What /readyz and the dashboard both say: the scheduled jobs have stopped running."""
        return timezone.now() - self.last_run_at > self.stale_after()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, e.g. “Marketo webhook”.")
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class MigrationPlan(models.Model):
    """The 6–12 month move from today's chart to the 2026 one, in the three steps of
    “The MarOps Org Chart for the AI Era”.
    Progress is computed from the data; the Leader sets only the dates and the target chart."""

    started_on = models.DateField()
    target_chart = models.ForeignKey(
        "roles.Chart",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The scenario the organisation is moving to.",
    )
    map_workflows_by = models.DateField("step 1, map workflows, by")
    assign_owners_by = models.DateField("step 2, assign owners, by")
    add_roles_by = models.DateField("step 3, add the missing roles, by")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(started_on__lte=models.F("map_workflows_by"))
                & models.Q(map_workflows_by__lte=models.F("assign_owners_by"))
                & models.Q(assign_owners_by__lte=models.F("add_roles_by")),
                name="marops_migrationplan_steps_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Migration plan from {self.started_on}"
