from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import progress_printer
from workflows.csv_io import InventoryImportError, inventory_import_csv


class Command(BaseCommand):
    help = "Import the workflow inventory from CSV (one row per step). Any bad row and nothing is written."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            progress = progress_printer(self._progress, tty=self.stderr.isatty())
            summary = inventory_import_csv(text=text, progress=progress)
        except InventoryImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(exc.errors)} problem(s) in {file}.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.steps} steps: {len(summary.created)} workflows created, "
                f"{len(summary.replaced)} replaced."
            )
        )
        for name in summary.new_platforms:
            self.stdout.write(f"new platform: {name}")
        for name in summary.new_agents:
            self.stdout.write(f"new agent: {name} (review its governance call)")

    def _progress(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()
