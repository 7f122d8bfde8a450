"""Reads for people, charts and positions, each in a fixed number of queries."""

import gc
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.base import ModelState
from django.db.models.functions import Coalesce

from .choices import ChartStatus, CoreRole, Team
from .models import Chart, Person, Position, PositionRole, Role


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


_ROLE_FIELDS = [f.attname for f in Role._meta.concrete_fields]
# workflows.Platform, the model behind `Position.platform_expertise` (roles cannot import workflows).
_Platform: type[Model] = Position.platform_expertise.field.model
_PLATFORM_FIELDS = [f.attname for f in _Platform._meta.concrete_fields]
_LINKS: list[tuple[type[Model], type[Model], list[str], str, tuple[str, ...]]] = [
    # link table, linked model, its fields, the link's name (and list: prefetched_<name>s), its order
    (PositionRole, Role, _ROLE_FIELDS, "role", ("-role__is_core", "role__name")),
    (Position.platform_expertise.through, _Platform, _PLATFORM_FIELDS, "platform", ("platform__name",)),
]


# The value a kept statement is built with, replaced by the real one each time it runs (no id is negative).
_ANY_ID = -1_999_999_999
# shape → (SQL, its parameters, the converters Django applies to each row's values by position)
_Statement = tuple[str, list[Any], dict[int, tuple[list[Callable[..., Any]], Any]]]
_statements: dict[Hashable, _Statement | None] = {}


def _rows(shape: Hashable, query_for: Callable[[int], Any], value: int) -> Iterable[Sequence[Any]]:
    """The rows of `query_for(value)`, a `values_list` query in which `value` is the only thing that
    varies, its SQL built once per process for each `shape` (and each value converted as Django would):
    building and compiling the four queries of a branch took more time (4 ms) than the database took to
    answer them (3 ms)."""
    if shape not in _statements:
        compiler = query_for(_ANY_ID).query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        _statements[shape] = (sql, list(params), converters) if _ANY_ID in params else None
    statement = _statements[shape]
    if statement is None:  # `value` is not a parameter of its SQL: nothing to keep
        return query_for(value)  # type: ignore[no-any-return]
    sql, params, converters = statement
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if param == _ANY_ID else param for param in params])
        rows: list[Sequence[Any]] = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                values[position] = function(values[position], expression, connection)
        converted.append(values)
    return converted


def _link_rows(
    through: type[Model], name: str, fields: list[str], order: tuple[str, ...], seat_field: str, value: int
) -> Any:
    """The links (roles or platforms, by `name`) of the positions whose `seat_field` is `value`."""
    rows = through._default_manager.filter(**{f"position__{seat_field}": value})
    return rows.values_list("position_id", *(f"{name}__{f}" for f in fields)).order_by(*order)


def positions_attach(positions: Sequence[Position], **seats: object) -> list[Position]:
    """Give each position its roles, platform expertise and dotted lines as lists (what `Position.role_list`
    and its siblings read), in three queries. `seats` is the filter that selected `positions` (e.g.
    `chart=chart`); a dotted line to a seat outside `positions` leads to a bare Position (id and title).

    Django's prefetch builds a Role and a Platform for every link row (2,000 of each on an enterprise
    chart); here each role and platform is built once and shared, which is several times faster."""
    by_id = {position.id: position for position in positions}
    lists: dict[int, dict[str, list[Any]]] = {}
    for position in positions:
        roles: list[Any] = []
        platforms: list[Any] = []
        dotted: list[Any] = []
        lists[position.id] = {"role": roles, "platform": platforms, "dotted": dotted}
        position.__dict__.update(
            prefetched_roles=roles, prefetched_platform_expertise=platforms, prefetched_dotted_lines=dotted
        )
    ((seat_field, chosen),) = seats.items()
    chosen_id: int = chosen.pk if isinstance(chosen, Model) else cast(int, chosen)
    for through, model, fields, name, order in _LINKS:
        made: dict[int, Model] = {}

        links_of = partial(_link_rows, through, name, fields, order, seat_field)
        for position_id, *values in _rows((name, seat_field), links_of, chosen_id):
            item = made.get(values[0])
            if item is None:  # (not `made.setdefault(pk, model(...))`: that builds one per link all the same)
                item = made[values[0]] = _built(model, fields, values)
            lists[position_id][name].append(item)

    def dotted_of(value: int) -> Any:
        rows = Position.dotted_lines.through.objects.filter(**{f"from_position__{seat_field}": value})
        return rows.values_list("from_position_id", "to_position_id", "to_position__title").order_by(
            "to_position__title"
        )

    for from_id, to_id, title in _rows(("dotted", seat_field), dotted_of, chosen_id):
        # A seat outside `positions` (a branch's dotted line to elsewhere) is named, not loaded.
        lists[from_id]["dotted"].append(by_id.get(to_id) or Position(pk=to_id, title=title))
    return list(positions)


_PERSON_FIELDS = [f.attname for f in Person._meta.concrete_fields]
_M = TypeVar("_M", bound=Model)


def _built(model: type[_M], names: Sequence[str], values: Sequence[Any], related: dict[str, Any] | None = None) -> _M:
    """A model instance from a row of all its concrete fields, as `Model.from_db` makes it but without
    `Model.__init__`'s per-field work (a fifth of the time; no model here listens to post_init).
    `related`: the objects its foreign keys lead to, cached as select_related would (by field name)."""
    instance = model.__new__(model)
    state = ModelState.__new__(ModelState)
    state.__dict__ = {"adding": False, "db": DEFAULT_DB_ALIAS, "fields_cache": {} if related is None else related}
    attributes = dict(zip(names, values, strict=True))
    attributes["_state"] = state
    instance.__dict__ = attributes
    return instance


def _positions_with_people(
    shape: str, rows_for: Callable[[int], QuerySet[Position]], value: int, *extra: str, chart: Chart | None = None
) -> list[Position]:
    """The positions `rows_for(value)` selects, each with its person (or None) cached as select_related
    would, read as tuples: one query (`_rows`, under `shape`). `extra` names annotations to set on each
    position too; `chart`, if given, is cached as each position's chart (one Chart for all, not one per row)."""
    position_names = [*_POSITION_FIELDS, *extra]
    width = len(position_names)
    person_of = position_names.index("person_id")
    people: dict[int, Person] = {}
    positions = []

    def values_for(value: int) -> Any:
        return rows_for(value).values_list(*position_names, *(f"person__{f}" for f in _PERSON_FIELDS))

    for row in _rows(shape, values_for, value):
        person_id = row[person_of]
        person = None
        if person_id is not None:
            person = people.get(person_id)
            if person is None:
                person = people[person_id] = _built(Person, _PERSON_FIELDS, row[width:])
        related: dict[str, Any] = {"person": person} if chart is None else {"person": person, "chart": chart}
        positions.append(_built(Position, position_names, row[:width], related))
    return positions


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while thousands of objects are built that will all live on: each
    700 allocations it would walk the young objects, and now and then every object of the process (a
    quarter of the time of reading an enterprise chart). It runs again, as usual, afterwards: around a
    whole page (roles.views), by then the page's objects are freed and it finds little to walk."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def chart_positions(chart: Chart | int) -> list[Position]:
    """Every position of a chart with what a page shows of it, its chart and people included: four
    queries whatever the size (five when given the chart's id rather than the chart)."""
    chart = chart if isinstance(chart, Chart) else Chart.objects.get(pk=chart)
    with collector_paused():
        positions = _positions_with_people(
            "chart", lambda pk: Position.objects.filter(chart_id=pk).order_by("title"), chart.pk, chart=chart
        )
        return positions_attach(positions, chart=chart)


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


# The graphical chart opens showing whole levels from the top while they hold at most this many seats
# (at least the top seat and its reports); deeper branches load as they are opened.
OPEN_SEATS = 150


@dataclass
class Seat:
    """A seat as the graphical chart draws it: a box, and below it its reports if `expanded`."""

    position: Position
    depth: int
    report_count: int
    expanded: bool = False
    closes: range = range(0)  # how many open branches end right after this seat (for nested HTML)

    @property
    def initials(self) -> str:
        """Who sits here, as initials in the box (people have no photos); "?" for a vacancy."""
        person = self.position.person
        return person.initials if person is not None else "?"

    @property
    def dotted_ids(self) -> str:
        return " ".join(str(other.pk) for other in self.position.dotted_line_list())


def _seats_in_order(
    children: dict[int | None, list[Position]], tops: list[Position], expanded: set[int], depth: int
) -> list[Seat]:
    """Depth first from `tops` (at `depth`), reports in title order, going down only where expanded."""
    ordered: list[Seat] = []
    stack = [(position, depth) for position in reversed(tops)]
    while stack:
        position, level = stack.pop()
        reports = children.get(position.pk, [])
        seat = Seat(position, level, len(reports), expanded=bool(reports) and position.pk in expanded)
        ordered.append(seat)
        if seat.expanded:
            stack.extend((report, level + 1) for report in reversed(reports))
    for seat, following in zip(ordered, ordered[1:] + [None], strict=True):
        if not seat.expanded:
            seat.closes = range(seat.depth - (following.depth if following else depth))
    return ordered


def _opening(children: dict[int | None, list[Position]]) -> set[int]:
    """The seats open when a chart is first drawn: whole levels while they hold at most OPEN_SEATS."""
    level, shown, opened = children.get(None, []), 0, set()
    while level:
        shown += len(level)
        below = [report for position in level for report in children.get(position.id, [])]
        if shown + len(below) > OPEN_SEATS and shown > 1:
            break
        opened |= {position.id for position in level if children.get(position.id)}
        level = below
    return opened


def chart_graph(
    positions: list[Position], *, expanded: set[int] | None = None, reveal: int | None = None
) -> list[Seat]:
    """The seats the graphical chart draws, depth first from the top: on first opening whole levels
    while they hold at most OPEN_SEATS seats; else the seats whose reports the user had open
    (`expanded`), and every manager above `reveal` (a seat just added, edited or moved). No queries."""
    children: dict[int | None, list[Position]] = {}
    for position in positions:
        children.setdefault(position.reports_to_id, []).append(position)
    opened = _opening(children) if expanded is None else set(expanded)
    manager_of = {position.id: position.reports_to_id for position in positions}
    seat = manager_of.get(reveal) if reveal is not None else None
    while seat is not None and seat not in opened:
        opened.add(seat)
        seat = manager_of.get(seat)
    return _seats_in_order(children, children.get(None, []), opened, 0)


# Each seat's number of reports, as a correlated count on the reports_to index: a LEFT JOIN and GROUP BY
# over the whole table was four times slower than reading the branch itself.
_REPORT_COUNT = Coalesce(
    Subquery(
        Position.objects.filter(reports_to=OuterRef("pk"))
        .order_by()
        .values("reports_to")
        .annotate(count=Count("pk"))
        .values("count")
    ),
    0,
)


def position_reports(manager: Position) -> list[Seat]:
    """A seat's direct reports as the chart draws them when its branch is opened (each closed): four
    queries whatever their number."""
    branch = branch_reports(manager.pk)
    return branch[1] if branch is not None else []


def branch_reports(pk: int) -> tuple[Chart, list[Seat]] | None:
    """Seat `pk`'s chart and its direct reports as the chart draws them when its branch is opened (each
    closed); None if there is no such seat. Four queries whatever their number: the seat is read in the
    same query as its reports, and of its chart only the status (`Chart.is_editable`; the rest of the
    chart loads if asked for, as with `.only()`)."""
    with collector_paused():
        rows = _positions_with_people(
            "branch",
            lambda pk: (
                Position.objects.filter(Q(reports_to_id=pk) | Q(pk=pk))
                .annotate(report_count=_REPORT_COUNT, chart_status=F("chart__status"))
                .order_by("title")
            ),
            pk,
            "report_count",
            "chart_status",
        )
        manager = next((row for row in rows if row.pk == pk), None)
        if manager is None:
            return None
        reports = [row for row in rows if row.pk != pk]
        positions_attach(reports, reports_to=pk)
    chart = Chart.from_db(DEFAULT_DB_ALIAS, ["id", "status"], [manager.chart_id, manager.__dict__["chart_status"]])
    return chart, [Seat(report, 1, report.__dict__["report_count"]) for report in reports]


@dataclass(frozen=True)
class SeatFound:
    position: Position
    path: list[int]  # the seats from the top down to this one

    @property
    def path_ids(self) -> str:
        return " ".join(map(str, self.path))


SEARCH_LIMIT = 50


def seat_path(manager_of: Mapping[int, int | None], pk: int) -> list[int]:
    """The seats from the top of the chart down to `pk`, from {seat: its manager}."""
    path: list[int] = []
    seat: int | None = pk
    while seat is not None and seat not in path:
        path.append(seat)
        seat = manager_of.get(seat)
    return path[::-1]


def position_search(chart: Chart, text: str) -> tuple[int, list[SeatFound]]:
    """Seats of `chart` whose title, person, role, team or platform expertise contains `text` (any case):
    how many, and the first SEARCH_LIMIT with the path from the top to each. Two queries."""
    text = text.strip()
    if not text:
        return 0, []
    teams = [value for value, label in Team.choices if text.lower() in label.lower()]
    found = list(
        Position.objects.filter(chart=chart)
        .filter(
            Q(title__icontains=text)
            | Q(person__name__icontains=text)
            | Q(team__in=teams)
            | Exists(PositionRole.objects.filter(position=OuterRef("pk"), role__name__icontains=text))
            | Exists(
                Position.platform_expertise.through.objects.filter(
                    position=OuterRef("pk"), platform__name__icontains=text
                )
            )
        )
        .select_related("person")
        .annotate(matches=Window(Count("*")))  # how many in all, read with the first SEARCH_LIMIT only
        .order_by("title")[:SEARCH_LIMIT]
    )
    manager_of = dict(Position.objects.filter(chart=chart).values_list("id", "reports_to_id"))
    total = found[0].matches if found else 0
    return total, [SeatFound(p, seat_path(manager_of, p.pk)) for p in found]


def position_move_targets(position: Position) -> list[tuple[int, str]]:
    """The seats `position` could move under: every seat of its chart but itself and those below it,
    as (id, "title — person or vacancy"), in title order. One query."""
    rows = list(
        Position.objects.filter(chart_id=position.chart_id)
        .order_by("title")
        .values_list("id", "reports_to_id", "title", "person__name")
    )
    below: set[int] = {position.pk}
    grew = True
    while grew:  # the branch under `position`, level by level
        more = {pk for pk, manager, _, _ in rows if manager in below and pk not in below}
        below |= more
        grew = bool(more)
    return [(pk, f"{title} — {person or 'vacancy'}") for pk, _, title, person in rows if pk not in below]


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
