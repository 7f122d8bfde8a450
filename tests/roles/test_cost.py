import pytest

from roles.cost import CostRange, chart_cost, cost_difference, position_cost
from tests.factories import ChartFactory, PositionFactory, role

pytestmark = pytest.mark.django_db


def test_a_position_costs_its_role_band():
    assert position_cost(PositionFactory(roles=[role("workflow-architect")])) == CostRange(60_000, 85_000)


def test_an_actual_salary_replaces_the_band():
    assert position_cost(PositionFactory(roles=[role("workflow-architect")], salary=72_000)) == CostRange(
        72_000, 72_000
    )


def test_a_seat_combining_roles_counts_the_highest_band_once():
    combined = PositionFactory(roles=[role("workflow-architect"), role("data-steward")])
    assert position_cost(combined) == CostRange(60_000, 85_000)


def test_the_four_core_roles_cost_what_the_article_says():
    chart = ChartFactory()
    root = PositionFactory(chart=chart, roles=[role("head-of-marops")], team="marops")
    for key in ["workflow-architect", "data-steward", "prompt-knowledge-designer"]:
        PositionFactory(chart=chart, reports_to=root, roles=[role(key)], team="marops")
    cost = chart_cost(list(chart.positions.prefetch_related("roles")))
    # Article: roughly £250–350K all-in for the four roles (bands add to £245K–£350K).
    assert cost.total == CostRange(245_000, 350_000)
    assert cost.per_team == {"marops": CostRange(245_000, 350_000)}


def test_costs_add_up_per_team_and_unpriced_seats_are_listed():
    chart = ChartFactory()
    root = PositionFactory(chart=chart, roles=[role("cmo")], team="executive")
    PositionFactory(chart=chart, reports_to=root, roles=[role("marketing-coordinator")], team="demand_gen")
    PositionFactory(chart=chart, reports_to=root, roles=[role("campaign-manager")], team="demand_gen", salary=50_000)
    odd = PositionFactory(chart=chart, reports_to=root, roles=[], title="Advisor")
    cost = chart_cost(list(chart.positions.prefetch_related("roles")))
    assert cost.per_team["demand_gen"] == CostRange(25_000 + 50_000, 35_000 + 50_000)
    assert cost.total == CostRange(130_000 + 75_000, 200_000 + 85_000)
    assert cost.unpriced == [odd]


def test_the_difference_between_two_charts_is_per_team():
    before, after = ChartFactory(), ChartFactory()
    b_root = PositionFactory(chart=before, roles=[role("cmo")], team="executive")
    PositionFactory(chart=before, reports_to=b_root, roles=[role("marketing-coordinator")], team="demand_gen")
    PositionFactory(chart=after, roles=[role("cmo")], team="executive", reports_to=None)
    rows = cost_difference(
        chart_cost(list(before.positions.prefetch_related("roles"))),
        chart_cost(list(after.positions.prefetch_related("roles"))),
    )
    changes = {row.team: row.change for row in rows}
    assert changes == {"Demand gen": CostRange(-25_000, -35_000), "Executive": CostRange(0, 0)}
