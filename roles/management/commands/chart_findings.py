from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from roles.models import Chart
from roles.rules import chart_findings
from roles.selectors import chart_live


class Command(BaseCommand):
    help = (
        "Print a chart's findings, one per line: rule key, severity, positions involved "
        "(comma-separated) and the message, separated by tabs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chart", help="chart name (default: the live chart)")

    def handle(self, *args: Any, chart: str | None = None, **options: Any) -> None:
        if chart:
            found = Chart.objects.filter(name=chart).first()
            if found is None:
                raise CommandError(f"No chart called “{chart}”.")
        else:
            found = chart_live()
            if found is None:
                raise CommandError("There is no live chart.")
        for finding in chart_findings(found):
            self.stdout.write("\t".join([finding.rule, finding.severity, finding.position_titles, finding.message]))
