"""The incident log: filters, and pages of 100 so it stays quick with a year of incidents."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Incident, Review
from tests.conftest import make_user
from tests.factories import StepFactory, UserFactory

pytestmark = pytest.mark.django_db


def many_incidents(n, *, overdue):
    step, reporter = StepFactory(), UserFactory()
    now, today = timezone.now(), timezone.localdate()
    incidents = Incident.objects.bulk_create(
        Incident(
            summary=f"Incident {i:03}",
            agent=step.agent,
            step=step,
            occurred_at=now - datetime.timedelta(minutes=i),
            severity="low",
            description="x",
            reporter=reporter,
        )
        for i in range(n)
    )
    due = today - datetime.timedelta(days=1) if overdue else today + datetime.timedelta(days=5)
    Review.objects.bulk_create(Review(incident=incident, due_on=due) for incident in incidents)


def test_the_log_shows_100_a_page_and_keeps_the_filter_across_pages(client, django_assert_max_num_queries):
    many_incidents(130, overdue=True)
    many_incidents(5, overdue=False)
    client.force_login(make_user("s", "MarOps staff"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("governance:incident-list"), {"show": "overdue"}).content.decode()
    assert "130 incidents" in page and page.count("Incident 0") == 100 and "Page 1 of 2" in page
    assert 'href="?show=overdue&amp;page=2"' in page
    second = client.get(reverse("governance:incident-list"), {"show": "overdue", "page": 2}).content.decode()
    assert second.count("Incident 1") == 30 and "Incident 000" not in second  # newest first: 100–129 here
    assert "135 incidents" in client.get(reverse("governance:incident-list"), {"show": "open"}).content.decode()
    # A page number that is not one shows the first or last page instead of failing.
    assert client.get(reverse("governance:incident-list"), {"page": "abc"}).status_code == 200
    assert "Page 2 of 2" in client.get(reverse("governance:incident-list"), {"page": 99}).content.decode()


def test_incidents_logged_at_the_same_moment_are_each_on_exactly_one_page(client):
    step, reporter, now = StepFactory(), UserFactory(), timezone.now()
    incidents = Incident.objects.bulk_create(
        Incident(
            summary=f"Same {i:03}",
            agent=step.agent,
            step=step,
            occurred_at=now,
            severity="low",
            description="x",
            reporter=reporter,
        )
        for i in range(150)
    )
    Review.objects.bulk_create(Review(incident=i, due_on=timezone.localdate()) for i in incidents)
    client.force_login(make_user("s", "MarOps staff"))
    pages = [client.get(reverse("governance:incident-list"), {"page": n}).content.decode() for n in (1, 2)]
    assert all(sum(f"Same {i:03}</a>" in page for page in pages) == 1 for i in range(150))
