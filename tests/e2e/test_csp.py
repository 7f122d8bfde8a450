"""In real Chromium with the Content-Security-Policy on: every page each demo user reaches runs without a
single console error (a refused inline script or style is one), and the behaviours that used to be
inline handlers (the period picker, the delete confirmation, the print button) still work.

The walk follows every same-site link from the user's start page, one page per URL shape (numbers
stand for any id; a query string counts by its parameters' names, so `?view=outline` is a page of its
own), so new pages are walked without being listed here."""

import re
from collections import deque
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
from playwright.sync_api import Page, expect

from marops.demo import TARGET_CHART
from roles.models import Chart
from tests.e2e.test_login import log_in
from workflows.models import Step, Workflow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Not pages: downloads, the logout form's target, the API (JSON), Django admin (walked separately).
SKIP = re.compile(r"/export|\.csv$|\.xlsx$|\.svg$|^/accounts/logout/|^/api/v1/(?!docs)|^/admin/|^/static/")
MAX_PAGES = 60


@pytest.fixture(autouse=True)
def throttle_on(settings):
    settings.AXES_ENABLED = True  # log in through django-axes, as deployed


def shape(path: str) -> str:
    url = urlparse(path)
    return re.sub(r"/\d+(?=/)", "/N", url.path) + "?" + "&".join(sorted(parse_qs(url.query)))


def watch_console(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text} {m.location}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return errors


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")  # htmx's loads (the dashboard's heartbeat) included


def walk(page: Page, base: str, start: str, extra: list[str]) -> list[str]:
    host = urlparse(base).netloc
    queue, seen, walked = deque([start, *extra]), set(), []
    while queue and len(walked) < MAX_PAGES:
        path = queue.popleft()
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        visit(page, base + path)
        walked.append(path)
        for href in page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)"):
            url = urlparse(urljoin(page.url, href))
            path = url.path + (f"?{url.query}" if url.query else "")
            if url.netloc == host and not SKIP.search(url.path) and shape(path) not in seen:
                queue.append(path)
    return walked


@pytest.mark.parametrize("username", ["cmo", "leader", "staff", "admin"])
def test_every_page_runs_without_a_console_error_under_the_csp(page: Page, live_server, demo, username):
    errors = watch_console(page)
    log_in(page, live_server.url, username)
    expect(page.get_by_test_id("current-user")).to_be_visible()
    workflow = Workflow.objects.order_by("pk").first()
    # Pages reached by htmx buttons rather than links.
    extra = [f"/org/charts/{Chart.objects.get(name=TARGET_CHART).pk}/print/", "/accounts/password/change/"]
    if username in {"leader", "admin"}:
        extra += [
            f"/workflows/steps/{Step.objects.order_by('pk').first().pk}/edit/",
            f"/workflows/{workflow.pk}/steps/new/",
        ]
    if username in {"staff", "admin"}:
        extra.append("/governance/incidents/new/")
    if username == "admin":
        extra += ["/admin/", "/admin/axes/accessattempt/", f"/admin/workflows/workflow/{workflow.pk}/change/"]
    walked = walk(page, live_server.url, urlparse(page.url).path, extra)
    assert len(walked) >= 20, walked  # the walk really went round the product
    assert errors == []


def test_the_pages_and_error_pages_without_a_login_run_without_a_console_error(page: Page, live_server, demo):
    errors = watch_console(page)
    for path in ["/accounts/login/", "/accounts/password/reset/", "/accounts/reset/x/y/"]:
        visit(page, live_server.url + path)
    page.goto(live_server.url + "/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to your start page")).to_be_visible()
    # Chromium reports the 404 status itself as a console error; nothing else may appear.
    assert [e for e in errors if "the server responded with a status of 404" not in e] == []


def test_the_behaviours_that_were_inline_handlers_still_work(page: Page, live_server, demo):
    errors = watch_console(page)
    log_in(page, live_server.url, "leader")
    # The dashboard's period picker sends its form on change.
    page.goto(live_server.url + "/dashboard/")
    page.get_by_label("Incidents over").select_option(label="the last 30 days")
    expect(page).to_have_url(re.compile(r"/dashboard/\?period=30$"))
    # Deleting a scenario asks first; Cancel keeps it.
    target = Chart.objects.get(name=TARGET_CHART)
    page.goto(f"{live_server.url}/org/charts/{target.pk}/")
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TARGET_CHART)
    assert questions == [f"Delete the scenario {TARGET_CHART}?"]
    assert Chart.objects.filter(pk=target.pk).exists()
    # The print page's button opens the print dialog.
    page.goto(f"{live_server.url}/org/charts/{target.pk}/print/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    assert errors == []
