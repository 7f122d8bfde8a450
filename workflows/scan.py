"""The ownership scan: opens a flag for each ownership problem and resolves flags whose cause is gone.

The causes are one UNION ALL query (`cause_rows`), messages included, built once for both paths.
On PostgreSQL the whole diff is one statement (a FULL JOIN of the causes and the open flags, then
data-modifying CTEs: INSERT the new causes, UPDATE the flags whose cause is gone), so only the
changes travel to Python; elsewhere (SQLite on a first run) Python diffs the causes against the
open flags. Either way a re-run with nothing changed writes nothing, and two scans at once never
duplicate a flag: scans take an advisory lock, and the database keeps one open flag per subject and
kind (the INSERT skips rows that would break that).
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from .choices import SCAN_KINDS, AgentStatus, FlagKind, StepMode, WorkflowStatus
from .models import Agent, OwnershipFlag, Step, Workflow
from .selectors import owner_in_marops


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


def _text(*parts):
    """SQL string concatenation: plain strings are literals, anything else an expression."""
    return Concat(*[Value(p) if isinstance(p, str) else p for p in parts], output_field=CharField())


def _causes(kind: str, queryset, subject: str, message, **links):
    """One kind of cause as rows of (kind, subject_key, message, workflow_id, step_id, agent_id)."""
    return (
        queryset.order_by()
        .annotate(
            kind_=Value(kind, output_field=CharField()),
            subject_=_text(f"{subject}:", Cast("pk", CharField())),
            message_=message,
            **{
                f"{name}_": Cast(value, BigIntegerField())
                if value is not None
                else Cast(Value(None), BigIntegerField())
                for name, value in (
                    ("workflow", links.get("workflow")),
                    ("step", links.get("step")),
                    ("agent", links.get("agent")),
                )
            },
        )
        .values_list("kind_", "subject_", "message_", "workflow_", "step_", "agent_")
    )


def cause_rows():
    """Every ownership problem that exists right now, as one UNION ALL query (the five kinds)."""
    workflows = Workflow.objects.exclude(status=WorkflowStatus.RETIRED)
    quoted = [_text("“", F("name"), "”")]
    without_owner = _causes(
        FlagKind.WORKFLOW_WITHOUT_OWNER,
        workflows.filter(owner__isnull=True),
        "workflow",
        _text(*quoted, " has no owner."),
        workflow=F("pk"),
    )
    inactive = _causes(
        FlagKind.OWNER_INACTIVE,
        workflows.filter(owner__is_active=False),
        "workflow",
        _text("The owner of ", *quoted, ", ", F("owner__name"), ", is inactive."),
        workflow=F("pk"),
    )
    outside = _causes(
        FlagKind.OWNER_OUTSIDE_MAROPS,
        workflows.filter(owner__is_active=True).annotate(in_marops=owner_in_marops()).filter(in_marops=False),
        "workflow",
        _text("The owner of ", *quoted, ", ", F("owner__name"), ", holds no MarOps seat in the live chart."),
        workflow=F("pk"),
    )
    idle_agents = _causes(
        FlagKind.AGENT_IN_NO_WORKFLOW,
        Agent.objects.exclude(status=AgentStatus.RETIRED).filter(~Exists(Step.objects.filter(agent_id=OuterRef("pk")))),
        "agent",
        _text(F("name"), " is ", F("status"), " but acts in no workflow step: nobody owns what it does."),
        agent=F("pk"),
    )
    unaccountable = _causes(
        FlagKind.NO_SINGLE_ACCOUNTABLE,
        Step.objects.filter(is_buyer_facing=True)
        .exclude(mode=StepMode.HUMAN)
        .exclude(workflow__status=WorkflowStatus.RETIRED)
        .filter(Q(workflow__owner__isnull=True) | Q(workflow__owner__is_active=False)),
        "step",
        _text(
            "Nobody is accountable for the buyer-facing AI step “",
            F("name"),
            "” of “",
            F("workflow__name"),
            "”: ",
            Case(
                When(workflow__owner__isnull=True, then=Value("the workflow has no owner.")),
                default=_text("its owner, ", F("workflow__owner__name"), ", is inactive."),
                output_field=CharField(),
            ),
        ),
        workflow=F("workflow_id"),
        step=F("pk"),
    )
    return without_owner.union(inactive, outside, idle_agents, unaccountable, all=True)


def current_causes() -> list[Cause]:
    """Every ownership problem that exists right now (one query)."""
    return [
        Cause(kind, key, message, workflow, step, agent) for kind, key, message, workflow, step, agent in cause_rows()
    ]


SCAN_IN_SQL = """
WITH causes (kind, subject_key, message, workflow_id, step_id, agent_id) AS ({causes}),
open_flags AS (
    SELECT id, kind, subject_key FROM workflows_ownershipflag WHERE resolved_at IS NULL AND kind = ANY(%s)
),
-- One pass over both sides. A FULL JOIN runs as a hash or merge join, never as a nested loop,
-- whatever the table statistics say (the anti-joins this replaced chose, with a stale estimate of
-- one open flag, a nested loop over 46,000 causes for each of 46,000 flags: minutes, not 0.1 s).
diff AS MATERIALIZED (
    SELECT c.kind, c.subject_key, c.message, c.workflow_id, c.step_id, c.agent_id,
           o.id AS open_id
    FROM causes c FULL JOIN open_flags o ON o.kind = c.kind AND o.subject_key = c.subject_key
    WHERE c.kind IS NULL OR o.id IS NULL
),
opened AS (
    INSERT INTO workflows_ownershipflag (kind, subject_key, message, opened_at, workflow_id, step_id, agent_id)
    SELECT kind, subject_key, message, now(), workflow_id, step_id, agent_id FROM diff WHERE open_id IS NULL
    ON CONFLICT DO NOTHING
    RETURNING kind, subject_key, message, workflow_id, step_id, agent_id
), resolved AS (
    UPDATE workflows_ownershipflag f SET resolved_at = now()
    FROM diff d WHERE d.kind IS NULL AND f.id = d.open_id AND f.resolved_at IS NULL
    RETURNING f.id, f.kind, f.subject_key
)
SELECT 'opened', kind, subject_key, message, workflow_id, step_id, agent_id FROM opened
UNION ALL
SELECT 'resolved', kind, subject_key, '', id, NULL, NULL FROM resolved
"""


def _scan_in_sql() -> ScanResult:
    """PostgreSQL: the whole diff in one statement, so nothing but the changes travels to Python."""
    causes_sql, params = cause_rows().query.sql_with_params()
    result = ScanResult()
    with connection.cursor() as cursor:
        cursor.execute(SCAN_IN_SQL.format(causes=causes_sql), [*params, list(SCAN_KINDS)])
        for change, kind, key, message, first, step, agent in cursor.fetchall():
            if change == "opened":
                result.opened.append(Cause(kind, key, message, first, step, agent))
            else:
                result.resolved.append(OwnershipFlag(pk=first, kind=kind, subject_key=key))
    return result


SCAN_LOCK = 731_006_1  # any constant: the key of the advisory lock that serialises scans


@transaction.atomic
def ownership_scan() -> ScanResult:
    """Open flags for new causes and resolve flags whose cause is gone.

    Scans run one at a time (a PostgreSQL advisory lock held until commit): a scan that read the
    causes before another committed could otherwise resolve a flag that scan had just opened."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])
            # The causes and the open flags are joined in memory: room for a few hundred thousand of
            # each, for this transaction only (one scan at a time).
            cursor.execute("SET LOCAL work_mem = '64MB'")
        return _scan_in_sql()
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
