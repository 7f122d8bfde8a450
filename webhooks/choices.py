from django.db import models


class EndpointKind(models.TextChoices):
    JSON = "json", "JSON (signed)"
    SLACK = "slack", "Slack incoming webhook"
    TEAMS = "teams", "Microsoft Teams incoming webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


# The event a Leader's "Send a test event" sends: to that endpoint only, whatever it subscribes to.
TEST_EVENT = "webhook.test"
