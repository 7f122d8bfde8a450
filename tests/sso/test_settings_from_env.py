"""marops/settings.py turns single sign-on on from the environment, and only when all three are set."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from roles.models import Person

from .conftest import configure
from .test_sign_in import sign_in

READ = (
    "import json, marops.settings as s; print(json.dumps([s.OIDC_ENABLED, s.AUTHENTICATION_BACKENDS, "
    "s.OIDC_PASSWORD_LOGIN, s.OIDC_ISSUER]))"
)
OIDC = {"OIDC_ISSUER": "https://id.halcyon.example/", "OIDC_CLIENT_ID": "marops", "OIDC_CLIENT_SECRET": "s3cret"}


def settings_with(**env: str):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    out = subprocess.run(
        [sys.executable, "-c", READ],
        env={**clean, "DJANGO_SECRET_KEY": "x", **env},
        capture_output=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return json.loads(out.stdout)


def test_without_all_three_settings_single_sign_on_stays_off():
    plain = ["axes.backends.AxesStandaloneBackend", "core.permissions.ModelBackend"]
    assert settings_with() == [False, plain, True, ""]
    assert settings_with(OIDC_ISSUER=OIDC["OIDC_ISSUER"], OIDC_CLIENT_ID="marops")[:2] == [False, plain]


def test_with_them_the_oidc_backend_comes_after_axes_and_passwords_can_be_turned_off():
    assert settings_with(**OIDC) == [
        True,
        ["axes.backends.AxesStandaloneBackend", "marops.sso.OidcBackend", "core.permissions.ModelBackend"],
        True,
        "https://id.halcyon.example",
    ]
    off = settings_with(**OIDC, OIDC_PASSWORD_LOGIN="false")
    assert off[1] == ["axes.backends.AxesStandaloneBackend", "marops.sso.OidcBackend"] and off[2] is False


@pytest.mark.django_db
def test_a_wrong_group_map_is_a_page_saying_so_not_an_error(client, settings, provider):
    configure(settings, provider, OIDC_GROUP_MAP="mkt-leads=Leaderz")
    Person.objects.create(name="Dana", email="dana@halcyon.example")
    provider.user = {"sub": "u", "email": "dana@halcyon.example", "groups": ["mkt-leads"]}
    page = client.get(sign_in(client, provider)["Location"])
    assert page.status_code == 403 and "OIDC_GROUP_MAP" in page.content.decode()
