from celery import shared_task
from django.db import OperationalError

from .imports import import_job_run


@shared_task(  # type: ignore[untyped-decorator]  # Celery has no types
    acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def run_import(job_id: int) -> None:
    """Queued by an upload: validate and apply the file, all or nothing. Safe to run twice: the job's
    status says whether it has been claimed."""
    import_job_run(job_id=job_id)
