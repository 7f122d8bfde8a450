from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "People, roles and org charts"

    def ready(self) -> None:
        from core.imports import register_importer
        from core.models import ImportKind

        from .csv_io import chart_import

        register_importer(ImportKind.CHART, chart_import)
