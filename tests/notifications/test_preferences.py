"""People choose on their profile how each optional message reaches them; the unsubscribe link in an
e-mail works in one click, without logging in."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Preference
from notifications.services import unsubscribe_token
from tests.conftest import make_user
from tests.factories import IncidentFactory, ReviewFactory
from tests.notifications.conftest import at, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom_client(client, org):
    user = make_user("tom")
    org.tom.user = user
    org.tom.save()
    client.force_login(user)
    return client


def test_the_profile_shows_each_choice_and_says_the_accountable_message_always_goes(tom_client):
    page = tom_client.get(reverse("profile")).content.decode()
    assert "“You are accountable” always goes" in page and "It cannot be switched off." in page
    assert page.count('type="radio"') == 9  # three topics, three ways each
    assert "<legend>Corrective actions due or overdue</legend>" in page
    assert len(re.findall(r'value="email"[^>]*checked', page)) == 3  # e-mail at once unless chosen otherwise


def test_saving_choices_changes_what_is_sent(tom_client, org):
    response = tom_client.post(
        reverse("profile"),
        {"preferences": "1", "review-due": "summary", "action-due": "off", "flag-open": "email"},
    )
    assert response.status_code == 302
    assert dict(Preference.objects.filter(person=org.tom).values_list("topic", "delivery")) == {
        "review-due": "summary", "action-due": "off", "flag-open": "email"
    }  # fmt: skip
    page = tom_client.get(reverse("profile")).content.decode()
    assert "Your choices are saved." in page


def test_a_bad_choice_names_the_topic_and_changes_nothing(tom_client, org):
    Preference.objects.create(person=org.tom, topic="review-due", delivery="summary")
    tom_client.post(
        reverse("profile"), {"preferences": "1", "review-due": "pigeon", "action-due": "off", "flag-open": "email"}
    )
    page = tom_client.get(reverse("profile")).content.decode()
    assert "Nothing saved. Reviews due tomorrow or overdue: Select a valid choice." in page
    assert dict(Preference.objects.values_list("topic", "delivery")) == {"review-due": "summary"}


def test_a_login_with_no_person_is_told_why_it_gets_nothing(client, org):
    client.force_login(make_user("robot"))
    page = client.get(reverse("profile")).content.decode()
    assert "Your login is linked to no person" in page and 'type="radio"' not in page


def test_the_profile_reads_in_a_fixed_number_of_queries(tom_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        assert tom_client.get(reverse("profile")).status_code == 200


def reminder_for_tom(org):
    review = ReviewFactory(
        incident=IncidentFactory(step=org.step), accountable_owner=org.tom, due_on=datetime.date(2026, 3, 9)
    )
    from notifications.services import reminders_send

    deliver(reminders_send(at(datetime.date(2026, 3, 10))))
    return review


def test_an_optional_message_carries_a_working_one_click_unsubscribe_link(client, org):
    reminder_for_tom(org)
    [message] = mail.outbox
    token = unsubscribe_token(org.tom.pk, "review-due")
    url = f"http://127.0.0.1:8000/notifications/unsubscribe/{token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body and f'href="{url}"' in message.alternatives[0][0]
    path = url.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)  # no login; a link scanner's GET changes nothing
    assert (
        page.status_code == 200
        and "Stop e-mails to Tom Nguyen about “Reviews due tomorrow or overdue”?" in page.content.decode()
    )
    assert not Preference.objects.exists()
    done = client.post(path, {"List-Unsubscribe": "One-Click"})  # what a mail program sends (RFC 8058)
    assert done.status_code == 200 and "will no longer receive" in done.content.decode()
    assert Preference.objects.get(person=org.tom, topic="review-due").delivery == "off"


def test_an_altered_unsubscribe_link_is_refused_and_changes_nothing(client, org):
    token = unsubscribe_token(org.tom.pk, "review-due")
    response = client.post(reverse("notifications:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()
    forged = unsubscribe_token(org.tom.pk, "accountable")  # even signed, the accountable message stays on
    assert client.post(reverse("notifications:unsubscribe", args=[forged])).status_code == 400
    assert not Preference.objects.exists()
