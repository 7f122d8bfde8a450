from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import JobHeartbeat, MigrationPlan


def heartbeat_record(*, name: str) -> JobHeartbeat:
    """Record that the job `name` ran now. Safe under concurrent workers (one row per name)."""
    now = timezone.now()
    heartbeat, created = JobHeartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1})
    if not created:
        JobHeartbeat.objects.filter(pk=heartbeat.pk).update(last_run_at=now, runs=F("runs") + 1)
        heartbeat.refresh_from_db()
    return heartbeat


@transaction.atomic
def plan_save(*, plan: MigrationPlan, data: dict[str, Any]) -> MigrationPlan:
    """The Leader's dates and target for the three-step move (checked by MigrationPlanForm)."""
    for name, value in data.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    return plan
