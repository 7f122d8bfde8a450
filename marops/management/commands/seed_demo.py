from django.core.management.base import BaseCommand

from marops.demo import DEMO_PASSWORD, LIVE_CHART, TARGET_CHART, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) Halcyon Software, the demo company, and the four demo logins."

    def handle(self, *args, **options):
        users = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo company ready: “{LIVE_CHART}” (live) and “{TARGET_CHART}”."))
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for user in users:
            group = user.group or "superuser"
            self.stdout.write(f"  {user.username:<8} {group:<14} lands on {user.lands_on}")
