"""Deployment defaults are safe (issue 12, item 8): a Content-Security-Policy with no inline script,
Permissions-Policy and Referrer-Policy on every page, HSTS and the HTTPS redirect switchable from the
environment and on in docker-compose.yml, and `manage.py check --deploy` clean with that environment."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)


def directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client, leader):
    for path, user in [("/accounts/login/", None), ("/dashboard/", leader), ("/no-such-page/", leader)]:
        if user:
            client.force_login(user)
        response = client.get(path)
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], path  # no inline script, no eval, no CDN
        assert policy["style-src"] == ["'self'"] and policy["object-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"], path
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE)"
)


def settings_with(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env = clean | {"DJANGO_SETTINGS_MODULE": "marops.settings", "DJANGO_SECRET_KEY": "k"} | env
    result = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, cwd=ROOT)
    return result.stdout.split()


def test_hsts_the_https_redirect_and_secure_cookies_come_from_the_environment():
    assert settings_with() == ["False", "0", "False", "True"]  # a laptop: plain HTTP, no HSTS
    assert settings_with(DJANGO_SSL_REDIRECT="true", DJANGO_HSTS_SECONDS="31536000", DJANGO_HSTS_PRELOAD="true") == [
        "True",
        "31536000",
        "True",
        "True",
    ]


@pytest.mark.django_db
def test_hsts_and_the_https_redirect_follow_the_settings(settings):
    assert "Strict-Transport-Security" not in Client().get("/accounts/login/", secure=True)
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_PRELOAD = True
    client = Client()  # the middleware reads its settings when the client first loads it
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    # Probes inside the network ask over plain HTTP.
    assert client.get("/healthz").status_code == 200


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_or_event_handlers():
    offences = {
        str(path.relative_to(ROOT)): INLINE_SCRIPT.findall(text) + HANDLER.findall(text)
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if INLINE_SCRIPT.search(text := path.read_text()) or HANDLER.search(text)
    }
    assert offences == {}, "Move the code to static/js/ (the Content-Security-Policy refuses inline script)"


def test_the_template_check_sees_what_it_forbids():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/chart.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="data">{}</script>')
    assert HANDLER.search('<select onchange="this.form.submit()">')
    assert HANDLER.search('<button hx-on:click="x()">')
    assert not HANDLER.search('<select data-autosubmit name="period">')


def compose_environment() -> dict[str, str]:
    """The web service's environment in docker-compose.yml, as Compose would resolve it with nothing
    set but the required secret (`${NAME:-default}` takes the default)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    raw = compose["services"]["web"]["environment"]
    resolved = {}
    for name, value in raw.items():
        value = str(value)
        value = re.sub(r"\$\{DJANGO_SECRET_KEY:\?[^}]*\}", secrets.token_urlsafe(50), value)
        value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)
        assert "${" not in value, f"{name}: {value}"
        resolved[name] = value
    return resolved


def test_the_compose_file_turns_on_https_hsts_and_secure_cookies():
    env = compose_environment()
    assert env["DJANGO_SSL_REDIRECT"] == "true" and env["DJANGO_SECURE_COOKIES"] == "true"
    assert int(env["DJANGO_HSTS_SECONDS"]) >= 31536000


def test_check_deploy_reports_no_warning_with_the_compose_environment():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env = clean | compose_environment() | {"DJANGO_SETTINGS_MODULE": "marops.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
