"""Comparing two charts the right way round: a scenario comes after the chart it was cloned from; seats
added, removed, moved and changed, dotted lines added and removed, core roles, findings and cost."""

import pytest
from django.urls import reverse

from marops.demo import LIVE_CHART, TARGET_CHART
from roles.compare import chart_compare, compare_pair
from roles.models import Chart, Position
from roles.services import PositionData, chart_clone, position_save
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def charts(demo):
    return Chart.objects.get(name=LIVE_CHART), Chart.objects.get(name=TARGET_CHART)


def seat(chart, title):
    return Position.objects.get(chart=chart, title=title)


def compare_page(client, **params):
    if "_auth_user_id" not in client.session:
        client.force_login(make_user("exec", "Executives"))
    response = client.get(reverse("roles:chart-compare"), params)
    assert response.status_code == 200
    return response


def test_opened_from_a_scenario_the_chart_it_was_cloned_from_is_before_and_the_scenario_after(client, charts):
    live, target = charts
    response = compare_page(client, a=target.pk)  # the scenario page's "Compare with another chart…"
    comparison = response.context["comparison"]
    assert (comparison.a.chart, comparison.b.chart) == (live, target)
    html = response.content.decode()
    assert f'<span data-testid="before-name">{live.name}</span>' in html
    assert f'<span data-testid="after-name">{target.name}</span>' in html
    # The 2026 target adds the core roles: it costs more, and its new seats are "added", not "removed".
    assert '<dd class="figure-line" data-testid="total-difference-figure">+£81,000 to +£223,000</dd>' in html
    assert [p.title for p in comparison.added] == ["Marketing Operations Analyst", "Prompt and Knowledge Designer"]
    assert [p.title for p in comparison.removed] == ["Campaign Coordinator (APAC)"]


def test_a_scenario_imported_from_csv_is_compared_with_the_live_chart(charts):
    live, target = charts
    target.based_on = None
    target.save()
    assert compare_pair(target) == (live, target)


def test_opened_from_the_live_chart_it_is_before_and_the_user_picks_what_comes_after(client, charts):
    live, _ = charts
    response = compare_page(client, a=live.pk)
    assert response.context["comparison"] is None
    assert response.context["form"]["a"].value() == live.pk
    assert compare_pair(live) == (live, None)


def test_a_bad_chart_id_shows_the_empty_form_not_an_error(client, charts):
    assert compare_page(client, a="nope").context["comparison"] is None
    assert compare_page(client, a="999999").context["comparison"] is None


def test_two_charts_chosen_explicitly_are_compared_in_the_order_chosen(client, charts):
    live, target = charts
    comparison = compare_page(client, a=target.pk, b=live.pk).context["comparison"]
    assert (comparison.a.chart, comparison.b.chart) == (target, live)
    assert str(comparison.total_change) == "CostRange(low=-81000, high=-223000)"


def test_seats_moved_and_changed_are_listed_with_what_changed(charts):
    comparison = chart_compare(*charts)
    moved = {change.after.title: change.changes for change in comparison.moved}
    assert moved["Head of Marketing Operations"] == ("reports to Demand Generation Director → Chief Marketing Officer",)
    changed = {change.after.title: change.changes for change in comparison.changed}
    assert "level Manager → Director" in changed["Head of Marketing Operations"]
    assert "team Sales ops → MarOps" in changed["Workflow Architect (CRM)"]


def test_dotted_lines_added_and_removed_are_listed(client, charts):
    live, target = charts
    comparison = chart_compare(live, target)
    assert [(d.seat.title, d.manager.title) for d in comparison.dotted_added] == [
        ("Data Steward", "Chief Data Officer")
    ]
    assert comparison.dotted_removed == []
    # The other way round, the dotted line is removed; and on the page, both are listed.
    reversed_comparison = chart_compare(target, live)
    assert [(d.seat.title, d.manager.title) for d in reversed_comparison.dotted_removed] == [
        ("Data Steward", "Chief Data Officer")
    ]
    html = compare_page(client, a=live.pk, b=target.pk).content.decode()
    assert "Dotted lines added (1)" in html and "Data Steward ⋯ Chief Data Officer" in html


def test_a_dotted_line_is_the_only_difference_and_the_charts_are_not_identical(charts):
    live, _ = charts
    plan = chart_clone(chart=live, name="Only a dotted line")
    steward = seat(plan, "Analytics Lead")
    position_save(
        chart=plan,
        position=steward,
        data=PositionData(
            title=steward.title,
            team=steward.team,
            level=steward.level,
            roles=list(steward.roles.all()),
            person=steward.person,
            reports_to=steward.reports_to,
            dotted_lines=[seat(plan, "Chief Data Officer")],
            salary=steward.salary,
        ),
    )
    comparison = chart_compare(live, plan)
    assert not comparison.is_identical
    assert [(d.seat.title, d.manager.title) for d in comparison.dotted_added] == [
        ("Analytics Lead", "Chief Data Officer")
    ]
    assert not (comparison.added or comparison.removed or comparison.moved or comparison.changed)


def test_core_roles_covered_say_which_are_newly_held(client, charts):
    comparison = chart_compare(*charts)
    assert [(c.role, c.before, c.after, c.change) for c in comparison.core_roles] == [
        ("Head of Marketing Operations", True, True, "held in both"),
        ("Workflow Architect", False, True, "newly held"),
        ("Data Steward", False, True, "newly held"),
        ("Prompt and Knowledge Designer", False, True, "newly held"),
    ]
    assert [(c.role, c.change) for c in chart_compare(charts[1], charts[0]).core_roles][1] == (
        "Workflow Architect",
        "no longer held",
    )


def test_findings_cleared_and_new_are_listed(charts):
    live, target = charts
    comparison = chart_compare(live, target)
    cleared = [f.message for f in comparison.findings_cleared]
    assert "No position holds the Data Steward role." in cleared
    assert comparison.findings_new == []
    assert "No position holds the Data Steward role." in [f.message for f in chart_compare(target, live).findings_new]


def test_cost_per_team_and_the_total_difference_are_figures(client, charts):
    live, target = charts
    comparison = chart_compare(live, target)
    changes = {row.team: (row.change.low, row.change.high) for row in comparison.team_costs}
    assert changes["MarOps"] == (216_000, 361_000)
    assert changes["Sales ops"] == (-55_000, -55_000)
    assert (comparison.total_change.low, comparison.total_change.high) == (81_000, 223_000)
    html = compare_page(client, a=live.pk, b=target.pk).content.decode()
    assert '<th class="num" data-testid="total-difference">+£81,000 to +£223,000</th>' in html


def test_the_dashboard_shows_the_total_cost_difference_as_a_figure_that_opens_the_comparison(client, charts):
    live, target = charts
    client.force_login(make_user("exec", "Executives"))
    html = client.get(reverse("dashboard")).content.decode()
    link = f'href="{reverse("roles:chart-compare")}?a={live.pk}&amp;b={target.pk}"'
    assert link in html
    assert html.split(link, 1)[1].split("</a>", 1)[0].endswith("+£81,000 to +£223,000")


def test_the_compare_page_reads_in_a_fixed_number_of_queries(client, charts, django_assert_max_num_queries):
    live, target = charts
    client.force_login(make_user("exec", "Executives"))
    with django_assert_max_num_queries(30):
        client.get(reverse("roles:chart-compare"), {"a": target.pk})
