from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows, platforms and agents"

    def ready(self) -> None:
        from core.imports import register_importer
        from core.models import ImportKind
        from roles.rules import register_chart_rule
        from roles.selectors import register_adoption_impact
        from roles.services import on_people_changed

        from .adoption import adoption_impact
        from .csv_io import inventory_import
        from .rules import platform_organised
        from .scan import people_changed_refresh

        register_chart_rule(platform_organised)
        on_people_changed(people_changed_refresh)
        register_adoption_impact(adoption_impact)
        register_importer(ImportKind.INVENTORY, inventory_import)
