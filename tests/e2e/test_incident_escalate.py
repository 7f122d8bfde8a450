"""In real Chromium: MarOps staff raise a demo incident's severity from its page, and see the new
severity and the timeline's line saying who raised it and why; they reopen a resolved one. A missing
reason is refused beside its field, on a page that keeps to the accessibility and phone-width rules."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_raise_a_demo_incidents_severity_and_see_it_and_the_timeline_line(page: Page, live_server, demo):
    log_in(page, live_server.url, "staff")
    page.wait_for_load_state()
    page.goto(live_server.url + "/governance/incidents/")
    page.get_by_role("link", name="Chat Concierge quoted a retired pricing tier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat Concierge quoted a retired pricing tier")
    expect(page.locator(".page-head .badge").first).to_have_text("High")

    form = page.get_by_test_id("escalate-form")
    expect(form.get_by_label("New severity").locator("option")).to_have_text(["Critical"])  # only what is above high
    form.get_by_role("button", name="Raise severity").click()  # no reason yet
    expect(page.get_by_test_id("escalate-form")).to_contain_text("This field is required.")
    expect(page.locator(".page-head .badge").first).to_have_text("High")
    assert serious_violations(page) == []

    form = page.get_by_test_id("escalate-form")
    form.get_by_label("New severity").select_option(label="Critical")
    form.get_by_label("Why it is more severe").fill("Three more prospects were quoted the retired tier")
    form.get_by_role("button", name="Raise severity").click()

    expect(page.get_by_text("Severity raised to critical.")).to_be_visible()
    expect(page.locator(".page-head .badge").first).to_have_text("Critical")
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "Severity: High → Critical (why: Three more prospects were quoted the retired tier)"
    )
    expect(page.get_by_test_id("escalate-form")).to_have_count(0)  # nothing is above critical


def test_staff_reopen_a_resolved_demo_incident_on_a_phone_by_keyboard(page: Page, live_server, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "staff")
    page.wait_for_load_state()
    page.goto(live_server.url + "/governance/incidents/?show=all")
    page.get_by_role("link", name="Enterprise leads routed to the SMB queue").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Resolved")
    expect(page.get_by_test_id("escalate-form")).to_have_count(0)  # critical: nothing above it

    form = page.get_by_test_id("reopen-form")
    form.get_by_role("button", name="Reopen").focus()
    page.keyboard.press("Enter")  # no reason yet
    expect(page.get_by_test_id("reopen-form")).to_contain_text("This field is required.")
    expect(page.get_by_test_id("review-status")).to_have_text("Resolved")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("Why it is reopened").fill("Enterprise leads reach the SMB queue again")
    page.keyboard.press("Enter")  # submits the reopen form from its reason field
    expect(page.get_by_text("Reopened: the review is in review again.")).to_be_visible()
    expect(page.get_by_test_id("review-status")).to_have_text("In review")
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "Status: Resolved → In review (Reopened: Enterprise leads reach the SMB queue again)"
    )
    expect(page.get_by_role("button", name="Save review")).to_be_visible()  # the review form is back
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
