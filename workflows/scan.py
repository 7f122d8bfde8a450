"""The ownership scan: opens a flag for each ownership problem and resolves flags whose cause is gone.

The causes are one UNION ALL query (`cause_rows`), messages included, built once for both paths.
On PostgreSQL the whole diff is one statement (a FULL JOIN of the causes and the open flags, then
data-modifying CTEs: INSERT the new causes, UPDATE the flags whose cause is gone), so only the
changes travel to Python; it is built and compiled once per process (`_diff_statement`), the ids
of a refresh's scope being its only parameters that change. Elsewhere (SQLite on a first run)
Python diffs the causes against the open flags. Either way a re-run with nothing changed writes
nothing, and two scans at once never duplicate a flag: scans take an advisory lock, and the database
keeps one open flag per subject and kind (the INSERT skips rows that would break that).
"""

import functools
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import BigIntegerField, BooleanField, CharField, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from core.db import Switch
from core.events import publish_many

from .accountability import ACCOUNTABLE, Gap, buyer_facing_ai_steps, reason_expression, with_gap
from .choices import SCAN_KINDS, AgentStatus, FlagKind, WorkflowStatus
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


def _text(*parts: str | Combinable) -> Concat:
    """SQL string concatenation: plain strings are literals, anything else an expression."""
    return Concat(*[Value(p) if isinstance(p, str) else p for p in parts], output_field=CharField())


class _AnyOf(Func):
    """PostgreSQL's `column = ANY(%s)`: the ids are one array parameter, so the statement's text is the
    same for any scope and is compiled once (`_diff_statement`)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, ids: Collection[int]) -> None:
        super().__init__(F(column))
        self.ids = ids

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]  # as core.db.Switch
        sql, params = compiler.compile(self.get_source_expressions()[0])
        ids = self.ids if isinstance(self.ids, list) else sorted(self.ids)  # a list is kept: it may stand in
        return f"{sql} = ANY(%s)", [*params, ids]


def _among(column: str, ids: Collection[int]) -> Q | _AnyOf:
    return _AnyOf(column, ids) if connection.vendor == "postgresql" else Q(**{f"{column}__in": ids})


def _causes(
    kind: Combinable, queryset: QuerySet[Any], subject: str, message: Combinable, **links: Combinable
) -> QuerySet[Any, tuple[Any, ...]]:
    """Causes as rows of (kind, subject_key, message, workflow_id, step_id, agent_id)."""
    return (
        queryset.order_by()
        .annotate(
            kind_=kind,
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


@dataclass(frozen=True)
class Scope:
    """What a change touched: the scan looks only at these workflows (their steps included) and
    agents. `None` is everything (the periodic scan)."""

    workflow_ids: frozenset[int] = frozenset()
    agent_ids: frozenset[int] = frozenset()


# Which flag a workflow's accountability gap opens (one per workflow; its steps get their own).
GAP_KINDS: dict[str, FlagKind] = {
    Gap.NO_OWNER: FlagKind.WORKFLOW_WITHOUT_OWNER,
    Gap.OWNER_INACTIVE: FlagKind.OWNER_INACTIVE,
    Gap.OWNER_WITHOUT_SEAT: FlagKind.OWNER_OUTSIDE_MAROPS,
    Gap.OWNER_OUTSIDE_MAROPS: FlagKind.OWNER_OUTSIDE_MAROPS,
}


def cause_rows(scope: Scope | None = None, *, messages: bool = True) -> QuerySet[Any, tuple[Any, ...]]:
    """Every ownership problem that exists right now (within `scope`), as one UNION ALL query.

    Workflow and step causes come from the one definition of who is accountable (`with_gap`),
    with its reasons as their messages (left empty with `messages=False`: the scan's first pass
    compares causes by kind and subject alone)."""

    def said(message: Combinable) -> Combinable:
        return message if messages else Value("", output_field=CharField())

    workflows = with_gap(Workflow.objects.exclude(status=WorkflowStatus.RETIRED)).exclude(ACCOUNTABLE)
    steps = buyer_facing_ai_steps().exclude(ACCOUNTABLE)
    agents = Agent.objects.exclude(status=AgentStatus.RETIRED).filter(
        ~Exists(Step.objects.filter(agent_id=OuterRef("pk")))
    )
    if scope is not None:
        workflows = workflows.filter(_among("pk", scope.workflow_ids))
        steps = steps.filter(_among("workflow_id", scope.workflow_ids))
        agents = agents.filter(_among("pk", scope.agent_ids))
    owners = _causes(
        Switch(F("accountability_gap"), GAP_KINDS),
        workflows,
        "workflow",
        said(reason_expression(workflow="name", owner="owner")),
        workflow=F("pk"),
    )
    idle_agents = _causes(
        Value(FlagKind.AGENT_IN_NO_WORKFLOW, output_field=CharField()),
        agents,
        "agent",
        said(_text(F("name"), " is ", F("status"), " but acts in no workflow step: nobody owns what it does.")),
        agent=F("pk"),
    )
    unaccountable = _causes(
        Value(FlagKind.NO_SINGLE_ACCOUNTABLE, output_field=CharField()),
        steps,
        "step",
        said(
            _text(
                "Nobody is accountable for the buyer-facing AI step “",
                F("name"),
                "”: ",
                reason_expression(workflow="workflow__name", owner="workflow__owner"),
            )
        ),
        workflow=F("workflow_id"),
        step=F("pk"),
    )
    return owners.union(idle_agents, unaccountable, all=True)


def current_causes(scope: Scope | None = None) -> list[Cause]:
    """Every ownership problem that exists right now (one query)."""
    return [
        Cause(kind, key, message, workflow, step, agent)
        for kind, key, message, workflow, step, agent in cause_rows(scope)
    ]


def open_flags(scope: Scope | None = None) -> QuerySet[OwnershipFlag, tuple[int, str, str]]:
    """The open flags the scan manages (within `scope`)."""
    flags = OwnershipFlag.objects.filter(resolved_at__isnull=True, kind__in=SCAN_KINDS)
    if scope is not None:
        agent_kind = Q(kind=FlagKind.AGENT_IN_NO_WORKFLOW)
        workflow_flags = ~agent_kind & _among("workflow_id", scope.workflow_ids)
        flags = flags.filter(workflow_flags | (agent_kind & _among("agent_id", scope.agent_ids)))
    return flags.order_by().values_list("id", "kind", "subject_key")


_DIFF_SQL = """
WITH causes (kind, subject_key, message, workflow_id, step_id, agent_id) AS ({causes}),
open_flags (id, kind, subject_key) AS ({open_flags}),
-- One pass over both sides. A FULL JOIN runs as a hash or merge join, never as a nested loop,
-- whatever the table statistics say (the anti-joins this replaced chose, with a stale estimate of
-- one open flag, a nested loop over 46,000 causes for each of 46,000 flags: minutes, not 0.1 s).
diff AS MATERIALIZED (
    SELECT c.kind, c.subject_key, c.message, c.workflow_id, c.step_id, c.agent_id,
           o.id AS open_id
    FROM causes c FULL JOIN open_flags o ON o.kind = c.kind AND o.subject_key = c.subject_key
    WHERE c.kind IS NULL OR o.id IS NULL
),
resolved AS (
    UPDATE workflows_ownershipflag f SET resolved_at = now()
    FROM diff d WHERE d.kind IS NULL AND f.id = d.open_id AND f.resolved_at IS NULL
    RETURNING f.id, f.kind, f.subject_key
)"""

SCAN_IN_SQL = (
    _DIFF_SQL
    + """, opened AS (
    INSERT INTO workflows_ownershipflag (kind, subject_key, message, opened_at, workflow_id, step_id, agent_id)
    SELECT kind, subject_key, message, now(), workflow_id, step_id, agent_id FROM diff WHERE open_id IS NULL
    ON CONFLICT DO NOTHING
    RETURNING kind, subject_key, message, workflow_id, step_id, agent_id
)
SELECT 'opened', kind, subject_key, message, workflow_id, step_id, agent_id FROM opened
UNION ALL
SELECT 'resolved', kind, subject_key, '', id, NULL, NULL FROM resolved
"""
)

# The periodic scan's first pass: the same diff of the causes' kinds and subjects, without their
# messages (a third of the work, and a scan that finds nothing new needs none). It resolves what is
# gone and names what is new; the second pass opens that, messages and all, as a refresh of those
# workflows and agents would (SCAN_IN_SQL).
SCAN_KEYS_SQL = (
    _DIFF_SQL
    + """
SELECT 'new', kind, subject_key, '', workflow_id, step_id, agent_id FROM diff WHERE open_id IS NULL
UNION ALL
SELECT 'resolved', kind, subject_key, '', id, NULL, NULL FROM resolved
"""
)


# Stand-ins for a scope's ids in the compiled statement, replaced by the real ones at each refresh.
_WORKFLOW_IDS: list[int] = []
_AGENT_IDS: list[int] = []


@functools.cache
def _diff_statement(scoped: bool) -> tuple[str, tuple[Any, ...]]:
    """The diff statement and its parameters, built and compiled once per process. Building the causes'
    expressions and compiling them took longer than the database took to run them: a refresh spent
    30-60 ms in Python for 1 ms of SQL."""
    # The stand-in lists reach the parameters as themselves (_AnyOf keeps a list), to be found by identity.
    scope = Scope(_WORKFLOW_IDS, _AGENT_IDS) if scoped else None  # type: ignore[arg-type]
    causes_sql, params = cause_rows(scope, messages=scoped).query.sql_with_params()
    flags_sql, flag_params = open_flags(scope).query.sql_with_params()
    statement = SCAN_IN_SQL if scoped else SCAN_KEYS_SQL
    return statement.format(causes=causes_sql, open_flags=flags_sql), (*params, *flag_params)


# A refresh of up to this many workflows and agents runs the diff as a prepared statement with its
# generic plan (`_prepared_cursor`); a larger one (an import, a person owning many workflows) is planned
# for its ids each time, as the periodic scan is.
PREPARED_SCOPE = 50


class _Prepared(psycopg.Cursor[Any]):
    """A cursor binding its parameters on the server and preparing each statement on its first run."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)


@contextmanager
def _prepared_cursor() -> Iterator[Any]:
    """A cursor that runs the scoped diff as a prepared statement, kept by psycopg per connection (and
    dropped on a rollback). PostgreSQL spent ten times longer planning the 7 KB statement (4 ms) than
    running it for one workflow (0.4 ms); its generic plan, made once per connection, serves any small
    scope (`= ANY` of the ids: the same few index look-ups). `ownership_refresh` asks for the generic
    plan (`plan_cache_mode`, for its transaction); without that PostgreSQL keeps planning each run for
    its ids. Django's own cursor (binding on the client, nothing prepared) where prepared statements are
    off (`prepare_threshold` None: the DATABASES option, off behind a pooler that refuses them)."""
    connection.ensure_connection()
    raw = connection.connection
    if getattr(raw, "prepare_threshold", None) is None:
        with connection.cursor() as plain:
            yield plain
        return
    # Django's wrapper around it: connection.queries, execute_wrapper and error translation apply as usual.
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(cast(CursorWrapper, _Prepared(raw))) as prepared:
        yield prepared


def _scan_in_sql(scope: Scope | None) -> ScanResult:
    """PostgreSQL: the whole diff in one statement, so nothing but the changes travels to Python. The
    periodic scan (no scope) compares keys only and opens what is new in a second, scoped pass."""
    sql, params = _diff_statement(scope is not None)
    if scope is not None:
        workflows, agents = sorted(scope.workflow_ids), sorted(scope.agent_ids)
        params = tuple(
            workflows if param is _WORKFLOW_IDS else agents if param is _AGENT_IDS else param for param in params
        )
    result = ScanResult()
    new: list[Cause] = []
    small = scope is not None and len(scope.workflow_ids) + len(scope.agent_ids) <= PREPARED_SCOPE
    with _prepared_cursor() if small else connection.cursor() as cursor:
        cursor.execute(sql, params)
        for change, kind, key, message, first, step, agent in cursor.fetchall():
            if change == "resolved":
                result.resolved.append(OwnershipFlag(pk=first, kind=kind, subject_key=key))
            else:
                (result.opened if change == "opened" else new).append(Cause(kind, key, message, first, step, agent))
    if new:
        new_workflows = frozenset(cause.workflow_id for cause in new if cause.workflow_id is not None)
        new_agents = frozenset(cause.agent_id for cause in new if cause.agent_id is not None)
        second = _scan_in_sql(Scope(new_workflows, new_agents))
        result.opened += second.opened
        result.resolved += second.resolved
    return result


SCAN_LOCK = 731_006_1  # any constant: the key of the advisory lock that serialises scans


def _diff(scope: Scope | None) -> ScanResult:
    if connection.vendor == "postgresql":
        return _scan_in_sql(scope)
    causes = {cause.identity: cause for cause in current_causes(scope)}
    flags = {(kind, key): OwnershipFlag(pk=pk, kind=kind, subject_key=key) for pk, kind, key in open_flags(scope)}
    result = ScanResult(
        opened=[cause for identity, cause in causes.items() if identity not in flags],
        resolved=[flag for identity, flag in flags.items() if identity not in causes],
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


def _lock(*, shared: bool) -> None:
    """The scan's lock (held until commit). A refresh (shared) also asks, for its transaction, for the
    generic plans of prepared statements (`_prepared_cursor`: no statement but the diff is prepared)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if shared:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock_shared(%s),"
                    " set_config('plan_cache_mode', 'force_generic_plan', true)",
                    [SCAN_LOCK],
                )
            else:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])


@transaction.atomic
def ownership_scan() -> ScanResult:
    """Open flags for new causes and resolve flags whose cause is gone, everywhere: the safety net
    behind `ownership_refresh`, run by beat.

    Scans run one at a time (a PostgreSQL advisory lock held until commit): a scan that read the
    causes before another committed could otherwise resolve a flag that scan had just opened."""
    _lock(shared=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The causes and the open flags are joined in memory: room for a few hundred thousand of
            # each, for this transaction only (one scan at a time).
            cursor.execute("SET LOCAL work_mem = '64MB'")
    return _published(_diff(None))


@transaction.atomic(savepoint=False)  # a failed refresh fails the change it belongs to: no savepoint to undo
def ownership_refresh(
    *, workflow_ids: Iterable[int] = (), agent_ids: Iterable[int | None] = (), owner_ids: Iterable[int] = ()
) -> ScanResult:
    """Bring the flags of what a change touched up to date, in the change's own transaction, so the
    dashboard, the flags page and the Test agree the moment it commits.

    Every service that changes who is accountable calls it: for the workflows it touched, the agents
    whose steps it touched, and the people whose ownership or seats it changed (their workflows).
    Refreshes hold the scan's lock shared: they run side by side, never during a full scan."""
    workflows = set(workflow_ids)
    owners = {pk for pk in owner_ids if pk is not None}
    if owners:
        workflows.update(Workflow.objects.filter(owner_id__in=owners).values_list("pk", flat=True))
    agents = {pk for pk in agent_ids if pk is not None}
    if not workflows and not agents:
        return ScanResult()
    _lock(shared=True)
    return _published(_diff(Scope(frozenset(workflows), frozenset(agents))))


def _published(result: ScanResult) -> ScanResult:
    """Tell the subscribers (core.events) which flags opened and resolved, once the change commits."""
    opened = [
        {
            "flag_kind": cause.kind,
            "subject_key": cause.subject_key,
            "message": cause.message,
            "workflow_id": cause.workflow_id,
            "step_id": cause.step_id,
            "agent_id": cause.agent_id,
        }
        for cause in result.opened
    ]
    resolved = [{"flag_kind": f.kind, "subject_key": f.subject_key, "flag_id": f.pk} for f in result.resolved]
    publish_many("flag.opened", opened)
    publish_many("flag.resolved", resolved)
    return result


def people_changed_refresh(person_ids: set[int] | None) -> None:
    """roles' listener: seats in the live chart, or people's active flag, changed."""
    if person_ids is None:
        ownership_scan()
    else:
        ownership_refresh(owner_ids=person_ids)
