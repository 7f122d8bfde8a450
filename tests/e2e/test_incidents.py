"""In real Chromium: MarOps staff log an incident, see the accountable person at once, review and
resolve it; resolving an incident with nobody accountable is refused."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_log_an_incident_a_review_names_someone_else_and_every_screen_shows_only_them(
    page: Page, live_server, demo
):
    log_in(page, live_server.url, "staff")
    page.get_by_role("link", name="Log an incident").click()
    page.wait_for_load_state()
    page.get_by_placeholder("Type to filter agents").fill("copy assis")
    expect(page.locator("#id_agent")).to_have_value(
        page.locator("#id_agent option", has_text="Campaign Copy Assistant").get_attribute("value")
    )
    page.get_by_label("Step it happened in").select_option(label="Campaign launch · 2. Draft email and landing copy")
    page.get_by_label("In one line").fill("Landing copy promised a discount we do not give")
    page.get_by_label("What happened").fill("The approved landing page said annual plans get 40% off.")
    page.get_by_label("Severity").select_option(label="High")
    page.get_by_role("button", name="Log the incident").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Landing copy promised a discount we do not give")
    expect(page.get_by_test_id("accountable")).to_have_text("Dana Whitfield")  # Campaign launch's MarOps owner

    page.get_by_label("Root cause").select_option(label="Prompt or knowledge")
    page.get_by_label("Analysis").fill("The pricing knowledge base still had the 2025 promotion.")
    page.get_by_label("The one accountable owner").select_option(label="Mia Chen")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_test_id("review-error")).to_contain_text("Say why Dana Whitfield is no longer accountable")
    page.get_by_label("Why the accountable owner changes").fill("Mia maintains the copy prompts")
    page.get_by_role("button", name="Save review").click()
    page.get_by_label("Corrective action").fill("Remove the 2025 promotion from the knowledge base")
    page.get_by_label("Assignee").select_option(label="Mia Chen")
    page.get_by_role("button", name="Add action").click()
    page.get_by_role("button", name="Resolve").click()

    expect(page.get_by_test_id("review-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("accountable")).to_have_text("Mia Chen")
    expect(page.get_by_test_id("review-owner")).to_have_text("Mia Chen")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Logged. Accountable: Dana Whitfield.")
    expect(timeline).to_contain_text("Accountable: Dana Whitfield → Mia Chen (why: Mia maintains the copy prompts)")
    expect(timeline).to_contain_text("Status: In review → Resolved")

    page.goto(live_server.url + "/governance/incidents/?show=all")
    row = page.get_by_role("row").filter(has_text="Landing copy promised a discount")
    expect(row).to_contain_text("Mia Chen")
    expect(row).not_to_contain_text("Dana Whitfield")

    page.goto(live_server.url + "/dashboard/")
    owners = page.get_by_test_id("chart-owners")
    expect(owners).to_contain_text("Mia Chen")


def test_resolving_an_incident_with_nobody_accountable_is_refused(page: Page, live_server, demo):
    log_in(page, live_server.url, "staff")
    page.get_by_role("link", name="Follow-up email used the old product name").click()
    expect(page.get_by_test_id("accountable")).to_have_text("Nobody can be named.")
    page.get_by_label("Root cause").select_option(label="Prompt or knowledge")
    page.get_by_role("button", name="Save review").click()
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("review-error")).to_contain_text(
        "A review cannot be resolved without exactly one accountable owner."
    )
    expect(page.get_by_test_id("review-status")).not_to_have_text("Resolved")
