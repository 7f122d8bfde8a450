from celery import shared_task
from django.db import OperationalError

from .digest import flag_digest_send
from .scan import ownership_scan


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def scan_ownership() -> dict:
    """Scheduled by beat. Safe to run twice, or twice at once: the flags' unique constraint decides."""
    result = ownership_scan()
    return {"opened": len(result.opened), "resolved": len(result.resolved)}


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_flag_digest() -> int:
    """Scheduled by beat every few minutes: e-mail the Head of MarOps the flags opened since the last
    digest, once a day from the digest hour (a day's row makes any other run send nothing)."""
    return flag_digest_send()
