"""What /readyz reports: the database, Redis and the scheduled jobs' heartbeat, each as "ok" or why not."""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import JobHeartbeat

# A wait short enough for a load balancer's probe: a service that needs longer counts as down.
TIMEOUT_SECONDS = 2.0


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"down: {error.__class__.__name__}"
    return "ok"


def redis_status() -> str:
    if not settings.REDIS_URL:
        return "ok"  # no Redis configured: the local filesystem broker carries the tasks
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        client.ping()
    except redis.RedisError as error:
        return f"down: {error.__class__.__name__}"
    return "ok"


def worker_status(*, database: str) -> str:
    """The heartbeat beat schedules and the worker writes: both ran recently, or which is missing."""
    if database != "ok":
        return "unknown: the database is down"
    try:
        heartbeat = JobHeartbeat.objects.filter(name="beat").first()
    except DatabaseError as error:
        return f"unknown: {error.__class__.__name__}"
    if heartbeat is None:
        return "down: no heartbeat yet (are the worker and beat running?)"
    if heartbeat.is_stale:
        age = timezone.now() - heartbeat.last_run_at
        return f"stale: last heartbeat {int(age.total_seconds())} s ago"
    return "ok"


def readiness() -> dict[str, str]:
    database = database_status()
    return {"database": database, "redis": redis_status(), "worker": worker_status(database=database)}
