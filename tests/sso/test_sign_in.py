"""Single sign-on against a real OpenID Connect provider on 127.0.0.1 (tests/sso/provider.py): the browser's
round trip is played with Django's test client on our side and real HTTP on the provider's."""

from urllib.parse import urlparse

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth.models import User

from marops.demo import DEMO_PASSWORD
from roles.models import Person
from tests.conftest import make_user
from tests.factories import PersonFactory

from .conftest import configure

pytestmark = pytest.mark.django_db


def sign_in(client, provider, next_url: str = "", queries=None):
    """Click "Sign in with …", let the provider sign `provider.user` in, follow it back to MarOps."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer + "/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    callback = urlparse(back.headers["Location"])
    if queries is None:
        return client.get(f"{callback.path}?{callback.query}")
    with queries:
        return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client) -> User | None:
    response = client.get("/accounts/profile/")
    return response.wsgi_request.user if response.status_code == 200 else None


def test_a_person_without_a_login_signs_in_gets_one_linked_and_the_mapped_group(client, sso_on):
    person = PersonFactory(name="Dana Whitfield", email="dana.whitfield@halcyon.example")
    sso_on.user = {"sub": "u-1", "email": "Dana.Whitfield@Halcyon.example", "groups": ["mkt-leads", "unrelated"]}

    response = sign_in(client, sso_on)

    assert response.status_code == 302 and response["Location"] == "/"
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "dana.whitfield@halcyon.example"
    assert [g.name for g in person.user.groups.all()] == ["Leaders"]
    assert signed_in_user(client) == person.user
    # Home sends a Leader to the org chart, as for a password login.
    assert client.get("/")["Location"] == "/org/"
    # Signing in again finds the same login: no second one.
    client.logout()
    sign_in(client, sso_on)
    assert User.objects.filter(email__iexact="dana.whitfield@halcyon.example").count() == 1


def test_the_claim_decides_the_groups_of_an_existing_login(client, sso_on, django_assert_max_num_queries):
    user = make_user("mia", "Leaders", email="mia@halcyon.example")
    PersonFactory(email="mia@halcyon.example", user=user)
    sso_on.user = {"sub": "u-2", "email": "mia@halcyon.example", "groups": ["mkt-ops"]}

    sign_in(client, sso_on, queries=django_assert_max_num_queries(32))  # sessions and axes: 25 of them

    assert signed_in_user(client) == user
    assert [g.name for g in user.groups.all()] == ["MarOps staff"]
    assert client.get("/")["Location"] == "/governance/incidents/"


def test_next_is_kept_through_the_provider(client, sso_on):
    PersonFactory(email="a@halcyon.example")
    sso_on.user = {"sub": "u-3", "email": "a@halcyon.example", "groups": ["exec-team"]}
    assert sign_in(client, sso_on, next_url="/org/people/")["Location"] == "/org/people/"


@pytest.mark.parametrize(
    ("fault", "why"),
    [({"sign_with_stranger_key": True}, "Signature verification failed"), ({"audience": "another-app"}, "Audience")],
)
def test_a_token_with_a_wrong_signature_or_audience_signs_nobody_in(client, sso_on, fault, why):
    person = PersonFactory(email="dana@halcyon.example")
    sso_on.user = {"sub": "u-4", "email": "dana@halcyon.example", "groups": ["mkt-leads"]}
    for name, value in fault.items():
        setattr(sso_on, name, value)

    response = sign_in(client, sso_on)

    assert response["Location"] == "/oidc/refused/"
    page = client.get("/oidc/refused/")
    assert page.status_code == 403
    assert "could not be verified" in page.content.decode() and why in page.content.decode()
    assert signed_in_user(client) is None
    person.refresh_from_db()
    assert person.user is None and not User.objects.filter(email="dana@halcyon.example").exists()
    # django-axes counts it as a failed login from this address.
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1", failures_since_start=1).exists()


def test_an_unknown_email_is_refused_with_a_page_saying_why(client, sso_on):
    sso_on.user = {"sub": "u-5", "email": "stranger@elsewhere.example", "groups": ["mkt-leads"]}

    response = sign_in(client, sso_on)
    page = client.get(response["Location"])

    assert page.status_code == 403
    text = page.content.decode()
    assert "Nobody in MarOps has the e-mail stranger@elsewhere.example" in text
    assert "Log in to MarOps" not in text and "You are not signed in" in text
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()
    assert not Person.objects.filter(email="stranger@elsewhere.example").exists()


def test_with_create_person_on_an_unknown_email_joins_as_a_person(client, settings, provider):
    configure(settings, provider, OIDC_CREATE_PERSON=True)
    provider.user = {"sub": "u-6", "email": "New.Hire@halcyon.example", "name": "New Hire", "groups": ["exec-team"]}

    sign_in(client, provider)

    person = Person.objects.get(email="new.hire@halcyon.example")
    assert person.name == "New Hire" and signed_in_user(client) == person.user
    assert [g.name for g in person.user.groups.all()] == ["Executives"]


def test_someone_who_has_left_is_refused(client, sso_on):
    PersonFactory(email="gone@halcyon.example", is_active=False)
    sso_on.user = {"sub": "u-7", "email": "gone@halcyon.example"}
    page = client.get(sign_in(client, sso_on)["Location"])
    assert "not an active member" in page.content.decode() and signed_in_user(client) is None


def test_a_callback_not_started_here_is_refused_without_an_error(client, sso_on):
    page = client.get("/oidc/callback/?code=made-up&state=made-up")
    assert page.status_code in (302, 403)
    assert signed_in_user(client) is None


def test_an_unreachable_provider_is_a_page_saying_so(client, settings, provider):
    configure(settings, provider)
    provider.stop()
    page = client.get("/oidc/authenticate/")
    assert page.status_code == 503 and "Halcyon SSO could not be reached" in page.content.decode()


def test_password_login_still_works_beside_sso_unless_turned_off(client, settings, provider):
    make_user("pat")
    configure(settings, provider)
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Halcyon SSO" in page and 'name="password"' in page
    assert client.post("/accounts/login/", {"username": "pat", "password": DEMO_PASSWORD}).status_code == 302

    client.logout()
    configure(settings, provider, password_login=False)
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Halcyon SSO" in page and 'name="password"' not in page
    refused = client.post("/accounts/login/", {"username": "pat", "password": DEMO_PASSWORD})
    assert refused.status_code == 200 and "Passwords are not accepted here" in refused.content.decode()
    assert signed_in_user(client) is None
    # Nor through Django admin's own login form.
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.post("/admin/login/", {"username": admin.username, "password": DEMO_PASSWORD})
    assert signed_in_user(client) is None


def test_a_locked_out_address_cannot_sign_in_through_the_provider_either(client, sso_on, settings):
    PersonFactory(email="dana@halcyon.example")
    sso_on.user = {"sub": "u-8", "email": "dana@halcyon.example"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert AccessAttempt.objects.exists()
    page = sign_in(client, sso_on)
    assert page.status_code == 429 and "Logging in is paused" in page.content.decode()
    assert signed_in_user(client) is None


def test_without_oidc_settings_nothing_changes(client, settings):
    assert not settings.OIDC_ENABLED
    assert settings.AUTHENTICATION_BACKENDS == ["axes.backends.AxesStandaloneBackend", "core.permissions.ModelBackend"]
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page and 'name="password"' in page and "Forgot your password?" in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404
