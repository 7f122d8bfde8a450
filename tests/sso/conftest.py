import pytest

from marops import sso

from .provider import Provider

GROUP_MAP = "mkt-leads=Leaders,mkt-ops=MarOps staff,exec-team=Executives"


@pytest.fixture
def provider():
    provider = Provider().start()
    yield provider
    provider.stop()


def configure(settings, provider: Provider, *, password_login: bool = True, **extra) -> None:
    """What marops/settings.py sets from OIDC_* in the environment, pointed at the test's provider."""
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Halcyon SSO"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_MAP = GROUP_MAP
    settings.OIDC_PASSWORD_LOGIN = password_login
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "marops.sso.OidcBackend",
        *(["core.permissions.ModelBackend"] if password_login else []),
    ]
    settings.AXES_ENABLED = True  # django-axes as deployed (the suite turns it off for client.login())
    for name, value in extra.items():
        setattr(settings, name, value)
    sso._discovered.clear()


@pytest.fixture
def sso_on(settings, provider):
    configure(settings, provider)
    return provider
