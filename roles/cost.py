"""What a chart costs: a range, from role bands or actual salaries.

“The MarOps Org Chart for the AI Era”: a four-role team is £250–350K all-in and replaces 1–2 layers of coordinators and
specialists, so net cost is roughly flat. A position counts its actual salary if set, else the
band of the highest-paid role it holds, once (a seat combining roles is one salary). A seat outside
marketing (no catalogue role, from an HR import) counts its actual salary, or nothing: it is listed as
unpriced rather than guessed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .choices import Team
from .models import Position


@dataclass(frozen=True)
class CostRange:
    low: int = 0
    high: int = 0

    def __add__(self, other: "CostRange") -> "CostRange":
        return CostRange(self.low + other.low, self.high + other.high)

    def __sub__(self, other: "CostRange") -> "CostRange":
        return CostRange(self.low - other.low, self.high - other.high)


@dataclass
class ChartCost:
    total: CostRange = CostRange()
    per_team: dict[str, CostRange] = field(default_factory=dict)
    unpriced: list[Position] = field(default_factory=list)  # no salary and no role

    @property
    def teams(self) -> list[tuple[str, CostRange]]:
        labels = dict(Team.choices)
        return sorted(((labels.get(k, k), v) for k, v in self.per_team.items()), key=lambda kv: -kv[1].high)


def position_cost(position: Position) -> CostRange | None:
    """Salary if known; otherwise the highest band among its roles, counted once."""
    if position.salary is not None:
        return CostRange(position.salary, position.salary)
    roles = position.role_list()
    if not roles:
        return None
    top = max(roles, key=lambda role: (role.band_max, role.band_min))
    return CostRange(top.band_min, top.band_max)


def chart_cost(positions: list[Position]) -> ChartCost:
    """The cost of a chart from its loaded positions (roles prefetched): no queries."""
    per_team: dict[str, CostRange] = defaultdict(CostRange)
    total, unpriced = CostRange(), []
    for position in positions:
        cost = position_cost(position)
        if cost is None:
            unpriced.append(position)
            continue
        per_team[position.team] += cost
        total += cost
    return ChartCost(total, dict(per_team), unpriced)


@dataclass(frozen=True)
class TeamCostDifference:
    team: str
    before: CostRange
    after: CostRange

    @property
    def change(self) -> CostRange:
        return self.after - self.before


def cost_difference(before: ChartCost, after: ChartCost) -> list[TeamCostDifference]:
    """Per team, what `after` costs against `before` (teams in either chart)."""
    labels = dict(Team.choices)
    teams = sorted(set(before.per_team) | set(after.per_team), key=lambda t: labels.get(t, t))
    return [
        TeamCostDifference(labels.get(t, t), before.per_team.get(t, CostRange()), after.per_team.get(t, CostRange()))
        for t in teams
    ]
