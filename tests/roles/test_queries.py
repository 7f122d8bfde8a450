"""Generated charts of any size: the page and the rule checks take a fixed number of queries."""

import pytest

from roles.models import Chart, Person, Position, PositionRole, Role
from roles.rules import chart_findings

pytestmark = pytest.mark.django_db


def big_chart(size: int, status: str = "scenario") -> Chart:
    """A chart of `size` positions, ten reports per manager, in bulk."""
    chart = Chart.objects.create(name=f"Generated {size}", status=status)
    roles = list(Role.objects.order_by("key"))
    people = Person.objects.bulk_create(
        Person(name=f"Person {i}", email=f"p{i}@gen{size}.example", level="specialist") for i in range(size // 2)
    )
    made: list[Position] = []
    level, index = [None], 0
    while index < size:
        new_level = []
        for manager in level:
            for _ in range(1 if manager is None else 10):
                if index >= size:
                    break
                new_level.append(
                    Position(
                        chart=chart,
                        key=f"k{index}",
                        title=f"Seat {index}",
                        team="marops",
                        level="specialist",
                        person=people[index] if index < len(people) else None,
                        reports_to=manager,
                    )
                )
                index += 1
        made += Position.objects.bulk_create(new_level)
        level = new_level
    PositionRole.objects.bulk_create(PositionRole(position=p, role=roles[i % len(roles)]) for i, p in enumerate(made))
    Position.dotted_lines.through.objects.bulk_create(
        Position.dotted_lines.through(from_position=made[i], to_position=made[0]) for i in range(1, size, 50)
    )
    return chart


def test_rule_checks_take_the_same_queries_for_20_and_2000_positions(django_assert_max_num_queries):
    small, large = big_chart(20, status="live"), big_chart(2000)
    for chart in (small, large):
        chart.refresh_from_db()
    # At most: the platform rule asks about workflow owners only when a platform seat has a holder.
    with django_assert_max_num_queries(6):
        chart_findings(small)
    with django_assert_max_num_queries(5):  # not live: no unplaced-people query
        chart_findings(large)
