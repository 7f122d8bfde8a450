"""Issue 15, on the incident page: MarOps staff raise an incident's severity or reopen its resolved
review; the timeline keeps who and why, and the accountable person is told once. A refusal says why
beside the field, in the page's layout, and changes nothing; the CMO (Executives) may do neither."""

import pytest
from django.urls import reverse

from governance.models import Incident
from governance.selectors import incident_timeline
from governance.services import review_submit
from tests.factories import UserFactory
from tests.notifications import conftest as notifications
from tests.notifications.conftest import log_incident

pytestmark = pytest.mark.django_db

QUERIES = 15  # measured: the same with no escalation or two

org = notifications.org  # the notifications' organisation: Tom is accountable for "Lead routing" incidents


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the notifications), as production does once the request commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def escalate_url(incident):
    return reverse("governance:incident-escalate", args=[incident.pk])


def reopen_url(incident):
    return reverse("governance:incident-reopen", args=[incident.pk])


def detail_url(incident):
    return reverse("governance:incident-detail", args=[incident.pk])


def state(incident):
    """What a refused escalation or reopening must leave as it was."""
    incident = Incident.objects.select_related("review").get(pk=incident.pk)
    review = incident.review
    timeline = [(e.who, e.what) for e in incident_timeline(incident)]
    return incident.severity, review.status, review.version, review.due_on, review.resolved_at, timeline


def resolved(org, committed):
    incident = committed(lambda: log_incident(org.step))
    review = incident.review
    committed(
        lambda: review_submit(
            review=review, expected_version=review.version, root_cause="data", analysis="Stale price list",
            accountable_owner=org.tom, resolve=True, by=UserFactory(),
        )
    )  # fmt: skip
    return incident


def options(page: str) -> list[str]:
    select = page.split('id="escalate-severity"', 1)[1].split("</select>", 1)[0]
    return [part.split('"', 1)[0] for part in select.split('<option value="')[1:]]


def test_staff_raise_the_severity_the_timeline_says_who_and_why_and_the_accountable_person_is_told_once(
    org, committed, staff_client, staff, mailoutbox
):
    incident = committed(lambda: log_incident(org.step, severity="low"))
    mailoutbox.clear()
    page = staff_client.get(detail_url(incident)).content.decode()
    assert options(page) == ["medium", "high", "critical"]  # only what is above low
    assert f'action="{escalate_url(incident)}"' in page and "Raise severity" in page

    response = committed(
        lambda: staff_client.post(escalate_url(incident), {"severity": "high", "reason": "Buyers complain"})
    )
    assert response.status_code == 302 and response["Location"] == detail_url(incident)
    incident.refresh_from_db()
    assert incident.severity == "high"
    assert (staff.username, "Severity: Low → High (why: Buyers complain)") in [
        (e.who, e.what) for e in incident_timeline(incident)
    ]
    [message] = mailoutbox
    assert message.to == ["tom@example.com"] and "severity has just been raised to high" in message.body

    page = staff_client.get(detail_url(incident)).content.decode()
    assert "Severity raised to high." in page and "Severity: Low → High (why: Buyers complain)" in page
    assert options(page) == ["critical"]


@pytest.mark.parametrize("severity", ["medium", "high", "low"])
def test_lowering_or_keeping_the_severity_is_refused_beside_the_field_and_changes_nothing(
    org, committed, staff_client, mailoutbox, severity
):
    incident = committed(lambda: log_incident(org.step, severity="high"))
    mailoutbox.clear()
    before = state(incident)
    response = committed(
        lambda: staff_client.post(escalate_url(incident), {"severity": severity, "reason": "Lower it"})
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert '<main id="main"' in page
    field = page.split('id="escalate-severity"', 1)[1].split("</div>", 1)[0]
    assert "The incident is already high." in field  # beside the severity field
    assert 'value="Lower it"' in page  # the reason is kept
    assert state(incident) == before and mailoutbox == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required_to_raise_the_severity(org, committed, staff_client, mailoutbox, reason):
    incident = committed(lambda: log_incident(org.step, severity="low"))
    mailoutbox.clear()
    before = state(incident)
    response = committed(lambda: staff_client.post(escalate_url(incident), {"severity": "critical", "reason": reason}))
    assert response.status_code == 422
    field = response.content.decode().split('id="escalate-reason"', 1)[1].split("</div>", 1)[0]
    assert "This field is required." in field
    assert state(incident) == before and mailoutbox == []


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"severity": "catastrophic", "reason": "x"},
        {"severity": "high", "reason": "x" * 101},
        {"severity": "high", "reason": "bad\x00byte"},
        {"severity": "high", "reason": "two\nlines"},
    ],
)
def test_any_other_input_to_raise_the_severity_is_refused_with_a_message_not_a_500(org, committed, staff_client, data):
    incident = committed(lambda: log_incident(org.step, severity="low"))
    before = state(incident)
    response = staff_client.post(escalate_url(incident), data)
    assert response.status_code == 422
    assert 'class="error" role="alert"' in response.content.decode()
    assert state(incident) == before


def test_a_critical_incident_offers_no_escalation_and_a_stale_page_is_told_why_at_the_top(org, committed, staff_client):
    incident = committed(lambda: log_incident(org.step, severity="critical"))
    page = staff_client.get(detail_url(incident)).content.decode()
    assert escalate_url(incident) not in page
    before = state(incident)
    response = staff_client.post(escalate_url(incident), {"severity": "critical", "reason": "Worse"})
    assert response.status_code == 409
    assert "Severity not raised. The incident is already critical." in response.content.decode()
    assert state(incident) == before


def test_the_cmo_may_neither_raise_nor_reopen_and_sees_the_styled_page(org, committed, client, executive, mailoutbox):
    incident = resolved(org, committed)
    mailoutbox.clear()
    client.force_login(executive)
    page = client.get(detail_url(incident)).content.decode()
    assert escalate_url(incident) not in page and reopen_url(incident) not in page
    before = state(incident)
    for url, data in [
        (escalate_url(incident), {"severity": "critical", "reason": "Press"}),
        (reopen_url(incident), {"version": incident.review.version + 1, "reason": "Again"}),
    ]:
        response = committed(lambda url=url, data=data: client.post(url, data))
        assert response.status_code == 403
        html = response.content.decode()
        assert "You may not open this page" in html and '<main id="main"' in html
    assert state(incident) == before and mailoutbox == []


def test_reopening_a_resolved_review_puts_it_in_review_the_timeline_says_why_and_the_accountable_person_is_told(
    org, committed, staff_client, staff, mailoutbox
):
    incident = resolved(org, committed)
    mailoutbox.clear()
    review = incident.review
    review.refresh_from_db()
    page = staff_client.get(detail_url(incident)).content.decode()
    assert f'action="{reopen_url(incident)}"' in page and f'name="version" value="{review.version}"' in page

    data = {"version": review.version, "reason": "The price list is wrong again"}
    response = committed(lambda: staff_client.post(reopen_url(incident), data))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "in_review" and review.resolved_at is None
    assert (staff.username, "Status: Resolved → In review (Reopened: The price list is wrong again)") in [
        (e.who, e.what) for e in incident_timeline(incident)
    ]
    [message] = mailoutbox
    assert message.to == ["tom@example.com"] and "It has just been reopened" in message.body

    page = staff_client.get(detail_url(incident)).content.decode()
    assert "Reopened: the review is in review again." in page
    assert reopen_url(incident) not in page and "Save review" in page  # the review form is back


def test_reopening_from_a_stale_page_is_refused_and_keeps_the_reason(org, committed, staff_client, mailoutbox):
    incident = resolved(org, committed)
    mailoutbox.clear()
    stale = Incident.objects.get(pk=incident.pk).review.version - 1  # the page was read before it was resolved
    before = state(incident)
    response = committed(lambda: staff_client.post(reopen_url(incident), {"version": stale, "reason": "Again, sadly"}))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this review" in page and 'value="Again, sadly"' in page
    assert state(incident) == before and mailoutbox == []


def test_reopening_needs_a_reason_and_a_resolved_review(org, committed, staff_client, mailoutbox):
    incident = resolved(org, committed)
    mailoutbox.clear()
    version = Incident.objects.get(pk=incident.pk).review.version
    before = state(incident)
    for data in [{"version": version, "reason": " "}, {"version": version}, {"version": "x", "reason": "Again"}, {}]:
        response = staff_client.post(reopen_url(incident), data)
        assert response.status_code == 422, data
        assert 'class="error" role="alert"' in response.content.decode()
    field = response.content.decode().split('id="reopen-reason"', 1)[1].split("</div>", 1)[0]
    assert "This field is required." in field
    assert state(incident) == before

    open_incident = committed(lambda: log_incident(org.step, summary="Still open"))
    mailoutbox.clear()
    before = state(open_incident)
    response = staff_client.post(reopen_url(open_incident), {"version": 1, "reason": "Again"})
    assert response.status_code == 409 and "Not reopened. This review is not resolved." in response.content.decode()
    assert state(open_incident) == before and mailoutbox == []


def test_both_writes_take_only_post(org, committed, staff_client):
    incident = resolved(org, committed)
    assert staff_client.get(escalate_url(incident)).status_code == 405
    assert staff_client.get(reopen_url(incident)).status_code == 405
    assert staff_client.post(reverse("governance:incident-escalate", args=[999999]), {}).status_code == 404


def test_the_incident_page_with_both_forms_reads_in_a_fixed_number_of_queries(
    org, committed, staff_client, django_assert_max_num_queries
):
    incident = resolved(org, committed)
    for severity in ["high", "critical"]:  # each escalation adds a timeline line, not a query
        staff_client.post(escalate_url(incident), {"severity": severity, "reason": f"Now {severity}"})
    staff_client.get(detail_url(incident))  # the session and permissions, once
    with django_assert_max_num_queries(QUERIES):
        page = staff_client.get(detail_url(incident)).content.decode()
    assert "Severity: High → Critical (why: Now critical)" in page and reopen_url(incident) in page
