from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows, platforms and agents"

    def ready(self):
        from roles.rules import register_chart_rule

        from .rules import platform_organised

        register_chart_rule(platform_organised)
