from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from core.events import happened

        from .receivers import on_happened

        happened.connect(on_happened, dispatch_uid="notifications.on_happened")
