from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.imports import progress_printer
from hr.apply import ApplyRefused, apply_rows
from hr.formats import FORMATS, HrFileError, Problem, detect_format, propose_mapping, read_table
from hr.models import PeopleImport
from hr.plan import build_plan, people_import_rows


class Command(BaseCommand):
    help = (
        "Import people from an HR system's export (CSV or XLSX): print the preview, then apply it into a "
        "new scenario (--scenario NAME) or as a sync of the live chart, unless --dry-run. Any problem and "
        "nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the HR system's export, CSV or XLSX, with a header row")
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *FORMATS],
            help="the HR system (default: recognised from the header row)",
        )
        parser.add_argument("--dry-run", action="store_true", help="print the preview and write nothing")
        parser.add_argument(
            "--scenario", default="", help="apply into a new scenario of this name (default: sync the live chart)"
        )

    def handle(self, *args: Any, file: Path, format: str, dry_run: bool, scenario: str, **options: Any) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            table = read_table(content, file.name)
        except HrFileError as exc:
            self._problems(exc.problems)
            raise CommandError(f"Nothing imported: {file} cannot be read.") from exc
        fmt = format if format in FORMATS else detect_format(table.headers)
        target = "scenario" if scenario else "live"
        people_import = PeopleImport(
            filename=file.name,
            content=content,
            fmt=fmt,
            headers=table.headers,
            mapping=propose_mapping(table.headers, fmt),
            target=target,
            scenario_name=scenario,
        )
        read = len(table.rows)
        self.stdout.write(f"{file.name}: {FORMATS[fmt]} export, {read:,} {'row' if read == 1 else 'rows'}.")
        plan = build_plan(people_import, progress=progress_printer(self._progress, tty=self.stderr.isatty()))
        if plan.problems:
            self._problems([Problem(p["row"], p["column"], p["message"]) for p in plan.problems])
            count = len(plan.problems)
            raise CommandError(f"Nothing imported: {count} {'problem' if count == 1 else 'problems'} in {file}.")
        where = f"new scenario “{scenario}”" if scenario else "the live chart (sync)"
        self.stdout.write(f"Preview against {where}:")
        for line in plan.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing written."))
            return
        rows, _ = people_import_rows(people_import)
        try:
            chart, plan = apply_rows(
                rows,
                target=target,
                scenario_name=scenario,
                overrides={},
                by=None,
                reason=f"Imported from {file.name} (manage.py import_people)",
            )
        except ApplyRefused as exc:
            self._problems(exc.problems)
            raise CommandError("Nothing imported.") from exc
        except ValidationError as exc:  # e.g. the scenario's name is taken
            raise CommandError(f"Nothing imported: {' '.join(exc.messages)}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Applied to “{chart.name}”: {plan.changes} change(s), {plan.unchanged} unchanged.")
        )

    def _problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            self.stderr.write(str(problem))

    def _progress(self, text: str) -> None:
        self.stderr.write(text, ending="")
        self.stderr.flush()
