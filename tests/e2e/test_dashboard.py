"""In real Chromium: the CMO reads the dashboard; a Leader moves the plan's dates."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_cmo_reads_the_dashboard_and_follows_a_figure(page: Page, live_server, demo):
    log_in(page, live_server.url, "cmo")
    # The demo's 2022 chart: workflow owners outside MarOps fail the Test.
    expect(page.get_by_test_id("tile-test")).to_contain_text("2 / 6")
    expect(page.get_by_test_id("plan-step")).to_have_count(3)
    expect(page.locator("svg.bar-chart")).to_have_count(5)
    expect(page.get_by_text("Save the plan")).to_have_count(0)
    expect(page.get_by_test_id("heartbeat")).to_contain_text("Scheduled jobs")  # loaded after the page, by htmx
    page.get_by_label("Incidents over").select_option("30")
    expect(page).to_have_url(live_server.url + "/dashboard/?period=30")
    expect(page.get_by_role("heading", name="Incidents, last 30 days")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    page.emulate_media(media="print")  # on paper each card is full width; the charts keep their text size
    widths = page.evaluate("[...document.querySelectorAll('svg.bar-chart')].map(s => s.getBoundingClientRect().width)")
    assert len(widths) == 5 and max(widths) <= 450
    page.emulate_media(media="screen")
    page.get_by_test_id("tile-test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Test")
    page.go_back()
    # A bar opens the incidents it counts: anywhere on its row, not only on the bar or the label.
    owners = page.locator("svg[aria-label='Incidents by accountable owner'] a")
    expect(owners.first.locator("title")).to_contain_text("Nobody named")
    owners.first.click()
    expect(page.get_by_test_id("incident-filters")).to_have_text(
        "Only the last 30 days; nobody named accountable. Show them all"
    )
    # The bar's figure is the list's length: Tom's Lead routing incidents and Event follow-up's.
    expect(page.locator("table tbody tr")).to_have_count(3)


def test_a_leader_sets_the_plan_and_a_bad_date_is_refused(page: Page, live_server, demo):
    log_in(page, live_server.url, "leader")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_text("Set the dates and the target chart…").click()
    page.get_by_label("Step 3, add the missing roles, by").fill("2030-01-01")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".messages")).to_contain_text("The move takes 6–12 months")
