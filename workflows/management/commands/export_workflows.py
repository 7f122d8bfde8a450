from typing import Any

from django.core.management.base import BaseCommand

from workflows.csv_io import inventory_export_csv


class Command(BaseCommand):
    help = "Print the workflow inventory as CSV (one row per step); import_workflows reads it back."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(inventory_export_csv(), ending="")
