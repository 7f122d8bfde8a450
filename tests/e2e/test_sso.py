"""In real Chromium: signing in through the company's identity provider (a real OpenID Connect provider on
127.0.0.1, tests/sso/provider.py) lands each person on the screen for the group the provider's claim gives
them; an unknown e-mail gets a page saying why; the pages keep to the accessibility and phone rules."""

import re

import pytest
from playwright.sync_api import Page, expect

from marops.demo import LIVE_CHART
from roles.models import Person
from tests.e2e.test_accessibility import serious_violations, visit
from tests.e2e.test_phone_width import DOCUMENT_WIDTH, PHONE
from tests.sso.conftest import configure
from tests.sso.provider import Provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(settings):
    provider = Provider().start()
    configure(settings, provider)
    yield provider
    provider.stop()


def sign_in(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_role("link", name="Sign in with Halcyon SSO").click()


@pytest.mark.parametrize(
    ("email", "groups", "path", "heading"),
    [
        ("dana.whitfield@halcyon.example", ["mkt-leads"], "/org/", LIVE_CHART),  # the demo's "leader" login
        ("mia.chen@halcyon.example", ["mkt-ops"], "/governance/incidents/", "Incident log"),
        ("marcus.lee@halcyon.example", ["exec-team"], "/dashboard/", "Ownership dashboard"),  # no login yet
    ],
)
def test_signing_in_through_the_provider_lands_on_the_screen_of_the_mapped_group(
    page: Page, live_server, demo, provider, email, groups, path, heading
):
    provider.user = {"sub": email, "email": email, "groups": groups}
    sign_in(page, live_server.url)
    expect(page).to_have_url(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert Person.objects.get(email=email).user.groups.get().name in {"Leaders", "MarOps staff", "Executives"}


def test_a_token_for_another_application_signs_nobody_in(page: Page, live_server, demo, provider):
    provider.user = {"sub": "dana", "email": "dana.whitfield@halcyon.example", "groups": ["mkt-leads"]}
    provider.audience = "another-app"
    sign_in(page, live_server.url)
    expect(page.get_by_test_id("sso-refused")).to_contain_text("could not be verified")
    page.goto(live_server.url + "/org/")
    expect(page).to_have_url(re.compile("/accounts/login/"))


def test_an_unknown_email_gets_a_clear_page_that_keeps_to_the_rules(page: Page, live_server, demo, provider):
    provider.user = {"sub": "x", "email": "stranger@elsewhere.example", "groups": ["mkt-leads"]}
    sign_in(page, live_server.url)
    expect(page).to_have_url(live_server.url + "/oidc/refused/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(page.get_by_role("alert")).to_contain_text("Nobody in MarOps has the e-mail stranger@elsewhere.example")
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate(DOCUMENT_WIDTH) <= PHONE["width"]


@pytest.mark.parametrize("password_login", [True, False])
def test_the_login_page_with_sso_keeps_to_the_rules(page: Page, live_server, demo, provider, settings, password_login):
    configure(settings, provider, password_login=password_login)
    visit(page, live_server.url + "/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with Halcyon SSO")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(1 if password_login else 0)
    page.keyboard.press("Tab")  # the skip link, then the button is reachable by keyboard
    for _ in range(10):
        if page.evaluate("document.activeElement.textContent").strip() == "Sign in with Halcyon SSO":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("the Sign in button cannot be reached with the keyboard")
    assert serious_violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate(DOCUMENT_WIDTH) <= PHONE["width"]


def test_with_password_login_off_a_password_post_is_refused(page: Page, live_server, demo, provider, settings):
    configure(settings, provider, password_login=False)
    page.goto(live_server.url + "/accounts/login/")
    # A form kept from before (or a script) posting a password: not accepted.
    csrf = next(cookie["value"] for cookie in page.context.cookies() if "csrf" in cookie["name"])
    response = page.request.post(
        live_server.url + "/accounts/login/",
        form={"username": "leader", "password": "marops-demo", "csrfmiddlewaretoken": csrf},
        headers={"Referer": live_server.url + "/accounts/login/"},
    )
    assert "Passwords are not accepted here" in response.text()
    page.goto(live_server.url + "/org/")
    expect(page).to_have_url(re.compile("/accounts/login/"))
