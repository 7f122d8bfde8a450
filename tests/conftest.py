import os
import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from marops.demo import DEMO_PASSWORD, seed_demo
from tests.demo_snapshot import DemoSnapshot

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [
        f"marops: database={db} redis={'yes' if settings.REDIS_AVAILABLE else 'NO'} chromium={CHROMIUM or 'NO'} CI={CI}"
    ]


def pytest_collection_modifyitems(config, items):
    """Skip what this machine cannot run, loudly; under CI=true nothing may be skipped."""
    reasons = {
        "integration": None
        if (settings.POSTGRES_AVAILABLE and settings.REDIS_AVAILABLE)
        else "needs PostgreSQL and Redis",
        "postgres": None if settings.POSTGRES_AVAILABLE else "needs PostgreSQL",
        "e2e": None if CHROMIUM else "needs Chromium (apt-get install chromium)",
    }
    missing = {}
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                missing.setdefault(reason, 0)
                missing[reason] += 1
                item.add_marker(pytest.mark.skip(reason=f"SKIPPED: {reason}"))
    if missing and CI:
        raise pytest.UsageError(f"CI=true and tests cannot run here: {missing}")
    for reason, count in missing.items():
        config.issue_config_time_warning(pytest.PytestWarning(f"{count} tests SKIPPED: {reason}"), stacklevel=2)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The demo company, built once per session (tests/demo_snapshot.py); None on SQLite."""
    with django_db_blocker.unblock():
        return DemoSnapshot.take()


@pytest.fixture
def demo(db, demo_snapshot):
    """The demo company, as `manage.py seed_demo` makes it; copied in from the session's snapshot."""
    if demo_snapshot is None:  # SQLite
        seed_demo()
    else:
        demo_snapshot.load()


def make_user(username: str, group: str | None = None, **extra) -> User:
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def leader(db):
    return make_user("test-leader", "Leaders")


@pytest.fixture
def staff(db):
    return make_user("test-staff", "MarOps staff")


@pytest.fixture
def executive(db):
    return make_user("test-executive", "Executives")


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client
