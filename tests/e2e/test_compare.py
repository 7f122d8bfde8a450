"""In real Chromium: comparing opened from a scenario reads the right way round (the chart it was cloned
from before, the scenario after), with dotted lines, core roles, findings and the cost difference."""

import pytest
from playwright.sync_api import Page, expect

from marops.demo import LIVE_CHART, TARGET_CHART
from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_compare_opened_from_a_scenario_puts_the_chart_it_came_from_before(page: Page, live_server, demo):
    log_in(page, live_server.url, "cmo")
    page.get_by_role("link", name="Charts", exact=True).click()
    page.get_by_role("link", name=TARGET_CHART).click()
    page.get_by_role("link", name="Compare with another chart…").click()

    expect(page.get_by_label("Before")).to_have_value(
        page.locator("#id_a option", has_text=LIVE_CHART).get_attribute("value")
    )
    expect(page.get_by_test_id("before-name")).to_have_text(LIVE_CHART)
    expect(page.get_by_test_id("after-name")).to_have_text(TARGET_CHART)
    expect(page.get_by_test_id("total-difference-figure")).to_have_text("+£81,000 to +£223,000")
    expect(page.get_by_test_id("seats-added")).to_contain_text("Prompt and Knowledge Designer — vacancy")
    expect(page.get_by_test_id("seats-removed")).to_contain_text("Campaign Coordinator (APAC)")
    expect(page.get_by_test_id("dotted-added")).to_have_text("Data Steward ⋯ Chief Data Officer")
    expect(page.get_by_test_id("core-roles").get_by_role("row", name="Data Steward")).to_contain_text("newly held")
    expect(page.get_by_test_id("findings-cleared")).to_contain_text("No position holds the Data Steward role.")

    # The dashboard's cost table shows the same difference as a figure, and it opens this comparison.
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_test_id("cost-change").get_by_role("link", name="+£81,000 to +£223,000").click()
    expect(page.get_by_test_id("before-name")).to_have_text(LIVE_CHART)
    expect(page.get_by_test_id("after-name")).to_have_text(TARGET_CHART)
