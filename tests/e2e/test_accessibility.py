"""In real Chromium: axe-core finds no serious or critical violation on any main page a demo user reaches.

axe-core comes from the `axe-playwright-python` package (it ships axe.min.js, so nothing is fetched at
test time). One browser, one logged-in page per user, every page of that user's list in turn."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from governance.models import Incident
from marops.demo import LIVE_CHART, PAUSED_AGENT, TARGET_CHART
from roles.models import Chart, Position
from tests.e2e.test_login import log_in
from workflows.models import Agent, Step, Workflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()
SERIOUS = {"serious", "critical"}

# What every group reads (Executives read everything and change nothing).
READ = [
    "/dashboard/",
    "/org/",
    "/org/charts/",
    "/org/charts/{target}/",
    "/org/compare/?a={target}",
    "/org/compare/?a={live}&b={target}",
    "/org/people/",
    "/governance/people/{person}/",
    "/org/positions/{position}/history/",
    "/org/charts/{target}/adopt/",
    "/org/charts/{target}/print/",
    "/workflows/",
    "/workflows/{workflow}/",
    "/workflows/{workflow}/history/",
    "/workflows/mine/",
    "/workflows/flags/",
    "/workflows/agents/",
    "/workflows/platforms/",
    "/governance/incidents/",
    "/governance/incidents/{incident}/",
    "/governance/agents/{agent}/",
    "/governance/agents/{paused_agent}/",
    "/governance/test/",
    "/governance/data-sources/",
    "/governance/knowledge/",
    "/accounts/profile/",
]
# What only Leaders edit: a seat, a new seat, a chart import, a step, a new step, the inventory import,
# a new person, a person, a leaver.
LEADER = [
    "/org/positions/{position}/edit/",
    "/org/charts/{target}/positions/new/",
    "/org/charts/import/",
    "/workflows/steps/{step}/edit/",
    "/workflows/{workflow}/steps/new/",
    "/workflows/import/",
    "/org/people/new/",
    "/org/people/{person}/edit/",
    "/governance/people/{person}/leave/",
    "/settings/webhooks/",
    "/settings/webhooks/new/",
    "/people/import/",
]
# What only MarOps staff do: log an incident.
STAFF = ["/governance/incidents/new/"]

PAGES = {"cmo": READ, "leader": READ + LEADER, "staff": READ + STAFF, "admin": ["/dashboard/", *LEADER, *STAFF]}


def main_pages(username: str) -> list[str]:
    """The paths of every main page `username` reaches in the demo company (nav pages and detail pages)."""
    live, target = Chart.objects.get(name=LIVE_CHART), Chart.objects.get(name=TARGET_CHART)
    workflow = Workflow.objects.filter(steps__agent__isnull=False).order_by("pk").first()
    assert workflow is not None
    ids = {
        "live": live.pk,
        "target": target.pk,
        "position": Position.objects.filter(chart=live, person__isnull=False).order_by("pk").first().pk,
        "workflow": workflow.pk,
        "person": workflow.owner_id,  # someone who holds something: the leaver page lists it
        "step": Step.objects.filter(workflow=workflow).order_by("order").first().pk,
        "incident": Incident.objects.order_by("pk").first().pk,
        "agent": Agent.objects.exclude(name=PAUSED_AGENT).order_by("pk").first().pk,
        "paused_agent": Agent.objects.get(name=PAUSED_AGENT).pk,
    }
    return [path.format(**ids) for path in PAGES[username]]


def visit(page: Page, url: str) -> None:
    """Open a page and wait for what htmx loads on it (the dashboard's heartbeat): faster than waiting
    for the network to be idle, which costs half a second a page."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def serious_violations(page: Page) -> list[str]:
    results = AXE.run(page, options={"resultTypes": ["violations"]}).response
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


def test_the_login_page_has_no_serious_accessibility_violation(page: Page, live_server, demo):
    visit(page, live_server.url + "/accounts/login/")
    assert serious_violations(page) == []


@pytest.mark.parametrize("username", ["cmo", "leader", "staff", "admin"])
def test_every_main_page_a_demo_user_reaches_has_no_serious_accessibility_violation(
    page: Page, live_server, demo, username
):
    log_in(page, live_server.url, username)
    page.wait_for_load_state()
    found = {}
    for path in main_pages(username):
        visit(page, live_server.url + path)
        if violations := serious_violations(page):
            found[path] = violations
    assert found == {}, "\n".join(f"{path}\n  " + "\n  ".join(v) for path, v in found.items())


def test_the_first_tab_shows_a_skip_link_that_jumps_past_the_navigation(page: Page, live_server, demo):
    log_in(page, live_server.url, "staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident log")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()  # out of sight until a keyboard user needs it
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # One Tab after the skip link lands in the page itself: the staff's "Log an incident".
    expect(page.get_by_role("link", name="Log an incident")).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_a_refused_form_keeps_to_the_rules_too(page: Page, live_server, demo):
    log_in(page, live_server.url, "staff")
    visit(page, live_server.url + "/governance/incidents/new/")
    page.get_by_role("button", name="Log the incident").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("What happened: This field is required.")
    assert serious_violations(page) == []
