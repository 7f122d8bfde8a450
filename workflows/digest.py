"""The Head of MarOps' digest: once a day, the ownership flags that opened since the last digest, once each.

Beat asks every few minutes (`send_flag_digest`), not once at the digest hour: a run at 08:00 lost to a
Redis or worker outage is caught up by the first run after they return, and a `FlagDigest` row per day
(its day unique) makes every later run that day, and any run beside it, send nothing."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.mail import email_render, email_send
from roles.models import Person
from roles.selectors import head_of_marops

from .models import FlagDigest, OwnershipFlag

logger = logging.getLogger(__name__)

SHOWN = 200  # a first scan of a large inventory can open thousands: list the first, count the rest


def flag_digest_due(now: datetime.datetime | None = None) -> datetime.date | None:
    """The day whose digest is due at `now` (today, once the digest hour has passed), or None."""
    local = timezone.localtime(now or timezone.now())
    return local.date() if local.hour >= settings.MAROPS_DIGEST_HOUR else None


def flag_digest_send(now: datetime.datetime | None = None) -> int:
    """Send today's digest if it is due and not yet sent; returns how many flags it listed.

    All or nothing, in one transaction: the day's row, the e-mail and the flags marked as sent. A run
    beside it waits on the day's row and then sends nothing; if sending fails, nothing is recorded and
    the next run tries again. Each flag is listed in one digest only."""
    day = flag_digest_due(now)
    if day is None:
        return 0
    head = head_of_marops()
    if head is None:
        logger.warning("No Head of Marketing Operations in the live chart: flag digest not sent.")
        return 0
    try:
        with transaction.atomic():
            digest = FlagDigest.objects.create(day=day)
            return _send(digest, head)
    except IntegrityError:  # this day's digest is sent (or being sent by a run beside this one)
        return 0


def _send(digest: FlagDigest, head: Person) -> int:
    new = list(
        OwnershipFlag.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(digested_at__isnull=True, resolved_at__isnull=True)
        .select_related("workflow", "step", "agent")
        .order_by("kind", "opened_at")
    )
    if new:
        context = {
            "head": head,
            "flags": new[:SHOWN],
            "more": max(0, len(new) - SHOWN),
            "base_url": settings.MAROPS_BASE_URL,
        }
        text, html = email_render("workflows/flag_digest", context)
        email_send(
            to=[head.email],
            subject=f"MarOps: {len(new)} new ownership flag{'s' if len(new) != 1 else ''}",
            text=text,
            html=html,
        )
        OwnershipFlag.objects.filter(pk__in=[flag.pk for flag in new]).update(digested_at=timezone.now())
    digest.flags = len(new)
    digest.save(update_fields=["flags"])
    return len(new)
