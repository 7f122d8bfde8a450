"""In real Chromium: the profile's choices work from the keyboard, and the unsubscribe page (reached from an
e-mail, without logging in) has no serious accessibility violation and fits a phone."""

import pytest
from playwright.sync_api import Page, expect

from notifications.models import Preference
from notifications.services import unsubscribe_token
from roles.models import Person
from tests.e2e.test_accessibility import serious_violations, visit
from tests.e2e.test_login import log_in
from tests.e2e.test_phone_width import DOCUMENT_WIDTH, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_person_chooses_a_daily_summary_from_the_keyboard(page: Page, live_server, demo):
    log_in(page, live_server.url, "staff")
    visit(page, live_server.url + "/accounts/profile/")
    person = Person.objects.get(user__username="staff")
    group = page.get_by_role("group", name="Corrective actions due or overdue")
    group.get_by_label("E-mail, at once").focus()
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys
    expect(group.get_by_label("In a daily summary")).to_be_checked()
    page.get_by_role("button", name="Save your choices").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    assert Preference.objects.get(person=person, topic="action-due").delivery == "summary"
    assert serious_violations(page) == []


@pytest.mark.parametrize("viewport", [None, PHONE])
def test_the_unsubscribe_page_works_in_one_click_for_everyone(page: Page, live_server, demo, viewport):
    width = (viewport or {}).get("width", 10_000)
    if viewport:
        page.set_viewport_size(viewport)
    person = Person.objects.exclude(email="").order_by("pk").first()
    visit(page, f"{live_server.url}/notifications/unsubscribe/{unsubscribe_token(person.pk, 'flag-open')}/")
    assert serious_violations(page) == [] and page.evaluate(DOCUMENT_WIDTH) <= width
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_test_id("unsubscribed")).to_contain_text("will no longer receive e-mails about")
    assert serious_violations(page) == [] and page.evaluate(DOCUMENT_WIDTH) <= width
    assert Preference.objects.get(person=person, topic="flag-open").delivery == "off"
