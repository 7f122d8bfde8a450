"""In real Chromium: a Leader gives an ownerless workflow a MarOps owner, and at once, with no scan in
between, the dashboard's ownership figures and the flags page agree that its flags are gone."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_login import log_in
from workflows.models import Workflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def dashboard_figures(page: Page, base_url: str) -> tuple[int, str, str]:
    """(open flags, workflows owned, the Test) as the dashboard shows them."""
    page.goto(base_url + "/dashboard/")
    flags = page.locator("a.tile", has_text="open ownership flags").locator(".figure")
    return (
        int(flags.inner_text()),
        page.get_by_test_id("tile-owned").inner_text(),
        page.get_by_test_id("tile-test").locator(".figure").inner_text(),
    )


def flags_page(page: Page, base_url: str, workflow: Workflow) -> tuple[int, int]:
    """(open flags counted on the flags page, the rows about `workflow`); the demo's fit on one page."""
    page.goto(base_url + "/workflows/flags/")
    lead = page.locator("p.lead").inner_text()
    count = int(re.search(r"(\d+) open\.", lead).group(1))
    expect(page.get_by_test_id("flag")).to_have_count(count)
    about = page.get_by_test_id("flag").filter(has=page.locator(f'a[href="/workflows/{workflow.pk}/"]'))
    return count, about.count()


def without_owner(page: Page):
    return page.locator('[data-testid="flag"][data-kind="workflow-without-owner"]', has_text="Event follow-up")


def test_assigning_an_owner_updates_the_dashboard_and_the_flags_page_at_once(page: Page, live_server, demo):
    workflow = Workflow.objects.get(name="Event follow-up")
    assert workflow.owner is None
    log_in(page, live_server.url, "leader")

    flags_before, owned_before, test_before = dashboard_figures(page, live_server.url)
    listed, about = flags_page(page, live_server.url, workflow)
    assert listed == flags_before
    # Its own "without owner" flag, and its buyer-facing AI step's "no single accountable person".
    assert about == 2
    expect(without_owner(page)).to_have_count(1)

    page.goto(f"{live_server.url}/workflows/{workflow.pk}/")
    page.get_by_label("Owner", exact=True).select_option(label="Dana Whitfield")
    page.get_by_role("button", name="Assign owner").click()
    expect(page.locator(".messages")).to_contain_text("Dana Whitfield now owns “Event follow-up”.")

    flags_after, owned_after, test_after = dashboard_figures(page, live_server.url)
    assert flags_after == flags_before - 2
    owned, total = map(int, re.search(r"(\d+) of (\d+)", owned_before).groups())  # owned by someone accountable
    assert f"({owned + 1} of {total}" in owned_after
    passed, steps = map(int, test_before.split(" / "))
    assert test_after == f"{passed + 1} / {steps}"
    listed, about = flags_page(page, live_server.url, workflow)
    assert (listed, about) == (flags_after, 0)
    expect(without_owner(page)).to_have_count(0)
