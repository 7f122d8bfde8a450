"""Settings for the test suite: the real PostgreSQL and Redis, as in production.

On a developer laptop without them, the suite falls back to SQLite and skips what needs the
real services, saying so loudly. With CI=true, a missing service is an error, never a skip.
"""

import os
import socket
import sys
from urllib.parse import urlparse

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marops")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# Playwright's sync API runs an event loop in the test thread; the live server's ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Each test run gets its own Celery queue, so a developer's running worker never steals its tasks.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"marops-test-{os.getpid()}")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR, DATABASES  # noqa: E402

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=2):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = (
    _reachable(os.environ["DATABASE_URL"]) if DATABASES["default"]["ENGINE"].endswith("postgresql") else False
)
REDIS_AVAILABLE = _reachable(os.environ["REDIS_URL"])
MISSING_SERVICES = [name for name, ok in (("PostgreSQL", POSTGRES_AVAILABLE), ("Redis", REDIS_AVAILABLE)) if not ok]
if MISSING_SERVICES and CI:
    raise RuntimeError(
        f"CI=true but {', '.join(MISSING_SERVICES)} cannot be reached "
        f"(DATABASE_URL={os.environ['DATABASE_URL']}, REDIS_URL={os.environ['REDIS_URL']})."
    )
if not POSTGRES_AVAILABLE:
    print(
        "\n*** PostgreSQL is not reachable: running on SQLite. Integration tests and raw-SQL "
        "constraint tests will be SKIPPED. Start PostgreSQL to run the whole suite. ***\n",
        file=sys.stderr,
    )
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BASE_DIR / "var" / "test.sqlite3"),
        "ATOMIC_REQUESTS": True,
        "TEST": {"NAME": BASE_DIR / "var" / "test.sqlite3"},
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process (the real task code); tests/integration use a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Django's test client logs in without a request, which django-axes refuses: the login throttle is on
# only in the tests that prove it (tests/marops/test_login_throttle.py, tests/e2e/test_csp.py).
AXES_ENABLED = False
MAROPS_WEBHOOK_ALLOW_PRIVATE = True  # the tests' receivers are on 127.0.0.1 (tests/webhooks/test_ssrf.py turns it off)
LOGGING = {"version": 1, "disable_existing_loggers": False}
