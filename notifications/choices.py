from django.db import models


class Topic(models.TextChoices):
    """What a message is about. People choose, per topic, how they receive it (`Preference`), except the
    topics in `ALWAYS_SENT`."""

    ACCOUNTABLE = "accountable", "You are accountable for an incident"
    NOBODY_ACCOUNTABLE = "nobody-accountable", "Nobody can be named accountable for an incident"
    REVIEW_DUE = "review-due", "Reviews due tomorrow or overdue"
    ACTION_DUE = "action-due", "Corrective actions due or overdue"
    FLAG_OPEN = "flag-open", "Ownership flags left open"


# "You are accountable" always goes (issue 15), and so does its stand-in when nobody can be named: the
# Head of MarOps is told instead, with the reason. Neither can be switched off.
ALWAYS_SENT = frozenset({Topic.ACCOUNTABLE, Topic.NOBODY_ACCOUNTABLE})
OPTIONAL_TOPICS = [topic for topic in Topic if topic not in ALWAYS_SENT]


class Delivery(models.TextChoices):
    EMAIL = "email", "E-mail, at once"
    SUMMARY = "summary", "In a daily summary"
    OFF = "off", "Not at all"
