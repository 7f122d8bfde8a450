"""MarOps settings, read from environment variables with safe defaults.

DEBUG is off unless DJANGO_DEBUG=1; with DEBUG off, DJANGO_SECRET_KEY is required.
DATABASE_URL picks the database (SQLite in the project folder when unset);
REDIS_URL picks the Celery broker (a local filesystem broker when unset, so a
first run still executes tasks through a real worker).
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# Commands that only read the code (never sign or serve anything) may run without a key, so that
# tooling such as `manage.py makemigrations --check` works on a clean checkout.
KEYLESS_COMMANDS = {"makemigrations", "check", "showmigrations", "help"}
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not (sys.argv[0].endswith("manage.py") and set(sys.argv[1:2]) <= KEYLESS_COMMANDS):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "ninja",
    "axes",
    "csp",
    "core",
    "marops",
    "roles",
    "workflows",
    "governance",
    "notifications",
    "webhooks",
    "hr",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "marops.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login (docs/design.md); the JSON API authenticates with bearer tokens instead.
    "marops.middleware.LoginRequiredExceptApiMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the login page saying so (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marops.urls"
WSGI_APPLICATION = "marops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marops.context_processors.navigation",
                "marops.sso.login_options",  # the login page's "Sign in with …" (nothing without OIDC_*)
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_JIT_OFF", True):
    # PostgreSQL's JIT compiles any plan whose cost estimate is high: on the dashboard's aggregates that
    # took 150-180 ms per query to save a few. A web request's queries are short: no JIT. (Poolers such
    # as PgBouncer refuse this startup option: set DATABASE_JIT_OFF=false and ALTER ROLE ... SET jit = off.)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Django's cursors bind on the client and prepare nothing; this only lets the ownership refresh prepare
    # its one statement (workflows/scan.py, _prepared_cursor), never anything by count. Poolers that refuse
    # prepared statements (PgBouncer in transaction mode before 1.21): DATABASE_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the local worker share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed logins per username and per address (the database handler, so lockouts are
# rows that admins see and clear in Django admin). Axes' backend comes first and refuses a locked-out
# login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.permissions.ModelBackend",  # Django's, reading permissions in one query
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "marops.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "marops.middleware.client_ip_address"
AXES_VERBOSE = False
# What a failed login posted is kept for admins to read, masked: the password (always), the username and
# address (shown in their own columns, kept out of the logs) and the CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on through the company's identity provider (OpenID Connect; marops/sso.py, docs/architecture.md
# "Single sign-on"). On when the issuer, client id and secret are all set; without them nothing changes.
# The endpoints come from the issuer's discovery document; id_tokens are RS256, checked against its JWKS.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "").strip()
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET)
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your company account")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "")  # e.g. "groups"; empty: groups are kept as set here
OIDC_GROUP_MAP = os.environ.get("OIDC_GROUP_MAP", "")  # "idp-group=Leaders,idp-ops=MarOps staff"
OIDC_CREATE_PERSON = env_bool("OIDC_CREATE_PERSON")  # a sign-in with an unknown e-mail adds the person
OIDC_PASSWORD_LOGIN = env_bool("OIDC_PASSWORD_LOGIN", True)  # false: only single sign-on (and no password form)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
if OIDC_ENABLED:
    # Axes stays first (a locked-out address is refused before the provider is asked); with password
    # login off, the password backend is gone, so no password is accepted anywhere (Django admin included).
    AUTHENTICATION_BACKENDS = [
        AUTHENTICATION_BACKENDS[0],
        "marops.sso.OidcBackend",
        *(AUTHENTICATION_BACKENDS[1:] if OIDC_PASSWORD_LOGIN else []),
    ]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MarOps <marops@localhost>")

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_HTTPS_PROXY = env_bool("DJANGO_BEHIND_HTTPS_PROXY")
if BEHIND_HTTPS_PROXY:
    # The proxy ends TLS and says so: links the app builds (the API's Link header) then start https://.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Browser security headers -------------------------------------------------
# HTTPS only once it is there: docker-compose.yml turns these on; a laptop run keeps plain HTTP.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT")
# Load balancers and container probes ask over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and stylesheets come only from our own static files (htmx included: django-htmx serves it).
# Style *attributes* stay allowed: a few templates set a data-driven width or indent with style="",
# which cannot run script; <style> elements and inline <script> stay refused.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Powerful browser features the product never uses, off for every page (marops.middleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=()"
)

# --- Celery -----------------------------------------------------------------
# With REDIS_URL, Redis is the broker. Without it (a first run on a laptop), a filesystem
# broker under var/celery lets `make run` start a real worker and beat beside the web server.
REDIS_URL = os.environ.get("REDIS_URL", "")
# --- Cache ---------------------------------------------------------------------
# With Redis, the cache is shared by every web process and keeps chart readings (roles.rules, keyed by the
# database's findings version, so never stale; computed again if Redis does not answer). Without Redis each
# process has its own, keyed the same way. Sessions stay in the database: with them in Redis every page
# would fail while Redis is down, for a saving the bench could not see.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "marops",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_FILESYSTEM_BROKER_DIR = BASE_DIR / "var" / "celery"
# No task runs longer than its hard time limit (the worker kills it then); the default below is each
# task's unless it sets its own, and tests/workflows/test_digest_catch_up.py checks that none exceeds
# the visibility timeout.
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Tasks are acknowledged late (after they finish), so a worker lost mid-task leaves its message on the
# broker, and Redis hands it to another worker once the visibility timeout passes. Longer than any
# task's time limit, so a task still running is never handed out a second time.
CELERY_VISIBILITY_TIMEOUT = 2 * CELERY_TASK_TIME_LIMIT
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("queue", "control"):
        (CELERY_FILESYSTEM_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "marops")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "marops.tasks.heartbeat",
        "schedule": float(os.environ.get("MAROPS_HEARTBEAT_SECONDS", "60")),
    },
    "ownership-scan": {
        "task": "workflows.tasks.scan_ownership",
        "schedule": 60 * float(os.environ.get("MAROPS_SCAN_MINUTES", "15")),
    },
    # Asked every few minutes, sent once a day from the digest hour on (workflows/digest.py): a run missed
    # while Redis or the worker was down is caught up by the next one.
    "flag-digest": {
        "task": "workflows.tasks.send_flag_digest",
        "schedule": 60 * float(os.environ.get("MAROPS_DIGEST_CHECK_MINUTES", "15")),
    },
    # notifications/services.py: reminders once per stage (the database refuses a second), so asking often
    # costs nothing; the same run queues again any e-mail still owed after a mail-server outage.
    "notification-reminders": {
        "task": "notifications.tasks.send_reminders",
        "schedule": 60 * float(os.environ.get("MAROPS_REMINDER_CHECK_MINUTES", "15")),
    },
    "notification-summaries": {
        "task": "notifications.tasks.send_summaries",
        "schedule": 60 * float(os.environ.get("MAROPS_REMINDER_CHECK_MINUTES", "15")),
    },
}
MAROPS_DIGEST_HOUR = int(os.environ.get("MAROPS_DIGEST_HOUR", "8"))  # local time (TIME_ZONE)
MAROPS_PAGES_COUNTED = int(os.environ.get("MAROPS_PAGES_COUNTED", "100"))  # list pages count this far (core.views)
# Notifications: a flag open this many days is sent to the Head of MarOps; what is overdue this many days
# more goes to the holder's manager in the live chart too; the daily summary goes from this hour (local).
MAROPS_FLAG_REMINDER_DAYS = int(os.environ.get("MAROPS_FLAG_REMINDER_DAYS", "7"))
MAROPS_REMINDER_GRACE_DAYS = int(os.environ.get("MAROPS_REMINDER_GRACE_DAYS", "3"))
MAROPS_SUMMARY_HOUR = int(os.environ.get("MAROPS_SUMMARY_HOUR", "8"))
# A mail server that is down: the e-mail task tries again after this many seconds, doubling each time; an
# e-mail still owed this many minutes after its last try is queued again by the next reminder run.
MAROPS_MAIL_RETRY_SECONDS = float(os.environ.get("MAROPS_MAIL_RETRY_SECONDS", "30"))
MAROPS_MAIL_RETRY_MINUTES = int(os.environ.get("MAROPS_MAIL_RETRY_MINUTES", "30"))
# Webhooks (docs/webhooks.md): each attempt waits this long for an answer; a network error or a 5xx is
# retried after RETRY_SECONDS, doubling each time, at most MAX_RETRIES times; an endpoint whose deliveries
# have all failed for DISABLE_AFTER_HOURS is disabled, with a finding that says so.
MAROPS_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("MAROPS_WEBHOOK_TIMEOUT_SECONDS", "5"))
MAROPS_WEBHOOK_RETRY_SECONDS = float(os.environ.get("MAROPS_WEBHOOK_RETRY_SECONDS", "30"))
MAROPS_WEBHOOK_MAX_RETRIES = int(os.environ.get("MAROPS_WEBHOOK_MAX_RETRIES", "8"))
MAROPS_WEBHOOK_DISABLE_AFTER_HOURS = float(os.environ.get("MAROPS_WEBHOOK_DISABLE_AFTER_HOURS", "24"))
MAROPS_WEBHOOK_ALLOW_PRIVATE = env_bool("MAROPS_WEBHOOK_ALLOW_PRIVATE")  # off: no webhook to 10.x, localhost…
# Links in e-mails point here.
MAROPS_BASE_URL = os.environ.get("MAROPS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
