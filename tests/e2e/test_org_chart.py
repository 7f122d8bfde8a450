"""In real Chromium: a Leader plans the move to 2026 on the org chart; the CMO only reads it."""

import re

import pytest
from playwright.sync_api import Page, expect

from marops.demo import LIVE_CHART
from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PKD_MISSING = "No position holds the Prompt and Knowledge Designer role."


def seat(page: Page, title: str):
    """A seat's box in the graphical chart, by its exact title."""
    return page.locator(f'.oc-seat:has(.oc-title:text-is("{title}"))')


def seat_menu(page: Page, title: str, item: str) -> None:
    seat(page, title).get_by_role("button", name=f"Actions for {title}").click()
    page.get_by_role("menuitem", name=item).click()


def test_leader_clones_a_scenario_adds_the_missing_role_compares_and_adopts(page: Page, live_server, demo):
    log_in(page, live_server.url, "leader")
    findings = page.get_by_test_id("findings")
    expect(findings).to_contain_text(PKD_MISSING)

    page.get_by_placeholder("Scenario name").fill("2026 plan")
    page.get_by_role("button", name="Clone into a scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 plan")
    expect(page.get_by_test_id("chart-status")).to_have_text("Scenario")
    expect(findings).to_contain_text(PKD_MISSING)
    # The scenario came by a boosted navigation: its chart still opens and closes a branch once a click.
    seat(page, "Content Lead").get_by_role("button", name="1 report of Content Lead").click()
    expect(seat(page, "Content Marketer")).to_be_hidden()

    seat_menu(page, "Marketing Operations Manager", "Add a report")
    editor = page.locator("#editor")
    expect(editor).to_contain_text("New position under Marketing Operations Manager")
    url_before = page.url
    editor.get_by_label("Title").fill("Prompt and Knowledge Designer")
    editor.get_by_label("Prompt and Knowledge Designer").check()
    editor.get_by_label("Level").select_option(label="Specialist")
    editor.get_by_role("button", name="Save").click()

    # htmx swaps the workspace: the new vacancy appears and the finding clears, with no reload.
    expect(seat(page, "Prompt and Knowledge Designer")).to_contain_text("Vacancy")
    expect(page.get_by_test_id("chart-message")).to_contain_text("Added “Prompt and Knowledge Designer”.")
    expect(findings).not_to_contain_text(PKD_MISSING)
    expect(findings).to_contain_text("No position holds the Data Steward role.")
    expect(page.locator("#editor form")).to_have_count(0)
    assert page.url == url_before

    page.get_by_role("link", name="Compare with another chart…").click()
    page.get_by_label("Before").select_option(label=LIVE_CHART)
    page.get_by_label("After").select_option(label="2026 plan")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_test_id("total-difference")).to_contain_text("+£50,000 to +£70,000")
    expect(page.get_by_test_id("seat-changes")).to_contain_text("Added (1)")

    page.goto(live_server.url + "/org/charts/")
    page.get_by_role("link", name="2026 plan").click()
    page.get_by_role("link", name="Adopt as the live chart…").click()
    page.get_by_role("button", name="Adopt as the live chart").click()
    expect(page.get_by_test_id("chart-status")).to_have_text("Live")
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("is now the live chart")
    page.goto(live_server.url + "/org/")
    expect(page.get_by_role("heading", level=1)).to_have_text("2026 plan")
    expect(findings).not_to_contain_text(PKD_MISSING)


def test_the_cmo_reads_the_chart_without_edit_controls(page: Page, live_server, demo):
    log_in(page, live_server.url, "cmo")
    page.get_by_role("link", name="Org chart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LIVE_CHART)
    expect(page.get_by_test_id("findings")).to_contain_text(PKD_MISSING)
    expect(page.get_by_role("button", name="Clone into a scenario")).to_have_count(0)
    # No dragging, and the seat's menu offers only its history.
    expect(page.locator(".oc-seat")).to_have_count(17)
    expect(page.locator(".oc-seat[draggable=true]")).to_have_count(0)
    seat(page, "Marketo Admin").get_by_role("button", name="Actions for Marketo Admin").click()
    expect(page.get_by_role("menuitem")).to_have_text(["History"])
    page.keyboard.press("Escape")
    # The search still works for reading: it lists the match and highlights its box.
    page.get_by_placeholder("Find a person, role, team or platform").fill("marco")
    expect(page.get_by_test_id("search-count")).to_have_text("1 seat match “marco”.")
    expect(page.locator(".oc-seat.oc-match")).to_have_count(1)
    expect(page.locator(".oc-seat.oc-match")).to_contain_text("Marketo Admin")
    page.get_by_role("button", name="Collapse all").click()
    expect(seat(page, "Marketo Admin")).to_be_hidden()
    page.get_by_role("button", name="Marketo Admin — Marco Rossi").click()
    expect(seat(page, "Marketo Admin")).to_be_visible()
    assert re.search(r"/org/$", page.url)


def test_the_outline_is_the_accessible_alternative(page: Page, live_server, demo):
    log_in(page, live_server.url, "leader")
    page.get_by_role("link", name="Outline").click()
    expect(page).to_have_url(re.compile(r"\?view=outline$"))
    expect(page.get_by_test_id("position")).to_have_count(17)
    expect(page.get_by_test_id("findings")).to_contain_text(PKD_MISSING)
    expect(page.get_by_test_id("cost")).to_contain_text("a year")
    page.get_by_placeholder("Find a person, role, team or platform").fill("segment")
    expect(page.locator("li.position.match")).to_have_count(1)
    expect(page.locator("li.position.match")).to_contain_text("Marketing Operations Specialist")
