from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import progress_printer
from roles.csv_io import ChartImportError, chart_import_csv


class Command(BaseCommand):
    help = "Import a chart from CSV into a new scenario. Any bad row and nothing is written."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, one row per position, with a header row")
        parser.add_argument("--scenario", required=True, help="name of the new scenario")

    def handle(self, *args: Any, file: Path, scenario: str, **options: Any) -> None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            progress = progress_printer(self._progress, tty=self.stderr.isatty())
            chart = chart_import_csv(text=text, scenario=scenario, progress=progress)
        except ChartImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error) if error.row else error.reason)
            raise CommandError(f"Nothing imported: {len(exc.errors)} problem(s) in {file}.") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {chart.positions.count()} positions into “{chart.name}”."))

    def _progress(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()
