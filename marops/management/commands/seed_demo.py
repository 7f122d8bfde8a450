from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core import events
from marops.demo import DEMO_PASSWORD, DEMO_USERS, LIVE_CHART, TARGET_CHART, DemoUser, seed_demo
from roles.models import Chart


class Command(BaseCommand):
    help = "Create (or refresh) Halcyon Software, the demo company, and the four demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has a chart (used by `make run`, so a "
            "second run never overwrites what users changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Chart.objects.exists():
            self.stdout.write(
                "The database already has data; demo not loaded (run seed_demo without --if-empty to refresh it)."
            )
            self._print_logins(DEMO_USERS)
            return
        with events.quiet():
            users = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo company ready: “{LIVE_CHART}” (live) and “{TARGET_CHART}”."))
        self._print_logins(users)

    def _print_logins(self, users: list[DemoUser]) -> None:
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for user in users:
            group = user.group or "superuser"
            self.stdout.write(f"  {user.username:<8} {group:<14} lands on {user.lands_on}")
