"""Reads for people, charts and positions, each in a fixed number of queries."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When

from .choices import ChartStatus, CoreRole
from .models import Chart, Person, Position


def chart_live() -> Chart | None:
    return Chart.objects.filter(status=ChartStatus.LIVE).first()


def chart_list() -> QuerySet[Chart]:
    return Chart.objects.select_related("based_on").annotate(
        position_count=Count("positions"),
        vacancy_count=Count("positions", filter=Q(positions__person__isnull=True)),
    )


def person_list() -> QuerySet[Person]:
    """Everyone, planned hires included, each with `seats`: their positions in every chart (the chart
    joined), the live chart first, then scenarios, then former live charts. Two queries."""
    chart_order = Case(
        When(chart__status=ChartStatus.LIVE, then=Value(0)),
        When(chart__status=ChartStatus.SCENARIO, then=Value(1)),
        default=Value(2),
    )
    seats = Position.objects.select_related("chart").order_by(chart_order, "chart__name", "title")
    return Person.objects.select_related("user").prefetch_related(Prefetch("positions", seats, to_attr="seats"))


def people_planned(chart: Chart) -> QuerySet[Person]:
    """Planned hires seated in `chart`: the people who join the organisation if it is adopted."""
    return Person.objects.filter(is_planned=True, positions__chart=chart).order_by("name")


# What a page over a whole chart reads of each seat, as lists (see `Position.role_list`).
POSITION_PREFETCH = [
    Prefetch("roles", to_attr="prefetched_roles"),
    Prefetch("platform_expertise", to_attr="prefetched_platform_expertise"),
    Prefetch(
        "dotted_lines",
        queryset=Position.objects.only("id", "title", "key", "chart_id"),
        to_attr="prefetched_dotted_lines",
    ),
]


_POSITION_FIELDS = [f.attname for f in Position._meta.concrete_fields]


# A chart as a page holds it, named so that the project (marops) can type it without the models.
ChartShown = Chart


class ChartSeats(NamedTuple):
    """The live chart and the seats of it and of a target chart (a scenario), as the dashboard reads them."""

    live: Chart | None
    live_positions: list[Position]
    target_positions: list[Position]


def live_and_target_seats(target_id: int | None) -> ChartSeats:
    """The live chart's and the target's seats, with roles and dotted lines: three queries. Only what
    the rules and the cost read: no people, and of the chart only its name and status. A target that
    is the live chart has no target seats."""
    positions = list(
        Position.objects.filter(Q(chart__status=ChartStatus.LIVE) | Q(chart_id=target_id))
        .select_related("chart")
        .only(*_POSITION_FIELDS, "chart__name", "chart__status")
        .prefetch_related(*(p for p in POSITION_PREFETCH if p.prefetch_through != "platform_expertise"))
    )
    live = [p for p in positions if p.chart.status == ChartStatus.LIVE]
    target = [p for p in positions if p.chart_id == target_id and p.chart.status != ChartStatus.LIVE]
    return ChartSeats(live[0].chart if live else None, live, target)


def chart_positions(chart: Chart | int) -> list[Position]:
    """Every position of a chart with what a page shows of it: four queries whatever the size.

    Each position carries its chart (joined), so a page that has only the chart's id needs no
    query of its own for the chart unless the chart is empty."""
    return list(
        Position.objects.filter(chart=chart)
        .select_related("person", "chart")
        .prefetch_related(*POSITION_PREFETCH)
        .order_by("title")
    )


@dataclass
class TreeNode:
    position: Position
    depth: int
    children: list["TreeNode"] = field(default_factory=list)
    closes: range = range(0)  # how many open branches end right after this node (for nested HTML)


def chart_tree(chart: Chart | None = None, positions: list[Position] | None = None) -> list[TreeNode]:
    """The chart as a depth-first list of nodes, root first, reports in title order."""
    if positions is None:
        positions = chart_positions(chart) if chart is not None else []
    children: dict[int | None, list[Position]] = {}
    for position in positions:
        children.setdefault(position.reports_to_id, []).append(position)
    ordered: list[TreeNode] = []

    def walk(position: Position, depth: int) -> TreeNode:
        node = TreeNode(position, depth)
        ordered.append(node)
        for child in children.get(position.pk, []):
            node.children.append(walk(child, depth + 1))
        return node

    for root in children.get(None, []):
        walk(root, 0)
    for node, following in zip(ordered, ordered[1:] + [None], strict=True):
        if not node.children:
            node.closes = range(node.depth - (following.depth if following else 0))
    return ordered


def people_unplaced(chart: Chart) -> QuerySet[Person]:
    """Active people who hold no position in `chart`. Planned hires are not in the organisation yet
    (the database keeps them inactive too), so they are never unplaced."""
    return Person.objects.filter(is_active=True, is_planned=False).exclude(positions__chart=chart)


def head_of_marops() -> Person | None:
    """The active person holding the Head of Marketing Operations role in the live chart: who makes
    the AI governance call and gets the flag digest."""
    return (
        Person.objects.filter(
            is_active=True,
            positions__chart__status=ChartStatus.LIVE,
            positions__roles__key=CoreRole.HEAD_OF_MAROPS,
        )
        .order_by("pk")
        .first()
    )


def people_holding(role_key: str) -> QuerySet[Person]:
    """People holding `role_key` in the live chart."""
    return Person.objects.filter(positions__chart__status=ChartStatus.LIVE, positions__roles__key=role_key).distinct()


# What adopting a scenario would do to who is accountable (docs/design.md: "Adoption shows its accountability
# impact first"). Accountability lives in workflows, which depends on roles; so workflows registers
# its reader here from AppConfig.ready() and roles imports no other app.
AdoptionImpactReader = Callable[[Chart], object]
_adoption_impact_readers: list[AdoptionImpactReader] = []


def register_adoption_impact(reader: AdoptionImpactReader) -> AdoptionImpactReader:
    """Set the reader of a scenario's adoption impact (`workflows.adoption.adoption_impact`)."""
    _adoption_impact_readers[:] = [reader]
    return reader


def chart_adoption_impact(chart: Chart) -> object | None:
    """What adopting `chart` would change, from the registered reader; None if none is registered."""
    return _adoption_impact_readers[0](chart) if _adoption_impact_readers else None


def person_by_email(email: str) -> Person | None:
    """The person with this e-mail, whatever its case (e-mails are unique without regard to case)."""
    return Person.objects.filter(email__iexact=email.strip()).first()
