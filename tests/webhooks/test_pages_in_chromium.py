"""The webhook pages in real Chromium: a Leader adds an endpoint with the keyboard and copies its secret;
every page has no serious axe violation and fits a phone (390 px), the delivery log with long answers too."""

import datetime
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.test_accessibility import serious_violations, visit
from tests.e2e.test_login import log_in
from tests.e2e.test_phone_width import DOCUMENT_WIDTH, PHONE
from tests.webhooks.helpers import endpoint_for
from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def an_endpoint_with_a_log() -> Endpoint:
    """An endpoint (disabled after a day of failures) whose log has a failed and a delivered delivery."""
    endpoint = endpoint_for("https://hooks.example.com/a/very/long/path/" + "segment/" * 20, name="Ops bus")
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_enabled=False, auto_disabled=True, disabled_at=now, disabled_reason="Disabled automatically: …"
    )
    for status, answers in (
        ("failed", [(503, "<html>" + "Service Unavailable " * 40 + "</html>"), (None, "")]),
        ("delivered", [(200, "ok")]),
    ):
        delivery = Delivery.objects.create(
            endpoint=endpoint, delivery_id=uuid.uuid4(), event_id=uuid.uuid4(), event="incident.logged", body="{}",
            status=status, finished_at=now,
        )  # fmt: skip
        for number, (code, text) in enumerate(answers, start=1):
            Attempt.objects.create(
                delivery=delivery, number=number, started_at=now - datetime.timedelta(minutes=5 - number),
                duration_ms=5003 if code is None else 120, status_code=code, response_start=text,
                error="No answer within 5 s (timed out)." if code is None else "",
            )  # fmt: skip
    return endpoint


def test_a_leader_adds_an_endpoint_with_the_keyboard_and_is_shown_its_secret_once(page: Page, live_server, demo):
    log_in(page, live_server.url, "leader")
    page.wait_for_load_state()
    visit(page, live_server.url + "/settings/webhooks/")
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("Name").fill("Ops bus")
    page.get_by_label("URL").fill("https://hooks.example.com/marops")
    page.get_by_label("Slack incoming webhook").press("Space")
    page.get_by_label("An incident was logged (incident.logged)").press("Space")
    page.get_by_role("button", name="Add the endpoint").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("“Ops bus” is added")
    secret = Endpoint.objects.get(name="Ops bus").secret
    expect(page.get_by_test_id("secret")).to_have_text(secret)
    assert serious_violations(page) == []
    page.get_by_role("link", name="Back to webhooks").click()
    expect(page.get_by_test_id("endpoints")).to_contain_text("Slack incoming webhook")
    assert secret not in page.content()


def test_the_webhook_pages_keep_to_the_rules_and_fit_a_phone(page: Page, live_server, demo):
    endpoint = an_endpoint_with_a_log()
    log_in(page, live_server.url, "leader")
    page.wait_for_load_state()
    paths = ["/settings/webhooks/", "/settings/webhooks/new/", f"/settings/webhooks/{endpoint.pk}/edit/",
             f"/settings/webhooks/{endpoint.pk}/deliveries/"]  # fmt: skip
    found, too_wide = {}, {}
    for path in paths:
        page.set_viewport_size({"width": 1280, "height": 900})
        visit(page, live_server.url + path)
        if violations := serious_violations(page):
            found[path] = violations
        page.set_viewport_size(PHONE)
        visit(page, live_server.url + path)
        if (width := page.evaluate(DOCUMENT_WIDTH)) > PHONE["width"]:
            too_wide[path] = width
    assert found == {} and too_wide == {}, (found, too_wide)
    expect(page.get_by_test_id("attempt")).to_have_count(3)
    expect(page.get_by_role("button", name="Resend incident.logged").first).to_be_visible()
