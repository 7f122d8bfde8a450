"""The Head of MarOps' digest: the ownership flags that opened since the last digest, once each."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from roles.selectors import head_of_marops

from .models import OwnershipFlag

logger = logging.getLogger(__name__)


@transaction.atomic
def flag_digest_send() -> int:
    """Send the digest if any flag is new; returns how many flags it listed.

    Each flag is listed in one digest only: rows are locked and marked in the same transaction, and a
    concurrent run skips the locked rows."""
    head = head_of_marops()
    if head is None:
        logger.warning("No Head of Marketing Operations in the live chart: flag digest not sent.")
        return 0
    new = list(
        OwnershipFlag.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(digested_at__isnull=True, resolved_at__isnull=True)
        .select_related("workflow", "step", "agent")
        .order_by("kind", "opened_at")
    )
    if not new:
        return 0
    shown = 200  # a first scan of a large inventory can open thousands: list the first, count the rest
    context = {
        "head": head,
        "flags": new[:shown],
        "more": max(0, len(new) - shown),
        "base_url": settings.MAROPS_BASE_URL,
    }
    send_mail(
        subject=f"MarOps: {len(new)} new ownership flag{'s' if len(new) != 1 else ''}",
        message=render_to_string("workflows/flag_digest.txt", context),
        from_email=None,
        recipient_list=[head.email],
    )
    OwnershipFlag.objects.filter(pk__in=[flag.pk for flag in new]).update(digested_at=timezone.now())
    return len(new)
