from typing import Any

from django.core.management.base import BaseCommand

from workflows.selectors import ARTICLE, accountability_test


class Command(BaseCommand):
    help = (
        f"The Test of {ARTICLE}: one line per buyer-facing AI step (workflow, step, the accountable person's "
        "e-mail or '-', the reason when there is none; tab-separated), then 'score: PASSED/TOTAL'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = accountability_test()
        for step, accountability in result.rows:
            fields = [step.workflow.name, step.name, accountability.person.email if accountability.person else "-"]
            if not accountability.person:
                fields.append(accountability.reason)
            self.stdout.write("\t".join(fields))
        self.stdout.write(f"score: {result.passed}/{result.total}")
