from celery import shared_task

from .services import heartbeat_record


@shared_task(acks_late=True)
def heartbeat(name: str = "beat") -> int:
    """Scheduled by beat: proves the broker, a worker and the database are all wired up."""
    return heartbeat_record(name=name).runs
