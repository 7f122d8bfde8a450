from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks, Slack and Teams"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.events import happened
        from governance.rules import register_governance_rule

        from .models import Endpoint
        from .receivers import event_happened, forget_subscriptions
        from .rules import webhook_disabled

        happened.connect(event_happened, dispatch_uid="webhooks")
        post_save.connect(forget_subscriptions, sender=Endpoint, dispatch_uid="webhooks-subscriptions")
        post_delete.connect(forget_subscriptions, sender=Endpoint, dispatch_uid="webhooks-subscriptions")
        register_governance_rule(webhook_disabled)
