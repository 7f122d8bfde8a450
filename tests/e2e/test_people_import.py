"""In real Chromium: a Leader imports the company's BambooHR export, corrects one column and one job title's
role, reads the preview, applies it into a new scenario and compares that with the live chart. Every page of
the import keeps to the site's rules on the way: no serious axe violation, nothing wider than a phone.

The preview and the apply are Celery tasks; as in every e2e test they run in-process once the request
commits (CELERY_TASK_ALWAYS_EAGER in marops.test_settings), so the page after each shows the outcome."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hr.models import TitleRule
from marops.demo import LIVE_CHART
from roles.models import Chart
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_login import log_in
from tests.e2e.test_phone_width import DOCUMENT_WIDTH, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "hr" / "bamboohr_employees.csv"
SCENARIO = "BambooHR import, December"


def keeps_to_the_rules(page: Page) -> None:
    """No serious accessibility violation, and at a phone's width the page does not scroll sideways."""
    assert serious_violations(page) == [], page.url
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    assert page.evaluate(DOCUMENT_WIDTH) <= PHONE["width"], page.url
    assert desktop is not None
    page.set_viewport_size(desktop)


def test_a_leader_imports_an_hr_export_into_a_scenario_and_compares_it_with_the_live_chart(
    page: Page, live_server, demo
):
    log_in(page, live_server.url, "leader")
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("link", name="Import people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people from an HR system")
    expect(page.get_by_role("link", name="People", exact=True)).to_have_attribute("aria-current", "page")
    keeps_to_the_rules(page)

    # A file that is not a spreadsheet is refused with its problem, in the site's layout, and nothing is kept.
    photo = {"name": "team-photo.csv", "mimeType": "text/csv", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}
    page.get_by_label("HR export").set_input_files(photo)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("import-problems")).to_contain_text("not a spreadsheet")
    keeps_to_the_rules(page)

    page.get_by_label("HR export").set_input_files(SAMPLE)
    page.get_by_role("button", name="Upload").click()

    # Step 2: the columns, recognised as BambooHR's, with the file's first rows underneath.
    expect(page.get_by_role("heading", level=1)).to_have_text("Which column is which")
    expect(page.get_by_test_id("format")).to_have_text("BambooHR")
    expect(page.get_by_label("Work e-mail")).to_have_value("Work Email")
    expect(page.get_by_label("Manager's employee ID")).to_have_value("Supervisor EID")
    expect(page.get_by_test_id("sample")).to_contain_text("Evelyn Carter")
    keeps_to_the_rules(page)
    # A required field left without a column is refused beside it, and nothing changes.
    page.get_by_label("Job title").select_option(label="— not in the file —")
    page.get_by_role("button", name="Save the mapping and go on").click()
    expect(page.get_by_test_id("field-error")).to_have_text("Job title: choose the column that holds it")
    keeps_to_the_rules(page)
    # The correction: the pay rate carries its currency ("185000.00 GBP"); leave salaries out of this import.
    page.get_by_label("Job title").select_option("Job Title")
    page.get_by_label("Salary").select_option(label="— not in the file —")
    page.get_by_role("button", name="Save the mapping and go on").click()

    # Step 3: one row per job title, with its proposed role, confidence and reason.
    expect(page.get_by_role("heading", level=1)).to_have_text("What each job title means")
    marketo = page.get_by_test_id("title-match").filter(has=page.get_by_role("rowheader", name="Marketo Admin"))
    expect(marketo.get_by_label("Role for “Marketo Admin”").locator("option:checked")).to_have_text("Platform owner")
    expect(marketo.get_by_label("Expertise for “Marketo Admin”").locator("option:checked")).to_have_text("Marketo")
    expect(marketo.get_by_test_id("confidence")).to_have_text(re.compile(r"\d+%"))
    expect(page.get_by_label("Remember these corrections for the next import")).to_be_checked()
    keeps_to_the_rules(page)
    # The correction: the marketing data analyst is to be the team's Data Steward, not an analytics lead.
    analyst = page.get_by_label("Role for “Marketing Data Analyst”")
    expect(analyst.locator("option:checked")).to_have_text("Analytics lead")
    analyst.select_option(label="Data Steward")
    page.get_by_role("button", name="Preview the changes").click()

    # Step 4: the preview, by category, each with its count and its lines.
    expect(page.get_by_role("heading", level=1)).to_have_text("People import: bamboohr_employees.csv")
    expect(page.get_by_test_id("plan-summary")).to_contain_text("people added")
    expect(page.get_by_test_id("plan-seats_added")).to_be_visible()
    keeps_to_the_rules(page)
    rule = TitleRule.objects.select_related("role").get()
    assert (rule.title, rule.role.name) == ("marketing data analyst", "Data Steward")  # remembered for next time

    page.get_by_label("Into a new scenario, to compare and adopt later").check()
    page.get_by_label("Scenario name").fill(SCENARIO)
    page.once("dialog", lambda dialog: dialog.accept())  # "Apply this import? …"
    page.get_by_test_id("apply").click()

    expect(page.get_by_test_id("import-result")).to_contain_text(f"Applied to {SCENARIO}")
    keeps_to_the_rules(page)
    page.get_by_role("link", name="Compare it with the live chart").click()
    expect(page.get_by_test_id("before-name")).to_have_text(LIVE_CHART)
    expect(page.get_by_test_id("after-name")).to_have_text(SCENARIO)
    assert Chart.objects.filter(name=SCENARIO, status="scenario").exists()
