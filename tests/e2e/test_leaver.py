"""In real Chromium: a Leader records that the owner of a critical workflow left and hands it on; the
dashboard's Test score follows."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_leader_records_a_leaver_who_owns_a_critical_workflow_and_the_test_follows(page: Page, live_server, demo):
    log_in(page, live_server.url, "leader")
    page.get_by_role("link", name="Dashboard").click()
    # The demo's 2022 chart: Tom Nguyen (a Salesforce admin in sales ops) owns Lead routing, and its
    # two buyer-facing AI steps fail the Test.
    expect(page.get_by_test_id("tile-test")).to_contain_text("2 / 6")

    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Tom Nguyen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tom Nguyen")
    expect(page.get_by_role("heading", name="Workflows owned").locator("xpath=..")).to_contain_text("Lead routing")
    page.get_by_test_id("record-leaver").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Record a leaver: Tom Nguyen")
    workflow = page.get_by_label("Workflow: Lead routing")
    expect(workflow.locator("option:checked")).to_have_text("Dana Whitfield")  # his manager, proposed
    expect(page.get_by_label("Seat: Salesforce Admin").locator("option:checked")).to_have_text(
        "— vacancy: hire or promote —"
    )
    expect(page.get_by_test_id("score-before")).to_have_text("2 of 6")
    expect(page.get_by_test_id("score-after")).to_have_text("4 of 6")

    page.get_by_label("Why they left").fill("Moved to the sales team in another company")
    page.get_by_test_id("confirm-leaver").click()

    expect(page.locator(".messages")).to_contain_text("Tom Nguyen has left")
    expect(page.get_by_role("heading", level=1)).to_contain_text("inactive")
    expect(page.get_by_test_id("handoffs")).to_contain_text("Workflow “Lead routing” → Dana Whitfield")
    expect(page.get_by_test_id("handoffs")).to_contain_text("Seat “Salesforce Admin” → vacancy")

    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_test_id("tile-test")).to_contain_text("4 / 6")
