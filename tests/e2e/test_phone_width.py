"""In real Chromium at a phone's width (390 px): no main page scrolls sideways.

A wide table scrolls inside its own box (`.table-scroll`, or a table on a narrow screen); the page
itself never gets wider than the screen."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import main_pages, visit
from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DOCUMENT_WIDTH = "document.documentElement.scrollWidth"


def test_the_login_page_fits_a_phone(page: Page, live_server, demo):
    page.set_viewport_size(PHONE)
    visit(page, live_server.url + "/accounts/login/")
    assert page.evaluate(DOCUMENT_WIDTH) <= PHONE["width"]


@pytest.mark.parametrize("username", ["cmo", "leader", "staff", "admin"])
def test_no_main_page_a_demo_user_reaches_is_wider_than_a_phone(page: Page, live_server, demo, username):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, username)
    page.wait_for_load_state()
    too_wide = {}
    for path in main_pages(username):
        visit(page, live_server.url + path)
        if (width := page.evaluate(DOCUMENT_WIDTH)) > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}, f"pages wider than {PHONE['width']} px: {too_wide}"


def test_on_a_phone_the_incident_log_shows_who_is_accountable_without_scrolling_sideways(page: Page, live_server, demo):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, "staff")
    row = page.get_by_role("row").filter(has_text="Chat Concierge quoted a retired pricing tier")
    accountable = row.locator("td[data-label=Accountable]")
    expect(accountable).to_have_text("nobody named")
    expect(accountable).to_be_in_viewport(ratio=1)
    box = accountable.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
