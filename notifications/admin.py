from django.contrib import admin
from django.http import HttpRequest

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What was sent, to whom and when: a record, read-only."""

    list_display = ["subject", "recipient", "kind", "stage", "delivery", "created_at", "sent_at", "attempts"]
    list_filter = ["kind", "delivery"]
    search_fields = ["subject", "recipient__name", "recipient__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "topic", "delivery", "updated_at"]
    list_filter = ["topic", "delivery"]
