from django.db import models


class JobHeartbeat(models.Model):
    """When each scheduled job last ran, so operators can see the worker and beat are alive."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (last ran {self.last_run_at:%Y-%m-%d %H:%M})"
