"""Who is told what, and when: the accountable person at once, reminders once per stage, and the mail
that carries them.

Every message is first recorded as a `Notification` (one per recipient, topic, subject and stage: the
database refuses a second), then sent from a Celery task that marks it sent. A mail server that is down
leaves the row owed: the task retries with a growing delay, and each reminder run queues whatever is
still owed, so nothing is lost and nothing goes twice."""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from core.mail import email_render, email_send
from governance.choices import ReviewStatus
from governance.models import CorrectiveAction, Incident, Review
from roles.models import Person
from roles.selectors import head_of_marops
from workflows.models import OwnershipFlag

from .choices import ALWAYS_SENT, Delivery, Topic
from .models import Notification, Preference
from .selectors import live_managers

logger = logging.getLogger(__name__)

# A mail server that refuses or cannot be reached: worth trying again later.
TRANSIENT_MAIL_ERRORS: tuple[type[Exception], ...] = (smtplib.SMTPException, OSError)
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
ERROR_KEPT = 500  # characters of the mail server's last answer kept on the row


def absolute(path: str) -> str:
    return f"{settings.MAROPS_BASE_URL}{path}"


def incident_link(incident_id: int) -> str:
    return absolute(reverse("governance:incident-detail", args=[incident_id]))


def unsubscribe_token(person_id: int, topic: str) -> str:
    return signing.dumps([person_id, topic], salt=UNSUBSCRIBE_SALT)


def unsubscribe_link(person_id: int, topic: str) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(person_id, topic)]))


@dataclass
class Message:
    """A message to record (and send): the template's context gets `person`, `link` and, for an optional
    topic, `unsubscribe_url`, besides `context`."""

    recipient: Person
    topic: str
    subject_key: str
    stage: str
    subject: str
    link: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[int, str, str, str]:
        return self.recipient.pk, self.topic, self.subject_key, self.stage


def deliveries(people: Iterable[Person]) -> dict[tuple[int, str], str]:
    """How each of `people` receives each optional topic they chose (absent: e-mail at once)."""
    return {
        (person_id, topic): delivery
        for person_id, topic, delivery in Preference.objects.filter(
            person_id__in={person.pk for person in people}
        ).values_list("person_id", "topic", "delivery")
    }


def messages_record(messages: Sequence[Message], now: datetime.datetime | None = None) -> list[Notification]:
    """Record each message not recorded before, as its recipient chose to receive it (or not at all);
    return the new rows to e-mail at once. A message already recorded (an earlier beat, a redelivered
    task, a run beside this one) is left alone: the unique constraint decides."""
    messages = [m for m in messages if m.recipient.is_active and m.recipient.email]
    if not messages:
        return []
    chosen = deliveries(m.recipient for m in messages)
    done = set(
        Notification.objects.filter(
            recipient_id__in={m.recipient.pk for m in messages}, subject_key__in={m.subject_key for m in messages}
        ).values_list("recipient_id", "kind", "subject_key", "stage")
    )
    new = []
    for message in messages:
        delivery = Delivery.EMAIL if message.topic in ALWAYS_SENT else chosen.get(message.identity[:2], Delivery.EMAIL)
        if delivery == Delivery.OFF or message.identity in done:
            continue
        done.add(message.identity)
        context = {**message.context, "person": message.recipient, "link": message.link, "subject": message.subject}
        if message.topic not in ALWAYS_SENT:
            context["unsubscribe_url"] = unsubscribe_link(message.recipient.pk, message.topic)
            context["topic_label"] = Topic(message.topic).label
        context["profile_url"] = absolute(reverse("profile"))
        text, html = email_render(f"notifications/email/{message.template}", context)
        row = Notification(
            recipient=message.recipient,
            kind=message.topic,
            subject_key=message.subject_key,
            stage=message.stage,
            delivery=delivery,
            subject=message.subject[:250],
            link=message.link,
            text=text,
            html=html,
            created_at=now or timezone.now(),
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # recorded a moment ago by a run beside this one
            continue
        if delivery == Delivery.EMAIL:
            new.append(row)
    return new


# --- the accountable person, told at once ------------------------------------------------------

WHY = {
    "incident.logged": "It was logged just now, and the Test names you: you own the workflow of the step where "
    "it happened.",
    "review.accountable": "Its review has just named you the accountable owner.",
    "incident.escalated": "Its severity has just been raised to {severity}.",
    "incident.reopened": "It has just been reopened: the fix did not hold.",
    "incident.accountable_changed": "Its review has just cleared the accountable owner.",
}


def _stage(kind: str, payload: Mapping[str, Any]) -> str:
    if kind == "incident.logged":
        return "logged"
    if kind == "incident.escalated":
        return f"escalated-{payload['severity']}"
    prefix = {"review.accountable": "named", "incident.reopened": "reopened", "incident.accountable_changed": "cleared"}
    return f"{prefix[kind]}-v{payload['version']}"


def event_notify(kind: str, payload: Mapping[str, Any]) -> list[Notification]:
    """Tell the person accountable for the incident (`payload["incident_id"]`) what happened, what is
    expected of them and by when; when nobody can be named, tell the Head of MarOps, with the reason.
    Returns the new messages to e-mail."""
    if kind == "incident.accountable_changed" and payload.get("accountable_id") is not None:
        return []  # someone was named: "review.accountable" tells them
    incident = (
        Incident.objects.select_related("review__accountable_owner", "agent", "step__workflow")
        .filter(pk=payload["incident_id"])
        .first()
    )
    if incident is None:
        return []
    review = incident.review
    person = incident.accountable  # the one rule: the review's owner, named from the step when logged
    context = {
        "incident": incident,
        "review": review,
        "why": WHY[kind].format(severity=incident.get_severity_display().lower()),
        "due_on": review.due_on,
    }
    subject_key, stage, link = f"incident:{incident.pk}", _stage(kind, payload), incident_link(incident.pk)
    if person is not None and person.is_active:
        message = Message(
            person,
            Topic.ACCOUNTABLE,
            subject_key,
            stage,
            f"You are accountable: {incident.summary}",
            link,
            "accountable",
            context,
        )
    else:
        head = head_of_marops()
        if head is None:
            logger.warning(
                "Nobody is accountable for incident %s and nobody holds the Head of MarOps role.", incident.pk
            )
            return []
        reason = incident.accountable_reason or (f"{person.name} is no longer active." if person else "")
        message = Message(
            head,
            Topic.NOBODY_ACCOUNTABLE,
            subject_key,
            stage,
            f"Nobody is accountable: {incident.summary}",
            link,
            "nobody_accountable",
            {**context, "reason": reason},
        )
    return messages_record([message])


def logged_unannounced(now: datetime.datetime | None = None) -> list[int]:
    """Incidents logged in the last day whose accountable person (or the Head) was never told: the event
    was lost (the broker was down as the request committed). The reminder run tells them late, not never."""
    now = now or timezone.now()
    told = Notification.objects.filter(
        subject_key=Concat(Value("incident:"), Cast(OuterRef("pk"), CharField())), stage="logged"
    )
    return list(
        Incident.objects.filter(
            created_at__gte=now - datetime.timedelta(days=1),
            created_at__lte=now - datetime.timedelta(minutes=settings.MAROPS_MAIL_RETRY_MINUTES),
        )
        .exclude(Exists(told))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- reminders, once per stage, from beat -------------------------------------------------------


def _holder(person: Person | None, head: Person | None) -> Person | None:
    """Who holds something: its person while active, else the Head of MarOps."""
    return person if person is not None and person.is_active else head


def _reminders(
    *,
    topic: str,
    key: str,
    holder: Person | None,
    due: datetime.date,
    today: datetime.date,
    grace: int,
    what: str,
    link: str,
    expected: str,
    managers: Mapping[int, Person],
) -> list[Message]:
    """The stages of something with a deadline: due (today or tomorrow), overdue, and overdue beyond
    the grace period (then the holder's manager in the live chart too). Each stage names its deadline,
    so a new deadline is a new set of stages."""
    if holder is None:
        return []
    context = {"what": what, "due": due, "expected": expected}
    if due >= today:
        when = "tomorrow" if due > today else "today"
        return [
            Message(
                holder,
                topic,
                key,
                f"due-{due}",
                f"Due {when}: {what}",
                link,
                "reminder",
                {**context, "headline": f"{what} is due {when} ({due:%-d %B})."},
            )
        ]
    late = (today - due).days
    messages = [
        Message(
            holder,
            topic,
            key,
            f"overdue-{due}",
            f"Overdue: {what}",
            link,
            "reminder",
            {**context, "headline": f"{what} was due on {due:%-d %B}: {late} day{'s' if late != 1 else ''} ago."},
        )
    ]
    manager = managers.get(holder.pk)
    if late > grace and manager is not None:
        messages.append(
            Message(
                manager,
                topic,
                key,
                f"manager-{due}",
                f"Overdue for {late} days ({holder.name}): {what}",
                link,
                "reminder",
                {
                    **context,
                    "headline": f"{what}, held by {holder.name}, who reports to you, was due "
                    f"on {due:%-d %B} and is still open after {late} days.",
                    "for_manager": True,
                },
            )
        )
    return messages


def _flag_reminders(
    flag: OwnershipFlag,
    head: Person | None,
    managers: Mapping[int, Person],
    *,
    now: datetime.datetime,
    days: int,
    grace: int,
) -> list[Message]:
    """A flag open longer than the set number of days: to the Head of MarOps (who gets the flags' digest and
    has them fixed), and after the grace period to the Head's manager in the live chart as well."""
    if head is None:
        return []
    remedy = flag.remedy
    link = absolute(remedy.url if remedy is not None else reverse("workflows:flag-list"))
    open_days = (now - flag.opened_at).days
    what = f"The flag “{flag.get_kind_display()}”"
    context = {
        "what": what,
        "detail": flag.message,
        "expected": remedy.label if remedy is not None else "Fix its cause.",
        "headline": f"{what} has been open for {open_days} days, since {timezone.localdate(flag.opened_at):%-d %B}.",
    }
    key = f"flag:{flag.pk}"
    messages = [
        Message(
            head, Topic.FLAG_OPEN, key, f"open-{days}d", f"Open for {open_days} days: {what}", link, "reminder", context
        )
    ]
    manager = managers.get(head.pk)
    if open_days > days + grace and manager is not None:
        messages.append(
            Message(
                manager,
                Topic.FLAG_OPEN,
                key,
                f"manager-{days + grace}d",
                f"Open for {open_days} days ({head.name}): {what}",
                link,
                "reminder",
                {
                    **context,
                    "for_manager": True,
                    "headline": f"{what}, with {head.name}, who reports to you, has been open for {open_days} days.",
                },
            )
        )
    return messages


def reminders_due(now: datetime.datetime | None = None) -> list[Message]:
    """Every reminder whose stage has come, recorded or not (`messages_record` sends each once)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = today + datetime.timedelta(days=1)
    grace = settings.MAROPS_REMINDER_GRACE_DAYS
    head = head_of_marops()
    reviews = list(
        Review.objects.exclude(status=ReviewStatus.RESOLVED)
        .filter(due_on__lte=tomorrow)
        .select_related("incident", "accountable_owner")
    )
    actions = list(
        CorrectiveAction.objects.filter(is_done=False, due_on__lte=tomorrow).select_related(
            "review__incident", "assignee"
        )
    )
    flag_days = settings.MAROPS_FLAG_REMINDER_DAYS
    flags = list(
        OwnershipFlag.objects.filter(
            resolved_at__isnull=True, opened_at__lte=now - datetime.timedelta(days=flag_days)
        ).select_related("workflow", "agent")
    )
    holders = [r.accountable_owner for r in reviews] + [a.assignee for a in actions] + [head]
    managers = live_managers({p.pk for p in holders if p is not None})
    messages: list[Message] = []
    for review in reviews:
        incident = review.incident
        messages += _reminders(
            topic=Topic.REVIEW_DUE,
            key=f"review:{review.pk}",
            holder=_holder(review.accountable_owner, head),
            due=review.due_on,
            today=today,
            grace=grace,
            what=f"The review of “{incident.summary}”",
            link=incident_link(incident.pk),
            managers=managers,
            expected="Name the root cause and the corrective actions, then resolve the review.",
        )
    for action in actions:
        incident = action.review.incident
        messages += _reminders(
            topic=Topic.ACTION_DUE,
            key=f"action:{action.pk}",
            holder=_holder(action.assignee, head),
            due=action.due_on,
            today=today,
            grace=grace,
            what=f"The corrective action “{action}”",
            link=incident_link(incident.pk),
            managers=managers,
            expected=f"Do it and tick it off on the incident “{incident.summary}”, or hand it to someone else.",
        )
    for flag in flags:
        messages += _flag_reminders(flag, head, managers, now=now, days=flag_days, grace=grace)
    return messages


def reminders_send(now: datetime.datetime | None = None) -> list[list[int]]:
    """Record the reminders whose stage has come and not yet been sent; return the batches to e-mail
    (one e-mail per person per run, whatever the number of reminders)."""
    return _batches(messages_record(reminders_due(now), now))


def _batches(rows: Iterable[Notification]) -> list[list[int]]:
    by_person: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_person[row.recipient_id].append(row.pk)
    return list(by_person.values())


def notifications_owed(now: datetime.datetime | None = None) -> list[list[int]]:
    """Messages to e-mail at once that are still owed a while after they were recorded or last tried
    (their task gave up, or was lost): to send again."""
    before = (now or timezone.now()) - datetime.timedelta(minutes=settings.MAROPS_MAIL_RETRY_MINUTES)
    return _batches(
        Notification.objects.filter(sent_at__isnull=True, delivery=Delivery.EMAIL, created_at__lte=before)
        .filter(Q(attempted_at__isnull=True) | Q(attempted_at__lte=before))
        .only("pk", "recipient_id")
        .order_by("pk")
    )


def summaries_due(now: datetime.datetime | None = None) -> list[list[int]]:
    """The daily summaries: from the summary hour on, everything chosen "in a daily summary" that was
    recorded before today's summary hour and not yet sent, one e-mail per person."""
    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.MAROPS_SUMMARY_HOUR:
        return []
    cutoff = local.replace(hour=settings.MAROPS_SUMMARY_HOUR, minute=0, second=0, microsecond=0)
    return _batches(
        Notification.objects.filter(sent_at__isnull=True, delivery=Delivery.SUMMARY, created_at__lt=cutoff)
        .only("pk", "recipient_id")
        .order_by("pk")
    )


def notifications_deliver(ids: Sequence[int]) -> int:
    """E-mail the owed messages among `ids` (one recipient's) as one e-mail: the message itself, or a list
    of them. Marks them sent; if the mail server fails, records the attempt and raises (the task
    retries). Rows being sent by another worker are skipped, so none goes twice."""
    error: Exception | None = None
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=ids, sent_at__isnull=True)
            .select_related("recipient")
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        recipient = rows[0].recipient
        rows = [row for row in rows if row.recipient_id == recipient.pk]
        pks = [row.pk for row in rows]
        now = timezone.now()
        try:
            _email(recipient, rows)
        except TRANSIENT_MAIL_ERRORS as exc:
            error = exc
            Notification.objects.filter(pk__in=pks).update(
                attempts=F("attempts") + 1, attempted_at=now, last_error=f"{type(exc).__name__}: {exc}"[:ERROR_KEPT]
            )
        else:
            Notification.objects.filter(pk__in=pks).update(
                attempts=F("attempts") + 1, attempted_at=now, sent_at=now, last_error=""
            )
    if error is not None:
        raise error
    return len(rows)


def _email(recipient: Person, rows: Sequence[Notification]) -> None:
    topics = {row.kind for row in rows}
    headers = {}
    if len(topics) == 1 and not topics & ALWAYS_SENT:
        # RFC 2369 and RFC 8058: mail programs show an "Unsubscribe" button that POSTs here.
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_link(recipient.pk, rows[0].kind)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    if len(rows) == 1:
        row = rows[0]
        email_send(to=[recipient.email], subject=row.subject, text=row.text, html=row.html, headers=headers)
        return
    items = [
        {
            "subject": row.subject,
            "link": row.link,
            "topic": Topic(row.kind).label,
            "unsubscribe_url": None if row.kind in ALWAYS_SENT else unsubscribe_link(recipient.pk, row.kind),
        }
        for row in rows
    ]
    text, html = email_render(
        "notifications/email/list",
        {"person": recipient, "items": items, "profile_url": absolute(reverse("profile"))},
    )
    email_send(
        to=[recipient.email], subject=f"MarOps: {len(rows)} things need you", text=text, html=html, headers=headers
    )


# --- preferences ---------------------------------------------------------------------------------


@transaction.atomic
def preference_set(*, person: Person, topic: str, delivery: str) -> Preference:
    """Choose how `person` receives `topic`. "You are accountable" always goes: it cannot be changed."""
    if topic in ALWAYS_SENT:
        raise ValueError(f"“{Topic(topic).label}” always goes by e-mail; it cannot be switched off.")
    preference, _ = Preference.objects.update_or_create(person=person, topic=topic, defaults={"delivery": delivery})
    return preference


def preferences_save(*, person: Person, choices: Mapping[str, str]) -> None:
    """Save the profile page's choices (topic → delivery) in one go."""
    with transaction.atomic():
        for topic, delivery in choices.items():
            preference_set(person=person, topic=topic, delivery=delivery)


class BadUnsubscribeLink(Exception):
    pass


def unsubscribe_read(token: str) -> tuple[Person, str]:
    """Whose link, and which topic; refuses a link that was altered or names no one."""
    try:
        person_id, topic = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadUnsubscribeLink(
            "This unsubscribe link is not valid: it may have been cut short in the e-mail."
        ) from exc
    person = Person.objects.filter(pk=person_id).first()
    if person is None or topic not in Topic.values or topic in ALWAYS_SENT:
        raise BadUnsubscribeLink("This unsubscribe link is not valid any more.")
    return person, topic


def unsubscribe(token: str) -> tuple[Person, str]:
    """The one-click unsubscribe: no login, the signed link says who and what."""
    person, topic = unsubscribe_read(token)
    preference_set(person=person, topic=topic, delivery=Delivery.OFF)
    return person, topic
