import os
import subprocess
import sys
import tempfile
import time

import pytest
from django.conf import settings
from django.db import connection


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker (with beat embedded, ticking every second) on the real Redis,
    writing to the test database. It runs the project's normal settings, not the test ones."""
    schedule = os.path.join(tempfile.mkdtemp(), "celerybeat-schedule")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "marops.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "MAROPS_HEARTBEAT_SECONDS": "1",
    }
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the worker)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marops",
            "worker",
            "--beat",
            "-s",
            schedule,
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "-n",
            f"test-{os.getpid()}@%h",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.seek(0)
    print(log.read()[-3000:])  # shown when a test fails


def wait_for(condition, timeout=60.0, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests start from a flushed database: put back the role catalogue and groups."""
    from django.apps import apps

    from core.permissions import groups_sync
    from roles.catalogue import catalogue_sync
    from roles.models import Role

    catalogue_sync(Role)
    groups_sync(apps)
