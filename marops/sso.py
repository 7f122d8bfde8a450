"""Single sign-on through the company's identity provider (OpenID Connect, with mozilla-django-oidc).

On only when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set (marops/settings.py); without
them /oidc/… answers 404 and the login page is as it always was.

- The provider's endpoints come from its discovery document (`<issuer>/.well-known/openid-configuration`),
  read when first needed and kept for an hour.
- The id_token is verified with the provider's JWKS (RS256), and its audience (our client id) and issuer
  are checked; a token that fails any check logs nobody in.
- A person is matched by e-mail, whatever its case (roles.Person): their login, or a new login linked to
  them. Nobody with that e-mail: refused with a page saying so, unless OIDC_CREATE_PERSON is on.
- With OIDC_GROUPS_CLAIM set, the groups of docs/design.md follow the claim at each sign-in, through
  OIDC_GROUP_MAP ("idp-group=Leaders,other=MarOps staff"; a claim value naming a group maps to it).
"""

import logging
import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from core.permissions import GROUPS
from core.permissions import ModelBackend as PermissionsBackend
from roles.choices import Level
from roles.selectors import person_by_email
from roles.services import PersonData, person_save

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
# mozilla-django-oidc's names for the endpoints → the discovery document's.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
REFUSAL_KEY = "sso_refused"


class ProviderUnavailable(Exception):
    """The identity provider's discovery document could not be read (or is not the issuer's)."""


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def password_login_allowed() -> bool:
    return not enabled() or bool(getattr(settings, "OIDC_PASSWORD_LOGIN", True))


def provider_name() -> str:
    return str(getattr(settings, "OIDC_PROVIDER_NAME", "") or "your company account")


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovered_lock = threading.Lock()


def discovery() -> dict[str, Any]:
    """The issuer's discovery document, fetched once an hour (not at startup: a provider that is down
    must not stop MarOps from starting, and password login, if on, keeps working)."""
    issuer = settings.OIDC_ISSUER
    with _discovered_lock:
        cached = _discovered.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{provider_name()} could not be reached ({url}: {exc}).") from exc
    missing = [name for name in ENDPOINTS.values() if not document.get(name)]
    if document.get("issuer", "").rstrip("/") != issuer or missing:
        raise ProviderUnavailable(
            f"{url} is not a discovery document for {issuer}"
            + (f" (it lacks {', '.join(missing)})." if missing else " (its issuer differs).")
        )
    with _discovered_lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings lookup, with the endpoints taken from the discovery document."""
    if attr in ENDPOINTS:
        return discovery()[ENDPOINTS[attr]]
    return import_from_settings(attr, *default)


def group_map() -> dict[str, str]:
    """OIDC_GROUP_MAP as {claim value: group name}; each group of docs/design.md also maps from its name."""
    mapping = {name: name for name in GROUPS}
    for item in str(getattr(settings, "OIDC_GROUP_MAP", "")).split(","):
        if not item.strip():
            continue
        claim_value, sep, group = (part.strip() for part in item.rpartition("="))
        if not sep or not claim_value or group not in GROUPS:
            raise ImproperlyConfigured(
                f"OIDC_GROUP_MAP: {item.strip()!r} should be 'idp-group=<group>', the group one of {', '.join(GROUPS)}."
            )
        mapping[claim_value] = group
    return mapping


def groups_from_claims(claims: dict[str, Any]) -> set[str] | None:
    """The groups the claim grants, or None when groups are not taken from the provider."""
    claim = getattr(settings, "OIDC_GROUPS_CLAIM", "")
    if not claim:
        return None
    if claim not in claims:  # not sent (a groups overage, a missing scope): keep the groups the login has
        log.warning("OpenID Connect: the %r claim was not sent; the login's groups are kept", claim)
        return None
    values = claims.get(claim) or []
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    mapping = group_map()
    return {mapping[str(value)] for value in values if str(value) in mapping}


def refuse(request: HttpRequest, reason: str) -> None:
    """Remember why the sign-in was refused, for the page the callback sends the browser to."""
    log.warning("Single sign-on refused: %s", reason)
    request.session[REFUSAL_KEY] = reason


def _new_username(email: str) -> str:
    base = email.lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


class OidcBackend(OIDCAuthenticationBackend, PermissionsBackend):
    """mozilla-django-oidc's backend: endpoints discovered, audience and issuer checked, people matched by
    e-mail. Permissions are read as for password logins (core.permissions.ModelBackend)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds a backend for every authenticate() call, password ones too: the provider is
        # only asked for its endpoints when a sign-in through it comes back (see authenticate).
        self.UserModel = User

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        """A sign-in coming back from the provider (a password login is not ours: None)."""
        if username is not None or password is not None:
            return None
        if not enabled() or request is None or "code" not in request.GET or "state" not in request.GET:
            return None
        try:
            super().__init__()
            user: User | None = super().authenticate(request, **kwargs)
        except ProviderUnavailable as exc:
            refuse(request, str(exc))
            return None
        except ImproperlyConfigured as exc:
            log.error("Single sign-on is misconfigured: %s", exc)
            refuse(request, f"Single sign-on is set up wrongly in MarOps ({exc}); tell a MarOps administrator.")
            return None
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError, ValueError) as exc:
            refuse(request, f"{provider_name()} sent a sign-in that could not be verified ({exc}).")
            return None
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The library checks the signature only: the audience must be our client id and the issuer ours."""
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"the token is not signed with {self.OIDC_RP_SIGN_ALGO}")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery()["issuer"],  # as the provider spells it (a trailing "/" included)
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"the identity token was refused: {exc}") from exc
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the user information is about someone else than the identity token")
        email = str(claims.get("email") or "").strip()
        if not email:
            refuse(self.request, f"{provider_name()} did not tell MarOps your e-mail address.")
            return None
        if str(claims.get("email_verified", True)).lower() == "false":  # some userinfo endpoints send "false"
            refuse(self.request, f"{provider_name()} has not verified your e-mail address {email}.")
            return None
        try:
            return self._person_login(email, claims)
        except ValidationError as exc:
            refuse(
                self.request,
                f"MarOps could not link your sign-in to the person with the e-mail {email}: " + " ".join(exc.messages),
            )
            return None

    def _person_login(self, email: str, claims: dict[str, Any]) -> User | None:
        with transaction.atomic():
            person = person_by_email(email)
            if person is None:
                if not getattr(settings, "OIDC_CREATE_PERSON", False):
                    refuse(
                        self.request,
                        f"Nobody in MarOps has the e-mail {email}. Ask a Leader or a MarOps administrator to "
                        "add you to the people (with this e-mail), then sign in again.",
                    )
                    return None
                name = str(claims.get("name") or email.partition("@")[0])
                person = person_save(data=PersonData(name=name, email=email, level=Level.SPECIALIST))
            if not person.is_active:
                refuse(self.request, f"{person.name} ({email}) is not an active member of the organisation.")
                return None
            user = person.user
            if user is None:
                user = User.objects.create_user(_new_username(email), email=person.email)
                user.first_name, _, user.last_name = person.name.partition(" ")
                user.save(update_fields=["first_name", "last_name"])
                data = PersonData(
                    name=person.name, email=person.email, level=person.level, start_date=person.start_date, user=user
                )
                person_save(data=data, person=person)
            if not user.is_active:
                refuse(self.request, f"The MarOps login of {person.name} is switched off.")
                return None
            granted = groups_from_claims(claims)
            if granted is not None:
                kept = [group for group in user.groups.all() if group.name not in GROUPS]
                user.groups.set(kept + list(Group.objects.filter(name__in=granted)))
        return user


class SsoStart(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: off to the provider, with state, nonce and PKCE."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        # The library reads the endpoint here; we read it in get(), where an unreachable provider can be
        # answered with a page saying so.
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as exc:
            log.warning("Single sign-on: %s", exc)
            return refused_page(request, str(exc), status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class SsoCallback(OIDCAuthenticationCallbackView):
    """/oidc/callback/: the provider sends the browser back here; signed in, or told why not."""

    get_settings = staticmethod(oidc_setting)

    @property
    def failure_url(self) -> str:
        return reverse("sso-refused")

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not configured.")
        if request.GET.get("error"):
            error = request.GET.get("error_description") or request.GET["error"]
            request.session[REFUSAL_KEY] = f"{provider_name()} did not sign you in: {error}."
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation:
            return refused_page(
                request,
                "This sign-in was not started from this browser, or was already used. Start again from the login page.",
            )
        return response


def refused_page(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    context = {"reason": reason, "provider_name": provider_name(), "password_login": password_login_allowed()}
    return render(request, "registration/sso_refused.html", context, status=status)


@login_not_required
@require_GET
def refused(request: HttpRequest) -> HttpResponse:
    """Where a refused sign-in lands: why, and what to do."""
    if not enabled():
        raise Http404("Single sign-on is not configured.")
    reason = request.session.pop(REFUSAL_KEY, None) or f"Signing in through {provider_name()} did not succeed."
    return refused_page(request, reason)


def login_options(request: HttpRequest) -> dict[str, Any]:
    """Context processor: what the login page offers (nothing new unless single sign-on is configured)."""
    if not enabled():
        return {}
    return {"sso_provider_name": provider_name(), "sso_password_off": not password_login_allowed()}


urlpatterns = [
    path("authenticate/", login_not_required(SsoStart.as_view()), name="oidc_authentication_init"),
    path("callback/", login_not_required(SsoCallback.as_view()), name="oidc_authentication_callback"),
    path("refused/", refused, name="sso-refused"),
]
