"""Logins are throttled (issue 12, item 2): repeated failures for one username or from one address lock
logging in for a while, the login page says so, a success resets the count, admins see the lockouts.
Users change their password, and reset a forgotten one by e-mail."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from marops.demo import DEMO_PASSWORD
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED = "Logging in is paused for 15 minutes"


@pytest.fixture(autouse=True)
def throttle_on(settings):
    """The throttle as deployed (the suite turns it off for the test client's login())."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def victim(db):
    return make_user("victim", "Executives", email="victim@halcyon.example")


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return client.get("/dashboard/").status_code == 200


def test_thirty_wrong_passwords_lock_the_username_and_the_right_one_is_then_refused(client, victim):
    answers = [log_in(client, "victim", f"guess-{n}") for n in range(30)]
    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert "4 attempts left before logging in is paused for 15 minutes" in answers[0].content.decode()
    assert "1 attempt left" in answers[3].content.decode()
    assert {a.status_code for a in answers[4:]} == {429}

    right = log_in(client, "victim", DEMO_PASSWORD)
    assert right.status_code == 429
    assert not logged_in(client)
    page = right.content.decode()
    # Said plainly, on the login page in the site's layout, with a way out.
    assert LOCKED in page and "too many failed attempts for this username or from your network" in page
    assert 'class="topbar"' in page and "Log in to MarOps" in page
    assert 'href="/accounts/password/reset/"' in page


def test_the_lock_holds_for_the_username_from_another_address(client, victim):
    for n in range(5):
        log_in(client, "victim", f"guess-{n}", address="203.0.113.7")
    assert log_in(Client(), "victim", DEMO_PASSWORD, address="198.51.100.1").status_code == 429


def test_failures_from_one_address_lock_that_address_for_every_username(client, victim):
    colleague = make_user("colleague", "Executives")
    for n in range(5):
        log_in(client, f"someone-{n}", "guess", address="203.0.113.7")
    assert log_in(Client(), colleague.username, DEMO_PASSWORD, address="203.0.113.7").status_code == 429
    # Another address is not affected.
    other = Client()
    assert log_in(other, colleague.username, DEMO_PASSWORD, address="198.51.100.1").status_code == 302
    assert logged_in(other)


def test_a_success_resets_the_count(client, victim):
    for n in range(4):
        assert log_in(client, "victim", f"guess-{n}").status_code == 200
    assert log_in(client, "victim", DEMO_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for n in range(4):
        assert log_in(client, "victim", f"again-{n}").status_code == 200  # a fresh count of five
    assert log_in(client, "victim", DEMO_PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, victim):
    for n in range(5):
        log_in(client, "victim", f"guess-{n}")
    assert log_in(client, "victim", DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert log_in(client, "victim", DEMO_PASSWORD).status_code == 302


def test_admins_see_the_lockouts_in_django_admin(client, victim):
    for n in range(5):
        log_in(Client(), "victim", f"guess-{n}", address="203.0.113.7")
    admin = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "victim" in page and "203.0.113.7" in page
    assert client.get("/admin/").content.decode().count("Access attempts") == 1
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 5
    detail = client.get(f"/admin/axes/accessattempt/{attempt.pk}/change/").content.decode()
    assert "victim" in detail and "guess-" not in detail  # who and from where, but no password


def test_the_login_page_links_to_the_password_reset(client):
    page = client.get(LOGIN).content.decode()
    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in page


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, victim):
    response = client.post("/accounts/password/reset/", {"email": "VICTIM@halcyon.example"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["victim@halcyon.example"] and email.subject == "Set a new MarOps password"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", email.body)
    assert link, email.body

    form = client.get(link[1], follow=True)
    assert "Set a new password" in form.content.decode()
    new = "tide-harbour-quill-42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True)
    assert "Your password is set" in done.content.decode()

    assert log_in(Client(), "victim", DEMO_PASSWORD).status_code == 200  # the old one no longer works
    fresh = Client()
    assert log_in(fresh, "victim", new).status_code == 302
    assert logged_in(fresh)
    # The link works once.
    assert "already been used or has expired" in client.get(link[1], follow=True).content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, victim):
    response = client.post("/accounts/password/reset/", {"email": "nobody@halcyon.example"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


def test_a_password_reset_lifts_the_lockout_of_that_username(client, victim):
    for n in range(5):
        log_in(Client(), "victim", f"guess-{n}", address="203.0.113.7")
    client.post("/accounts/password/reset/", {"email": "victim@halcyon.example"})
    path = re.search(r"(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form = client.get(path, follow=True)
    new = "tide-harbour-quill-42"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert log_in(Client(), "victim", new, address="198.51.100.1").status_code == 302


def test_a_user_changes_their_password_from_the_profile_page(client, victim):
    client.force_login(victim)
    profile = client.get(reverse("profile")).content.decode()
    assert '<a href="/accounts/password/change/">Change your password</a>' in profile
    refused = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert refused.status_code == 200
    assert "Your old password was entered incorrectly" in refused.content.decode()

    new = "tide-harbour-quill-42"
    response = client.post(
        "/accounts/password/change/",
        {"old_password": DEMO_PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    assert logged_in(client)  # still logged in here
    assert log_in(Client(), "victim", new).status_code == 302
