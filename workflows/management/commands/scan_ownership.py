from typing import Any

from django.core.management.base import BaseCommand

from workflows.scan import ownership_scan


class Command(BaseCommand):
    help = "Run the ownership scan now (the same code as the scheduled Celery task) and print what changed."

    def handle(self, *args: Any, **options: Any) -> None:
        result = ownership_scan()
        for cause in result.opened:
            self.stdout.write(f"opened\t{cause.kind}\t{cause.subject_key}\t{cause.message}")
        for flag in result.resolved:
            self.stdout.write(f"resolved\t{flag.kind}\t{flag.subject_key}")
        self.stdout.write(f"{len(result.opened)} opened, {len(result.resolved)} resolved")
