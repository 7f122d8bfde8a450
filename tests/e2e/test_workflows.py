"""In real Chromium: a Leader maps a step into lead routing, gives it a MarOps owner, and the
ownership flags clear at once, with no scan."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLAG = "The owner of “Lead routing”, Tom Nguyen, holds no MarOps seat in the live chart."


def test_leader_adds_an_ai_step_assigns_an_owner_and_the_flag_clears(page: Page, live_server, demo):
    log_in(page, live_server.url, "leader")
    page.get_by_role("link", name="Flags").click()
    expect(page.get_by_text(FLAG, exact=True)).to_be_visible()

    page.get_by_role("link", name="Workflows").click()
    page.get_by_role("link", name="Lead routing").click()
    page.get_by_role("link", name="Add a step").click()
    editor = page.locator("#editor")
    editor.get_by_label("Name", exact=True).fill("Draft reply to inbound question")
    editor.get_by_label("Platform", exact=True).select_option(label="OpenAI")
    editor.get_by_label("Mode", exact=True).select_option(label="AI-assisted")
    editor.get_by_role("button", name="Save").click()
    expect(editor.get_by_test_id("editor-errors")).to_contain_text("needs the agent acting in it")

    editor.get_by_label("Agent", exact=True).select_option(label="Campaign Copy Assistant (allowed: Assisted only)")
    editor.get_by_label("Decision", exact=True).fill("What the reply says")
    editor.get_by_label("Buyer-facing").check()
    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("step-box").filter(has_text="Draft reply to inbound question")).to_contain_text(
        "Campaign Copy Assistant"
    )
    expect(page.get_by_test_id("step-row")).to_have_count(6)

    page.get_by_label("Owner", exact=True).select_option(label="Dana Whitfield")
    page.get_by_role("button", name="Assign owner").click()
    expect(page.locator(".messages")).to_contain_text("Dana Whitfield now owns “Lead routing”.")
    expect(page.get_by_test_id("owner-line")).not_to_contain_text("outside MarOps")

    page.get_by_role("link", name="Flags").click()  # no scan ran: the assignment resolved the flags itself
    expect(page.get_by_role("heading", level=1)).to_have_text("Open ownership flags")
    expect(page.get_by_text(FLAG, exact=True)).to_have_count(0)
    expect(
        page.get_by_text(
            "The owner of “Content production”, Sofia Alvarez, holds no MarOps seat in the live chart.", exact=True
        )
    ).to_be_visible()
