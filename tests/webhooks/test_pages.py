"""The Leaders' pages under /settings/webhooks/: only Leaders get in; an endpoint's secret is shown once;
a bad URL is refused with a message naming it and nothing changes; the delivery log shows each attempt."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_user
from tests.webhooks.helpers import endpoint_for, incident_logged
from tests.webhooks.receiver import Receiver
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

LIST = "/settings/webhooks/"
NEW = "/settings/webhooks/new/"


def new_endpoint(**changes):
    return {
        "name": "Ops bus",
        "url": "https://hooks.example.com/marops",
        "kind": "json",
        "events": ["incident.logged", "flag.opened"],
    } | changes


@pytest.mark.parametrize("group", ["MarOps staff", "Executives"])
def test_only_leaders_open_the_webhook_pages_others_get_the_403_page(client, group, receiver):
    endpoint = endpoint_for(receiver.url)
    client.force_login(make_user("someone", group))
    urls = [LIST, NEW, f"{LIST}{endpoint.pk}/edit/", f"{LIST}{endpoint.pk}/deliveries/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You may not open this page" in response.content.decode()
    for action in ("test", "disable", "delete"):
        assert client.post(f"{LIST}{endpoint.pk}/{action}/").status_code == 403
    assert Endpoint.objects.get().is_enabled and receiver.requests == []
    assert "Webhooks" not in client.get("/dashboard/").content.decode()


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_leader_adds_an_endpoint_and_sees_its_secret_once(leader_client):
    assert '<a href="/settings/webhooks/"' in leader_client.get("/dashboard/").content.decode()  # in the navigation
    response = leader_client.post(NEW, new_endpoint())
    assert response.status_code == 201
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["incident.logged", "flag.opened"] and endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert "shown only on this page, once" in response.content.decode()
    for url in (LIST, f"{LIST}{endpoint.pk}/edit/", f"{LIST}{endpoint.pk}/deliveries/"):
        page = leader_client.get(url)
        assert page.status_code == 200 and endpoint.secret not in page.content.decode(), url


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "ftp://hooks.example.com/x"}, "URL: The URL must start with http:// or https://."),
        ({"url": "javascript:alert(1)"}, "URL: The URL must start with http:// or https://."),
        ({"url": "https:///path-only"}, "URL: The URL has no host name"),
        ({"url": "https://hooks.example.com:99999/x"}, "URL: The URL is not a valid address (check the port)."),
        ({"url": "https://hooks.example.com/\x00"}, "URL: “URL” contains a NUL character."),
        ({"url": ""}, "URL: This field is required."),
        ({"events": []}, "Events: Choose at least one event to send."),
        ({"events": ["incident.deleted"]}, "Events: Select a valid choice. incident.deleted is not one of"),
        ({"kind": "discord"}, "Kind: Select a valid choice. discord is not one of"),
        ({"name": "Ops\nbus"}, "Name: “Name” must be on one line."),
    ],
)
def test_a_bad_endpoint_is_refused_with_a_message_naming_the_field_and_nothing_is_saved(
    leader_client, changes, message
):
    response = leader_client.post(NEW, new_endpoint(**changes))
    assert response.status_code == 422
    assert message in response.content.decode().replace("&quot;", '"')
    assert not Endpoint.objects.exists()


def test_a_leader_edits_disables_enables_and_deletes_an_endpoint(leader_client, receiver):
    endpoint = endpoint_for(receiver.url)
    response = leader_client.post(
        f"{LIST}{endpoint.pk}/edit/", new_endpoint(url=receiver.url, kind="slack", events=["agent.paused"])
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.kind, endpoint.events) == ("slack", ["agent.paused"])

    refused = leader_client.post(f"{LIST}{endpoint.pk}/edit/", new_endpoint(url="gopher://x"))
    assert refused.status_code == 422
    endpoint.refresh_from_db()
    assert endpoint.url == receiver.url

    leader_client.post(f"{LIST}{endpoint.pk}/disable/")
    endpoint.refresh_from_db()
    assert (
        not endpoint.is_enabled
        and endpoint.disabled_reason == "Disabled by test-leader."
        and not endpoint.auto_disabled
    )
    assert "disabled" in leader_client.get(LIST).content.decode()
    leader_client.post(f"{LIST}{endpoint.pk}/enable/")
    endpoint.refresh_from_db()
    assert endpoint.is_enabled and endpoint.disabled_at is None
    leader_client.post(f"{LIST}{endpoint.pk}/enable/")  # enabling an enabled endpoint changes nothing
    assert Endpoint.objects.filter(pk=endpoint.pk, is_enabled=True, disabled_at=None).exists()

    response = leader_client.post(f"{LIST}{endpoint.pk}/delete/", follow=True)
    assert "Deleted “Ops bus” and its delivery log." in response.content.decode()
    assert not Endpoint.objects.exists()


def test_send_a_test_event_reaches_the_receiver_and_the_log_shows_it(
    leader_client, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(f"{LIST}{endpoint.pk}/test/")
    assert response["Location"] == f"{LIST}{endpoint.pk}/deliveries/"
    [got] = receiver.requests
    assert got.headers["X-MarOps-Event"] == "webhook.test"
    page = leader_client.get(response["Location"]).content.decode()
    assert "webhook.test" in page and "HTTP 200" in page


def test_the_delivery_log_shows_each_attempt_in_a_fixed_number_of_queries(
    leader_client, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 3
    with Receiver(500, 503, 200, body=b'{"error": "try later"}') as receiver:
        endpoint = endpoint_for(receiver.url)
        for _ in range(3):
            incident_logged(django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(status="delivered").count() == 3
    with django_assert_max_num_queries(8):
        page = leader_client.get(f"{LIST}{endpoint.pk}/deliveries/").content.decode()
    assert page.count('data-testid="attempt"') == 5  # 500, 503, 200; then 200; 200
    assert "HTTP 500" in page and "HTTP 503" in page and "{&quot;error&quot;: &quot;try later&quot;}" in page
    assert " ms</td>" in page
    with django_assert_max_num_queries(8):
        listing = leader_client.get(LIST).content.decode()
    assert "Ops bus" in listing


def test_a_leader_resends_a_failed_delivery_and_cannot_resend_one_still_being_sent(
    leader_client, settings, django_capture_on_commit_callbacks
):
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 0
    with Receiver(500, 200) as receiver:
        endpoint_for(receiver.url)
        incident_logged(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get()
        assert delivery.status == "failed"
        with django_capture_on_commit_callbacks(execute=True):
            leader_client.post(reverse("webhooks:delivery-resend", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and [a.status_code for a in delivery.attempts.all()] == [500, 200]

    Endpoint.objects.update(is_enabled=False, disabled_at=timezone.now())
    response = leader_client.post(reverse("webhooks:delivery-resend", args=[delivery.pk]), follow=True)
    assert "“Ops bus” is disabled: send it a test event, then enable it before resending." in response.content.decode()
    Endpoint.objects.update(is_enabled=True, disabled_at=None)

    Delivery.objects.filter(pk=delivery.pk).update(status="pending", finished_at=None)
    response = leader_client.post(reverse("webhooks:delivery-resend", args=[delivery.pk]), follow=True)
    assert "This delivery is still being sent" in response.content.decode()
    assert delivery.attempts.count() == 2


def test_the_page_shows_the_finding_of_an_endpoint_disabled_after_a_day_of_failures(leader_client, receiver):
    endpoint = endpoint_for(receiver.url, name="Old bus")
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_enabled=False, auto_disabled=True, disabled_at=timezone.now(), disabled_reason="Disabled automatically: …"
    )
    page = leader_client.get(LIST).content.decode()
    assert "webhook-disabled" in page and "The webhook “Old bus” was disabled" in page
