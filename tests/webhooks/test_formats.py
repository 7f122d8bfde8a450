"""Slack and Teams messages, checked against the shapes their documentation gives (required keys, types
and limits), and sent to a real receiver as an incoming-webhook URL would get them.

Slack Block Kit: https://api.slack.com/reference/block-kit/blocks (header: plain_text ≤ 150 characters;
section: text and/or fields, ≤ 10 fields of ≤ 2,000 characters; actions: elements; button: text
plain_text, url ≤ 3,000). Teams incoming webhooks: https://learn.microsoft.com/en-us/microsoftteams/platform/
webhooks-and-connectors/how-to/connectors-using ("type": "message", attachments with contentType
application/vnd.microsoft.card.adaptive and the card under content); Adaptive Cards:
https://adaptivecards.io/explorer/ (AdaptiveCard: type, version, body; TextBlock: text; FactSet: facts of
title and value; Action.OpenUrl: title, url)."""

import datetime
import json

import pytest

from tests.webhooks.helpers import an_incident, endpoint_for, incident_logged
from webhooks.documents import event_document, slack_message, teams_message

pytestmark = pytest.mark.django_db


def document_for(incident, event="incident.logged"):
    return event_document(
        event=event,
        event_id="5b0f0c8e-8f5e-4a55-9a53-0c3f6f0d8a11",
        occurred_at=datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC),
        payload={"incident_id": incident.pk},
    )


def plain_text(obj, limit):
    assert obj["type"] == "plain_text" and isinstance(obj["text"], str) and 0 < len(obj["text"]) <= limit
    return obj["text"]


def check_slack_shape(message):
    """What Slack's incoming webhook accepts: a fallback `text` and a list of known blocks."""
    assert isinstance(message["text"], str) and message["text"]
    assert isinstance(message["blocks"], list) and 0 < len(message["blocks"]) <= 50
    kinds = [block["type"] for block in message["blocks"]]
    assert kinds[:2] == ["header", "section"]
    header, section = message["blocks"][0], message["blocks"][1]
    plain_text(header["text"], 150)
    assert section["text"]["type"] == "mrkdwn" and isinstance(section["text"]["text"], str)
    assert 0 < len(section.get("fields", [])) <= 10
    for field in section["fields"]:
        assert field["type"] == "mrkdwn" and 0 < len(field["text"]) <= 2000
    if "actions" in kinds:
        [button] = message["blocks"][kinds.index("actions")]["elements"]
        assert button["type"] == "button"
        plain_text(button["text"], 75)
        assert button["url"].startswith("http") and len(button["url"]) <= 3000
        assert isinstance(button["action_id"], str) and len(button["action_id"]) <= 255


def check_teams_shape(message):
    assert message["type"] == "message"
    [attachment] = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and isinstance(card["version"], str)
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert isinstance(card["body"], list) and card["body"]
    for element in card["body"]:
        assert element["type"] in {"TextBlock", "FactSet"}
        if element["type"] == "TextBlock":
            assert isinstance(element["text"], str) and element["text"]
        else:
            assert all(isinstance(f["title"], str) and isinstance(f["value"], str) for f in element["facts"])
    for action in card.get("actions", []):
        assert action["type"] == "Action.OpenUrl" and isinstance(action["title"], str)
        assert action["url"].startswith("http")


def test_a_slack_message_has_a_header_the_facts_as_fields_and_a_button_to_the_incident():
    incident = an_incident()
    message = slack_message(document_for(incident))
    check_slack_shape(message)
    header, section, actions = message["blocks"]
    assert header["text"]["text"] == "An incident was logged"
    assert "*Severity*\nHigh" in [field["text"] for field in section["fields"]]
    assert actions["elements"][0]["url"].endswith(f"/governance/incidents/{incident.pk}/")
    assert actions["elements"][0]["text"]["text"] == "Open in MarOps"


def test_slack_markup_in_names_is_escaped_and_long_text_kept_within_the_limits():
    incident = an_incident()
    incident.summary = "<!channel> & " + "x" * 180
    incident.accountability_reason = "Nobody owns it. " * 200  # 3,200 characters, for a 2,000-character field
    incident.save()
    message = slack_message(document_for(incident))
    check_slack_shape(message)
    assert "<!channel>" not in json.dumps(message) and "&lt;!channel&gt; &amp;" in message["blocks"][1]["text"]["text"]
    accountable = next(f["text"] for f in message["blocks"][1]["fields"] if f["text"].startswith("*Accountable*"))
    assert len(accountable) == 2000 and accountable.endswith("…")


def test_a_teams_message_is_an_adaptive_card_in_the_message_envelope():
    incident = an_incident()
    message = teams_message(document_for(incident))
    check_teams_shape(message)
    card = message["attachments"][0]["content"]
    assert card["body"][0]["text"] == "An incident was logged"
    assert card["body"][1]["text"] == "Chat bot quoted a retired price"
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Severity"] == "High"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in MarOps", "url": document_for(incident)["subject"]["url"]}
    ]


def test_an_event_with_nothing_to_show_still_makes_valid_messages():
    document = event_document(
        event="agent.paused",
        event_id="5b0f0c8e-8f5e-4a55-9a53-0c3f6f0d8a11",
        occurred_at=datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC),
        payload={"agent_id": 987654},
    )
    slack = slack_message(document)
    assert [b["type"] for b in slack["blocks"]] == ["header", "section"] and "fields" not in slack["blocks"][1]
    check_teams_shape(teams_message(document))


@pytest.mark.parametrize(("kind", "check"), [("slack", check_slack_shape), ("teams", check_teams_shape)])
def test_a_slack_or_teams_endpoint_receives_the_formatted_message(
    receiver, django_capture_on_commit_callbacks, kind, check
):
    endpoint_for(receiver.url, kind=kind)
    incident_logged(django_capture_on_commit_callbacks)
    [got] = receiver.requests
    check(json.loads(got.body))
    assert got.headers["Content-Type"] == "application/json"
