"""In real Chromium: staff tick off a corrective action of a resolved incident (issue 13), and its
timeline says who did it."""

import pytest
from playwright.sync_api import Page, expect

from governance.models import CorrectiveAction
from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_tick_off_an_action_after_the_incident_is_resolved_and_the_timeline_records_it(
    page: Page, live_server, demo
):
    action = CorrectiveAction.objects.filter(review__status="resolved").select_related("review").first()
    assert action is not None, "the demo company has a resolved incident with corrective actions"
    log_in(page, live_server.url, "staff")  # Mia Chen
    page.goto(f"{live_server.url}/governance/incidents/{action.review.incident_id}/")
    expect(page.get_by_test_id("review-status")).to_have_text("Resolved")
    untick, tick = f"Mark {action.description} not done", f"Mark {action.description} done"
    if action.is_done:  # reopened first, then ticked off again
        page.get_by_role("button", name=untick).click()
        expect(page.get_by_test_id("timeline")).to_contain_text(f"Mia Chen Action reopened: {action.description}")

    page.get_by_role("button", name=tick).click()
    expect(page.get_by_role("button", name=untick)).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text(f"Mia Chen Action done: {action.description}")
    expect(page.get_by_test_id("review-status")).to_have_text("Resolved")  # the review stays resolved
    assert CorrectiveAction.objects.get(pk=action.pk).is_done
