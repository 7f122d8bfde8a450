"""Two charts side by side: seats added, removed, moved and changed; dotted lines added and removed;
roles covered; findings; cost per team and the difference.

Seats are matched by their key, which a clone keeps and a CSV export/import round trip keeps. The
comparison reads "before → after": a scenario comes after the chart it was cloned from."""

from dataclasses import dataclass

from .choices import CoreRole
from .cost import ChartCost, CostRange, TeamCostDifference, chart_cost, cost_difference
from .models import Chart, Position
from .rules import Finding, chart_findings
from .selectors import chart_live, chart_positions


@dataclass(frozen=True)
class SeatChange:
    before: Position
    after: Position
    changes: tuple[str, ...]


@dataclass(frozen=True)
class DottedLine:
    """`seat` has a dotted line to `manager` (both seats of the chart that has the line)."""

    seat: Position
    manager: Position


@dataclass(frozen=True)
class RoleCover:
    """Whether a core role is held before and after, and what that means in one phrase."""

    role: str
    before: bool
    after: bool

    @property
    def change(self) -> str:
        if self.before == self.after:
            return "held in both" if self.after else "missing in both"
        return "newly held" if self.after else "no longer held"


@dataclass
class ChartSide:
    chart: Chart
    positions: list[Position]
    findings: list[Finding]
    cost: ChartCost
    core_roles_held: dict[str, bool]


@dataclass
class ChartComparison:
    a: ChartSide
    b: ChartSide
    added: list[Position]
    removed: list[Position]
    moved: list[SeatChange]
    changed: list[SeatChange]
    team_costs: list[TeamCostDifference]
    dotted_added: list[DottedLine]
    dotted_removed: list[DottedLine]

    @property
    def total_change(self) -> CostRange:
        return self.b.cost.total - self.a.cost.total

    @property
    def is_identical(self) -> bool:
        return not (
            self.added or self.removed or self.moved or self.changed or self.dotted_added or self.dotted_removed
        )

    @property
    def core_roles(self) -> list[RoleCover]:
        return [RoleCover(role, held, self.b.core_roles_held[role]) for role, held in self.a.core_roles_held.items()]

    @property
    def findings_cleared(self) -> list[Finding]:
        """Findings of the chart before that the chart after no longer has (same rule and message)."""
        after = {(f.rule, f.message) for f in self.b.findings}
        return [f for f in self.a.findings if (f.rule, f.message) not in after]

    @property
    def findings_new(self) -> list[Finding]:
        """Findings the chart after has that the chart before had not."""
        before = {(f.rule, f.message) for f in self.a.findings}
        return [f for f in self.b.findings if (f.rule, f.message) not in before]


def _side(chart: Chart) -> ChartSide:
    positions = chart_positions(chart)
    held = {role.key for position in positions for role in position.role_list()}
    return ChartSide(
        chart=chart,
        positions=positions,
        findings=chart_findings(chart, positions),
        cost=chart_cost(positions),
        core_roles_held={label: key in held for key, label in CoreRole.choices},
    )


def _money(value: int | None) -> str:
    return "band" if value is None else f"£{value:,}"


def _describe_changes(before: Position, after: Position) -> tuple[str, ...]:
    changes = []
    if before.title != after.title:
        changes.append(f"title “{before.title}” → “{after.title}”")
    if before.person_id != after.person_id:
        old = before.person.name if before.person else "vacancy"
        new = after.person.name if after.person else "vacancy"
        changes.append(f"person {old} → {new}")
    if before.level != after.level:
        changes.append(f"level {before.get_level_display()} → {after.get_level_display()}")
    if before.team != after.team:
        changes.append(f"team {before.get_team_display()} → {after.get_team_display()}")
    old_roles = {r.name for r in before.role_list()}
    new_roles = {r.name for r in after.role_list()}
    if old_roles != new_roles:
        changes.append(f"roles {', '.join(sorted(old_roles)) or '—'} → {', '.join(sorted(new_roles)) or '—'}")
    if before.salary != after.salary:
        changes.append(f"salary {_money(before.salary)} → {_money(after.salary)}")
    return tuple(changes)


def _dotted_lines(positions: list[Position]) -> dict[tuple[str, str], DottedLine]:
    return {
        (seat.key, manager.key): DottedLine(seat, manager) for seat in positions for manager in seat.dotted_line_list()
    }


def compare_pair(chart: Chart) -> tuple[Chart, Chart | None]:
    """The charts to compare when a comparison is opened from `chart`: (before, after).

    A scenario comes after the chart it was cloned from (the live chart if it was imported or its
    source is gone), so its seats added and its cost difference read the way the plan goes. Any
    other chart is the "before", and the user picks what comes after."""
    if chart.is_scenario:
        before = chart.based_on or chart_live()
        if before is not None and before.pk != chart.pk:
            return before, chart
    return chart, None


def chart_compare(a: Chart, b: Chart) -> ChartComparison:
    """Compare chart `a` (before) with chart `b` (after)."""
    side_a, side_b = _side(a), _side(b)
    # Keyed by optional values, so that "no manager" (None) is looked up, and found in neither.
    by_key_a: dict[str | None, Position] = {p.key: p for p in side_a.positions}
    by_key_b: dict[str | None, Position] = {p.key: p for p in side_b.positions}
    key_of_a: dict[int | None, str] = {p.pk: p.key for p in side_a.positions}
    key_of_b: dict[int | None, str] = {p.pk: p.key for p in side_b.positions}
    moved, changed = [], []
    for key in sorted(by_key_a.keys() & by_key_b.keys(), key=lambda k: by_key_b[k].title):
        before, after = by_key_a[key], by_key_b[key]
        if key_of_a.get(before.reports_to_id) != key_of_b.get(after.reports_to_id):
            old_manager = by_key_a.get(key_of_a.get(before.reports_to_id))
            new_manager = by_key_b.get(key_of_b.get(after.reports_to_id))
            moved.append(
                SeatChange(
                    before,
                    after,
                    (
                        f"reports to {old_manager.title if old_manager else 'nobody'} → "
                        f"{new_manager.title if new_manager else 'nobody'}",
                    ),
                )
            )
        changes = _describe_changes(before, after)
        if changes:
            changed.append(SeatChange(before, after, changes))
    dotted_a, dotted_b = _dotted_lines(side_a.positions), _dotted_lines(side_b.positions)
    return ChartComparison(
        a=side_a,
        b=side_b,
        added=sorted((by_key_b[k] for k in by_key_b.keys() - by_key_a.keys()), key=lambda p: p.title),
        removed=sorted((by_key_a[k] for k in by_key_a.keys() - by_key_b.keys()), key=lambda p: p.title),
        moved=moved,
        changed=changed,
        team_costs=cost_difference(side_a.cost, side_b.cost),
        dotted_added=[
            dotted_b[k] for k in sorted(dotted_b.keys() - dotted_a.keys(), key=lambda k: dotted_b[k].seat.title)
        ],
        dotted_removed=[
            dotted_a[k] for k in sorted(dotted_a.keys() - dotted_b.keys(), key=lambda k: dotted_a[k].seat.title)
        ],
    )
