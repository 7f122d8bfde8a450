from celery import shared_task
from django.db import OperationalError

from .services import people_import_apply, people_import_preview


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def preview_people_import(import_id: int) -> None:
    """Queued by start_preview: the dry run, its progress on the import. Safe to run twice (the claim)."""
    people_import_preview(import_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def apply_people_import(import_id: int) -> None:
    """Queued by start_apply: everything in one transaction, or nothing and the problems on the import."""
    people_import_apply(import_id)
