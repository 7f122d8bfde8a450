"""In real Chromium: each demo user logs in and lands on the screen for their job."""

import re

import pytest
from playwright.sync_api import Page, expect

from marops.demo import LIVE_CHART

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base_url: str, username: str):
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("marops-demo")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize(
    ("username", "path", "heading", "visible"),
    [
        ("cmo", "/dashboard/", "Ownership dashboard", "critical workflows owned"),
        ("leader", "/org/", LIVE_CHART, "vacancy — hire or promote"),
        ("staff", "/governance/incidents/", "Incident log", "Chat Concierge quoted a retired pricing tier"),
        ("admin", "/dashboard/", "Ownership dashboard", "core MarOps roles missing from the live chart"),
    ],
)
def test_each_demo_user_logs_in_and_lands_on_their_screen(
    page: Page, live_server, demo, username, path, heading, visible
):
    log_in(page, live_server.url, username)
    expect(page).to_have_url(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text(visible).first).to_be_visible()
    # The stylesheet is served (no external CDN) and htmx comes from django-htmx's bundled copy.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert page.evaluate("typeof window.htmx") == "object"
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(1 if username == "admin" else 0)


def test_a_wrong_password_keeps_the_user_out_with_a_message(page: Page, live_server, demo):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("cmo")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    page.goto(live_server.url + "/dashboard/")
    expect(page).to_have_url(re.compile("/accounts/login/"))
