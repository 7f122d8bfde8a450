"""Settings come from the environment, with safe defaults."""

import os
import subprocess
import sys

from django.conf import settings

SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
)


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    clean["DJANGO_SETTINGS_MODULE"] = "marops.settings"
    return subprocess.run(
        [sys.executable, "-c", SHOW], env=clean | env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )


def test_debug_is_off_and_a_secret_key_is_required_unless_asked():
    result = run_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_a_first_run_uses_sqlite_and_a_local_broker():
    result = run_settings(DJANGO_DEBUG="1")
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "filesystem://"]


def test_database_url_and_redis_url_switch_to_postgres_and_redis():
    result = run_settings(
        DJANGO_SECRET_KEY="k", DATABASE_URL="postgres://u@db:5432/m", REDIS_URL="redis://cache:6379/0"
    )
    assert result.stdout.split() == ["False", "django.db.backends.postgresql", "redis://cache:6379/0"]
