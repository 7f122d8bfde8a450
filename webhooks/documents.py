"""What a delivery sends: the event document (docs/webhooks.schema.json), or, for a Slack or Teams
endpoint, a message made from it. One document per event; each endpoint kind only changes its shape."""

import datetime
import json
from typing import Any

from core.events import KINDS

from .choices import TEST_EVENT, EndpointKind
from .selectors import Subject, event_subject

SCHEMA_VERSION = 1
SLACK_HEADER_MAX = 150  # Block Kit: a header's plain_text
SLACK_FIELDS_MAX = 10  # Block Kit: a section's fields
SLACK_FIELD_TEXT_MAX = 2000
SLACK_BUTTON_URL_MAX = 3000
OPEN_LABEL = "Open in MarOps"


def describe(event: str) -> str:
    return "A test event sent from MarOps" if event == TEST_EVENT else KINDS[event]


def event_document(
    *, event: str, event_id: str, occurred_at: datetime.datetime, payload: dict[str, Any]
) -> dict[str, Any]:
    """The event as receivers get it: stable keys (version 1), the subject read from the database now,
    and the payload as published under `data`."""
    subject = event_subject(event, payload)
    return {
        "version": SCHEMA_VERSION,
        "id": event_id,
        "event": event,
        "description": describe(event),
        "occurred_at": occurred_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "test": event == TEST_EVENT,
        "subject": _subject(subject),
        "data": {key: value for key, value in payload.items() if isinstance(value, str | int | bool | None)},
    }


def _subject(subject: Subject | None) -> dict[str, Any] | None:
    if subject is None:
        return None
    return {
        "type": subject.type,
        "id": subject.id,
        "title": subject.title,
        "url": subject.url,
        "facts": [{"name": name, "value": value} for name, value in subject.facts],
    }


def _title(document: dict[str, Any]) -> str:
    subject = document["subject"]
    return f"{document['description']}: {subject['title']}" if subject else document["description"]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn reads &, < and > as markup: https://api.slack.com/reference/surfaces/formatting#escaping
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(document: dict[str, Any]) -> dict[str, Any]:
    """A Block Kit message for a Slack incoming webhook: a header, a section with the facts as fields,
    and a button to the object."""
    subject = document["subject"] or {"facts": [], "url": None}
    facts = subject["facts"][:SLACK_FIELDS_MAX]
    section: dict[str, Any] = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _clip(_slack_escape(_title(document)), 3000)},
    }
    if facts:
        section["fields"] = [
            {
                "type": "mrkdwn",
                "text": _clip(f"*{_slack_escape(f['name'])}*\n{_slack_escape(f['value'])}", SLACK_FIELD_TEXT_MAX),
            }
            for f in facts
        ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(document["description"], SLACK_HEADER_MAX)}},
        section,
    ]
    if subject["url"] and len(subject["url"]) <= SLACK_BUTTON_URL_MAX:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": OPEN_LABEL},
                        "url": subject["url"],
                        "action_id": "open-in-marops",
                    }
                ],
            }
        )
    return {"text": _clip(_slack_escape(_title(document)), 3000), "blocks": blocks}


def teams_message(document: dict[str, Any]) -> dict[str, Any]:
    """An Adaptive Card in the "message" envelope a Teams incoming webhook (or Workflows) expects."""
    subject = document["subject"] or {"facts": [], "url": None}
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": document["description"], "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    if document["subject"]:
        body.append({"type": "TextBlock", "text": subject["title"], "wrap": True})
    if subject["facts"]:
        body.append({"type": "FactSet", "facts": [{"title": f["name"], "value": f["value"]} for f in subject["facts"]]})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if subject["url"]:
        card["actions"] = [{"type": "Action.OpenUrl", "title": OPEN_LABEL, "url": subject["url"]}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def body_for(kind: str, document: dict[str, Any]) -> str:
    """The exact text an endpoint of `kind` is sent (and signed)."""
    message = {EndpointKind.SLACK: slack_message, EndpointKind.TEAMS: teams_message}.get(
        EndpointKind(kind), lambda d: d
    )(document)
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
