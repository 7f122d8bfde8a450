from django.db import models
from django.utils import timezone

from core.db import choices_constraint
from roles.models import Person

from .choices import ALWAYS_SENT, Delivery, Topic


class Notification(models.Model):
    """A message MarOps decided to send: who, about what (`subject_key`, e.g. "incident:12"), at which
    stage ("logged", "overdue-2026-03-02", "manager-…"), and when it went. One row per recipient, topic,
    subject and stage, whatever the number of beats, workers or retries: the database refuses a second,
    so nothing is sent twice. A row with no `sent_at` is still owed (kept until the mail server takes it)."""

    recipient = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Topic.choices)
    subject_key = models.CharField(max_length=60)
    stage = models.CharField(max_length=60)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EMAIL)
    subject = models.CharField(max_length=250)
    link = models.URLField(max_length=500)
    text = models.TextField()
    html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "delivery"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "stage"], name="notifications_notification_once"
            ),
            choices_constraint("kind", Topic, "notifications_notification"),
            models.CheckConstraint(
                condition=models.Q(delivery__in=[Delivery.EMAIL, Delivery.SUMMARY]),
                name="notifications_notification_delivery_valid",
            ),
            # What must always go, goes at once.
            models.CheckConstraint(
                condition=~models.Q(kind__in=ALWAYS_SENT) | models.Q(delivery=Delivery.EMAIL),
                name="notifications_notification_always_sent_by_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class Preference(models.Model):
    """How someone receives one optional topic (e-mail at once, a daily summary, or not at all). No row:
    e-mail at once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notification_preferences")
    topic = models.CharField(max_length=30, choices=Topic.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["person", "topic"], name="notifications_preference_one_per_topic"),
            choices_constraint("delivery", Delivery, "notifications_preference"),
            models.CheckConstraint(
                condition=models.Q(topic__in=[t for t in Topic if t not in ALWAYS_SENT]),
                name="notifications_preference_optional_topics_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_topic_display()} — {self.get_delivery_display()}"
