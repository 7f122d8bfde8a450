"""In real Chromium: the incident form marks what is required, pre-selects an agent's only step, shows who
will be accountable as soon as the step is chosen (before saving), keeps the input when something is
missing, and the incident page links to its agent and its step."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login import log_in
from workflows.models import Step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_see_who_will_be_accountable_before_logging_and_the_incident_links_to_agent_and_step(
    page: Page, live_server, demo
):
    log_in(page, live_server.url, "staff")
    page.get_by_role("link", name="Log an incident").click()
    page.wait_for_load_state()  # htmx listens from here on
    what_happened = page.get_by_label("What happened")
    expect(what_happened).to_have_attribute("required", "")
    expect(page.locator("label[for=id_description] + .required-mark")).to_be_visible()
    preview = page.get_by_test_id("accountable-preview")
    step = page.get_by_label("Step it happened in")

    # An agent acting in one step: that step is chosen, and who is accountable shows at once.
    page.get_by_placeholder("Type to filter agents").fill("concierge")
    expect(step).to_have_value(str(Step.objects.get(agent__name="Chat Concierge").pk))
    expect(preview).to_contain_text("Nobody can be named.")
    expect(preview).to_contain_text("Tom Nguyen, holds no MarOps seat in the live chart")

    # An agent acting in several steps: none is chosen until the user picks one.
    page.get_by_placeholder("Type to filter agents").fill("copy assis")
    expect(step).to_have_value("")
    expect(preview).to_contain_text("different owners")
    step.select_option(label="Campaign launch · 2. Draft email and landing copy")
    expect(preview).to_contain_text("Dana Whitfield")
    step.select_option(label="Content production · 4. Personalise page for visitor")
    expect(preview).to_contain_text("Sofia Alvarez, holds no MarOps seat")
    step.select_option(label="Campaign launch · 2. Draft email and landing copy")
    expect(preview).to_contain_text("Dana Whitfield")

    # "What happened" left empty: refused, naming the field; what was typed and chosen stays.
    page.get_by_label("In one line").fill("Landing copy promised a discount we do not give")
    page.get_by_role("button", name="Log the incident").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("What happened: This field is required.")
    expect(page.get_by_label("In one line")).to_have_value("Landing copy promised a discount we do not give")
    expect(step).to_have_value(str(Step.objects.get(name="Draft email and landing copy").pk))
    expect(preview).to_contain_text("Dana Whitfield")

    page.get_by_label("What happened").fill("The approved landing page said annual plans get 40% off.")
    page.get_by_role("button", name="Log the incident").click()
    expect(page.get_by_test_id("accountable")).to_have_text("Dana Whitfield")  # as the form said

    incident_url = page.url
    page.get_by_test_id("incident-step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaign launch")
    expect(page).to_have_url(re.compile(r"/workflows/\d+/#step-\d+$"))
    expect(page.locator("tr:target")).to_contain_text("Draft email and landing copy")

    page.goto(incident_url)
    page.get_by_test_id("incident-agent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Campaign Copy Assistant")
