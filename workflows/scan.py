"""The ownership scan: opens a flag for each ownership problem and resolves flags whose cause is gone.

Set-based: one query per kind of finding, one for the open flags, at most one INSERT and one UPDATE,
whatever the number of workflows. Re-running with nothing changed writes nothing. Two scans at once
never duplicate a flag: the database keeps one open flag per subject and kind, and the INSERT skips
rows that would break that (ON CONFLICT DO NOTHING).
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from roles.choices import ChartStatus, Team
from roles.models import Position

from .choices import SCAN_KINDS, AgentStatus, FlagKind, StepMode, WorkflowStatus
from .models import Agent, OwnershipFlag, Step, Workflow


@dataclass(frozen=True)
class Cause:
    """One ownership problem, as the scan sees it."""

    kind: str
    subject_key: str
    message: str
    workflow_id: int | None = None
    step_id: int | None = None
    agent_id: int | None = None

    @property
    def identity(self) -> tuple[str, str]:
        return self.kind, self.subject_key


@dataclass
class ScanResult:
    opened: list[Cause] = field(default_factory=list)
    resolved: list[OwnershipFlag] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.resolved)


def _in_marops_live():
    """Subquery: the person holds a MarOps seat in the live chart."""
    return Exists(
        Position.objects.filter(person_id=OuterRef("owner_id"), chart__status=ChartStatus.LIVE, team=Team.MAROPS)
    )


def current_causes() -> list[Cause]:
    """Every ownership problem that exists right now (five queries)."""
    workflows = Workflow.objects.exclude(status=WorkflowStatus.RETIRED)
    causes = [
        Cause(FlagKind.WORKFLOW_WITHOUT_OWNER, f"workflow:{pk}", f"“{name}” has no owner.", workflow_id=pk)
        for pk, name in workflows.filter(owner__isnull=True).values_list("pk", "name")
    ]
    causes += [
        Cause(
            FlagKind.OWNER_INACTIVE,
            f"workflow:{pk}",
            f"The owner of “{name}”, {owner}, is inactive.",
            workflow_id=pk,
        )
        for pk, name, owner in workflows.filter(owner__is_active=False).values_list("pk", "name", "owner__name")
    ]
    causes += [
        Cause(
            FlagKind.OWNER_OUTSIDE_MAROPS,
            f"workflow:{pk}",
            f"The owner of “{name}”, {owner}, holds no MarOps seat in the live chart.",
            workflow_id=pk,
        )
        for pk, name, owner in workflows.filter(owner__is_active=True)
        .annotate(in_marops=_in_marops_live())
        .filter(in_marops=False)
        .values_list("pk", "name", "owner__name")
    ]
    causes += [
        Cause(
            FlagKind.AGENT_IN_NO_WORKFLOW,
            f"agent:{pk}",
            f"{name} is {status} but acts in no workflow step: nobody owns what it does.",
            agent_id=pk,
        )
        for pk, name, status in Agent.objects.exclude(status=AgentStatus.RETIRED)
        .filter(~Exists(Step.objects.filter(agent_id=OuterRef("pk"))))
        .values_list("pk", "name", "status")
    ]
    unaccountable = (
        Step.objects.filter(is_buyer_facing=True)
        .exclude(mode=StepMode.HUMAN)
        .exclude(workflow__status=WorkflowStatus.RETIRED)
        .filter(Q(workflow__owner__isnull=True) | Q(workflow__owner__is_active=False))
        .values_list("pk", "name", "workflow_id", "workflow__name", "workflow__owner__name")
    )
    causes += [
        Cause(
            FlagKind.NO_SINGLE_ACCOUNTABLE,
            f"step:{pk}",
            f"Nobody is accountable for the buyer-facing AI step “{name}” of “{workflow}”: "
            + (f"its owner, {owner}, is inactive." if owner else "the workflow has no owner."),
            workflow_id=workflow_id,
            step_id=pk,
        )
        for pk, name, workflow_id, workflow, owner in unaccountable
    ]
    return causes


SCAN_LOCK = 731_006_1  # any constant: the key of the advisory lock that serialises scans


@transaction.atomic
def ownership_scan() -> ScanResult:
    """Open flags for new causes and resolve flags whose cause is gone.

    Scans run one at a time (a PostgreSQL advisory lock held until commit): a scan that read the
    causes before another committed could otherwise resolve a flag that scan had just opened."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])
    causes = {cause.identity: cause for cause in current_causes()}
    open_flags = {
        (flag.kind, flag.subject_key): flag
        for flag in OwnershipFlag.objects.filter(resolved_at__isnull=True, kind__in=SCAN_KINDS).only(
            "id", "kind", "subject_key"
        )
    }
    result = ScanResult(
        opened=[cause for identity, cause in causes.items() if identity not in open_flags],
        resolved=[flag for identity, flag in open_flags.items() if identity not in causes],
    )
    now = timezone.now()
    if result.opened:
        OwnershipFlag.objects.bulk_create(
            [
                OwnershipFlag(
                    kind=c.kind,
                    subject_key=c.subject_key,
                    message=c.message,
                    opened_at=now,
                    workflow_id=c.workflow_id,
                    step_id=c.step_id,
                    agent_id=c.agent_id,
                )
                for c in result.opened
            ],
            ignore_conflicts=True,  # another scan opened it a moment ago: one open flag per cause
        )
    if result.resolved:
        OwnershipFlag.objects.filter(pk__in=[f.pk for f in result.resolved], resolved_at__isnull=True).update(
            resolved_at=now
        )
    return result
