"""The reporting rules of the 2026 MarOps model, checked against one chart.

Each rule is one function named after its key in docs/design.md (`head-reports-to-cmo` is
`head_reports_to_cmo`). A rule takes a `ChartFacts` (everything loaded up front, in a fixed
number of queries whatever the chart's size) and returns a list of `Finding`s.
"""

import functools
import hashlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.cache import cache

from .choices import CoreRole, Level, Team, level_rank
from .cost import ChartCost, chart_cost
from .models import Chart, Person, Position
from .selectors import chart_positions, people_unplaced, seat_path

logger = logging.getLogger(__name__)


class FindingSeverity:
    """How much a chart finding matters (incidents have their own scale, governance.choices.Severity)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    advice: str
    positions: tuple[Position, ...] = ()

    @property
    def position_titles(self) -> str:
        return ", ".join(position.title for position in self.positions)


@dataclass
class ChartFacts:
    """A chart with what the rules need, loaded once."""

    chart: Chart
    positions: list[Position]
    unplaced: list[Person] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Keyed by int | None so that a top position's manager (reports_to_id None) is looked up as None.
        self.by_id: dict[int | None, Position] = {position.pk: position for position in self.positions}
        self.role_keys: dict[int, set[str]] = {}
        self._holders: dict[str, list[Position]] = {}
        for position in self.positions:
            keys = self.role_keys[position.pk] = {role.key for role in position.role_list()}
            for key in keys:
                self._holders.setdefault(key, []).append(position)

    def holding(self, key: str) -> list[Position]:
        """The positions holding role `key`, in the chart's order."""
        return list(self._holders.get(key, ()))

    def manager(self, position: Position) -> Position | None:
        return self.by_id.get(position.reports_to_id)


def chart_facts(chart: Chart, positions: list[Position] | None = None) -> ChartFacts:
    """Load a chart for the rules in a fixed number of queries, whatever its size.

    Pass `positions` (from `selectors.chart_positions`) when the page has loaded them already."""
    return ChartFacts(
        chart=chart,
        positions=chart_positions(chart) if positions is None else positions,
        unplaced=list(people_unplaced(chart)) if chart.is_live else [],
    )


def head_reports_to_cmo(facts: ChartFacts) -> list[Finding]:
    """“The MarOps Org Chart for the AI Era”: “MarOps reports to the CMO directly. Not to demand gen, not to growth.”"""
    findings = []
    for head in facts.holding(CoreRole.HEAD_OF_MAROPS):
        manager = facts.manager(head)
        if manager is not None and "cmo" in facts.role_keys[manager.pk]:
            continue
        through = f"reports to {manager.title}" if manager else "reports to nobody"
        findings.append(
            Finding(
                "head-reports-to-cmo",
                FindingSeverity.HIGH,
                f"The Head of Marketing Operations ({head.title}) {through}, not directly to the CMO.",
                "The function's decisions cross every marketing sub-function; reporting through one of "
                "them produces conflicts of interest that block AI governance work.",
                (head,) + ((manager,) if manager else ()),
            )
        )
    return findings


def steward_dotted_to_cdo(facts: ChartFacts) -> list[Finding]:
    """“The MarOps Org Chart for the AI Era”: “Data Steward has a dotted line to the CDO if one exists.”"""
    cdos = facts.holding("cdo")
    if not cdos:
        return []
    cdo_ids = {cdo.pk for cdo in cdos}
    findings = []
    for steward in facts.holding(CoreRole.DATA_STEWARD):
        lines = {p.pk for p in steward.dotted_line_list()} | {steward.reports_to_id}
        if lines & cdo_ids:
            continue
        findings.append(
            Finding(
                "steward-dotted-to-cdo",
                FindingSeverity.MEDIUM,
                f"The Data Steward ({steward.title}) has no dotted line to the CDO ({cdos[0].title}).",
                "Marketing data and customer data should not diverge. The dotted line forces the conversation.",
                (steward, cdos[0]),
            )
        )
    return findings


def pkd_inside_marops(facts: ChartFacts) -> list[Finding]:
    """“The MarOps Org Chart for the AI Era”: “Prompt and Knowledge Designer reports inside MarOps, not Content.”"""
    findings = []
    for designer in facts.holding(CoreRole.PROMPT_KNOWLEDGE_DESIGNER):
        manager = facts.manager(designer)
        if manager is not None and manager.team == Team.MAROPS and designer.team == Team.MAROPS:
            continue
        where = f"reports to {manager.title} ({manager.get_team_display()})" if manager else "reports to nobody"
        findings.append(
            Finding(
                "pkd-inside-marops",
                FindingSeverity.MEDIUM,
                f"The Prompt and Knowledge Designer ({designer.title}) {where}, outside MarOps.",
                "The role is closer to operations than to content production. Putting it under content "
                "makes it the writer's helper instead of the system's owner.",
                (designer,) + ((manager,) if manager else ()),
            )
        )
    return findings


def head_level(facts: ChartFacts) -> list[Finding]:
    """“The MarOps Org Chart for the AI Era”: “typically Director or VP level … The function is not
    delegable to a coordinator.”"""
    return [
        Finding(
            "head-level",
            FindingSeverity.HIGH,
            f"The Head of Marketing Operations ({head.title}) is at {head.get_level_display()} level; "
            "the role is Director or VP.",
            "Owns the function, makes the AI governance call, defends the budget and hires the next "
            "three roles: a senior role, not delegable to a coordinator.",
            (head,),
        )
        for head in facts.holding(CoreRole.HEAD_OF_MAROPS)
        if level_rank(head.level) < level_rank(Level.DIRECTOR)
    ]


def missing_role(facts: ChartFacts) -> list[Finding]:
    """Each of the four core roles is held by someone; a vacancy counts as a planned hire."""
    held = set().union(*facts.role_keys.values()) if facts.role_keys else set()
    return [
        Finding(
            "missing-role",
            FindingSeverity.HIGH if key == CoreRole.HEAD_OF_MAROPS else FindingSeverity.MEDIUM,
            f"No position holds the {label} role.",
            "Hire (or promote) into the missing roles before adding more campaign managers or "
            "coordinators. Small teams may combine roles into one or two heads.",
        )
        for key, label in CoreRole.choices
        if key not in held
    ]


JUNIOR_GENERALIST_ROLES = {"marketing-coordinator", "campaign-manager"}


def hiring_order(facts: ChartFacts) -> list[Finding]:
    """“The MarOps Org Chart for the AI Era”: “Junior generalist contraction, senior specialist expansion.”"""
    if not missing_role(facts):
        return []
    vacancies = tuple(p for p in facts.positions if p.is_vacancy and facts.role_keys[p.pk] & JUNIOR_GENERALIST_ROLES)
    if not vacancies:
        return []
    return [
        Finding(
            "hiring-order",
            FindingSeverity.MEDIUM,
            f"{len(vacancies)} coordinator or campaign-manager "
            f"{'vacancy is' if len(vacancies) == 1 else 'vacancies are'} open "
            "while a core MarOps role is missing.",
            "Hire (or promote) into the missing core roles before adding more campaign managers or coordinators.",
            vacancies,
        )
    ]


def unplaced_person(facts: ChartFacts) -> list[Finding]:
    """An active person who holds no position in the live chart. A planned hire (from a scenario) is not
    in the organisation yet, so never unplaced: `people_unplaced` leaves them out."""
    return [
        Finding(
            "unplaced-person",
            FindingSeverity.LOW,
            f"{person.name} is active but holds no position in the live chart.",
            "Place everyone, so each workflow owner and each expert has a seat and a reporting line.",
        )
        for person in facts.unplaced
    ]


ChartRule = Callable[[ChartFacts], list[Finding]]

RULES: list[ChartRule] = [
    head_reports_to_cmo,
    steward_dotted_to_cdo,
    pkd_inside_marops,
    head_level,
    missing_role,
    hiring_order,
    unplaced_person,
]


def register_chart_rule(rule: ChartRule) -> ChartRule:
    """Add a rule that needs more than the chart (e.g. workflows' `platform_organised`).

    Apps that depend on roles register their chart rules here from AppConfig.ready(), so roles
    itself imports none of them."""
    if rule not in RULES:
        RULES.append(rule)
    return rule


def findings_from(facts: ChartFacts) -> list[Finding]:
    """Every finding of the chart's rules, most severe first."""
    findings = [finding for rule in RULES for finding in rule(facts)]
    return sorted(findings, key=lambda f: FindingSeverity.ORDER[f.severity])


def chart_findings(chart: Chart, positions: list[Position] | None = None) -> list[Finding]:
    return findings_from(chart_facts(chart, positions))


@dataclass
class ChartReading:
    """What a page shows of a whole chart besides its seats: its findings, who is unplaced, its cost."""

    findings: list[Finding]
    unplaced: list[Person]
    cost: ChartCost
    # Each seat a finding involves: its findings' [rule, severity] and the seats from the top down to it.
    involved: dict[int, dict[str, list[Any]]] = field(default_factory=dict)


# A reading is kept a day at most; it is never used once anything the rules read has changed.
READING_SECONDS = 24 * 3600


@functools.cache
def _code_signature(rules: tuple[ChartRule, ...]) -> str:
    """What the rules' code is (their modules' source, and the cost's): a deploy that changes a rule never
    reads a reading its previous code kept."""
    modules = {rule.__module__ for rule in rules} | {__name__, chart_cost.__module__, "roles.choices"}
    digest = hashlib.sha256()
    for name in sorted(modules):
        digest.update(Path(sys.modules[name].__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def chart_reading(chart: Chart, positions: list[Position]) -> ChartReading:
    """The chart's findings (`findings_from`, the one computation every screen uses), unplaced people and
    cost, from `positions` (`selectors.chart_positions`).

    Kept in the cache under the findings version the chart was read with (`chart.findings_version`, see
    roles/findings_version.py): the database raises it with the commit of any write to what the rules
    read, so a kept reading is one the rules would compute again now. Without a version (not PostgreSQL,
    or a transaction that has itself written), it is computed and not kept."""
    version = getattr(chart, "findings_version", None)
    key = f"chart-reading:{version}:{chart.pk}:{_code_signature(tuple(RULES))}" if version else None
    if key is not None:
        kept = _cache_call(cache.get, key)
        reading = _unpacked(kept, positions) if kept is not None else None
        if reading is not None:
            return reading
    facts = chart_facts(chart, positions)
    findings = findings_from(facts)
    reading = ChartReading(findings, facts.unplaced, chart_cost(positions), _involved(findings, positions))
    if key is not None:
        _cache_call(cache.set, key, _packed(reading), READING_SECONDS)
    return reading


def _cache_call(method: Callable[..., Any], *args: Any) -> Any:
    """A call to the cache that cannot fail the page: without the cache, the reading is computed."""
    try:
        return method(*args)
    except Exception:  # Redis down or unreachable: its client's errors, whatever they are
        logger.warning("chart readings: the cache did not answer", exc_info=True)
        return None


def _involved(findings: list[Finding], positions: list[Position]) -> dict[int, dict[str, list[Any]]]:
    manager_of = {position.id: position.reports_to_id for position in positions}
    involved: dict[int, dict[str, list[Any]]] = {}
    for finding in findings:
        for position in finding.positions:
            seat = involved.setdefault(position.id, {"rules": [], "path": seat_path(manager_of, position.id)})
            seat["rules"].append([finding.rule, finding.severity])
    return involved


def _packed(reading: ChartReading) -> dict[str, Any]:
    """A reading as plain values: each seat by its id (the page has read the seats themselves)."""
    cost = reading.cost
    return {
        "findings": [(f.rule, f.severity, f.message, f.advice, [p.pk for p in f.positions]) for f in reading.findings],
        "unplaced": [(p.pk, p.name, p.level) for p in reading.unplaced],
        "cost": (cost.total, cost.per_team, [p.pk for p in cost.unpriced]),
        "involved": reading.involved,
    }


def _unpacked(kept: dict[str, Any], positions: list[Position]) -> ChartReading | None:
    """The reading back, with the seats just read; None if it names a seat not among them."""
    by_id = {position.id: position for position in positions}
    try:
        findings = [
            Finding(rule, severity, message, advice, tuple(by_id[pk] for pk in seats))
            for rule, severity, message, advice, seats in kept["findings"]
        ]
        total, per_team, unpriced = kept["cost"]
        cost = ChartCost(total, per_team, [by_id[pk] for pk in unpriced])
    except KeyError:
        return None
    unplaced = [Person(pk=pk, name=name, level=level) for pk, name, level in kept["unplaced"]]
    return ChartReading(findings, unplaced, cost, kept["involved"])
