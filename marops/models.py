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

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
