"""In real Chromium, on a phone-sized screen: a Leader sees what adopting the 2026 target does to the
Test before confirming it, and the target becomes the live chart."""

import pytest
from playwright.sync_api import Page, expect

from marops.demo import TARGET_CHART
from roles.models import Chart
from tests.e2e.test_login import log_in
from workflows.selectors import accountability_test_score

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_leader_sees_the_accountability_impact_of_the_2026_target_then_adopts_it(page: Page, live_server, demo):
    before, after = accountability_test_score(), accountability_test_score(chart=Chart.objects.get(name=TARGET_CHART))
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "leader")
    page.goto(live_server.url + "/org/charts/")
    page.get_by_role("link", name=TARGET_CHART).click()
    expect(page.get_by_test_id("chart-status")).to_have_text("Scenario")
    page.get_by_role("link", name="Adopt as the live chart…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Adopt “{TARGET_CHART}”?")
    expect(page.get_by_test_id("score-before")).to_have_text(f"{before[0]}/{before[1]}")
    expect(page.get_by_test_id("score-after")).to_have_text(f"{after[0]}/{after[1]}")
    expect(page.get_by_test_id("score-change")).to_have_text("2 more steps pass")
    expect(page.get_by_test_id("workflows-passing")).to_contain_text("Lead routing")
    expect(page.get_by_test_id("steps-failing")).to_contain_text("Personalise page for visitor")
    expect(page.get_by_test_id("steps-failing")).to_contain_text("Sofia Alvarez, holds no MarOps seat")
    expect(page.get_by_test_id("owners-losing-seats")).to_contain_text("No workflow owner loses their MarOps seat.")
    assert fits_the_screen(page)
    assert Chart.objects.get(name=TARGET_CHART).status == "scenario"  # looking changed nothing

    page.get_by_role("button", name="Adopt as the live chart").click()
    expect(page.get_by_test_id("chart-status")).to_have_text("Live")
    expect(page.locator(".messages")).to_contain_text("is now the live chart")
    assert accountability_test_score() == after
    page.goto(live_server.url + "/org/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TARGET_CHART)
