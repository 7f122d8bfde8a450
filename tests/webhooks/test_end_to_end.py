"""An incident logged through the API reaches a webhook endpoint: governance publishes `incident.logged`
when the incident commits (core.events), the webhooks app turns it into a signed delivery."""

import json

import pytest
from django.db import transaction

from marops.tokens import api_token_create
from tests.conftest import make_user
from tests.factories import StepFactory
from tests.webhooks.helpers import endpoint_for
from webhooks import example_receiver
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def log_incident(client, step):
    _, key = api_token_create(user=make_user("reporter", "MarOps staff"), name="test")
    body = {
        "step_id": step.pk,
        "summary": "Quoted a retired plan",
        "description": "Growth plan at £49",
        "severity": "high",
    }
    return client.post("/api/v1/incidents", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    from django.apps import apps

    from core.permissions import groups_sync

    groups_sync(apps)


def test_an_incident_logged_through_the_api_is_delivered_signed_to_the_endpoint(client, receiver):
    endpoint = endpoint_for(receiver.url, events=("incident.logged", "flag.opened"))
    step = StepFactory()
    response = log_incident(client, step)
    assert response.status_code == 201
    incident_id = response.json()["id"]

    logged = [r for r in receiver.requests if r.headers["X-MarOps-Event"] == "incident.logged"]
    assert len(logged) == 1, [r.headers["X-MarOps-Event"] for r in receiver.requests]
    example_receiver.verify(secret=endpoint.secret, header=logged[0].headers["X-MarOps-Signature"], body=logged[0].body)
    document = json.loads(logged[0].body)
    assert document["data"]["incident_id"] == incident_id
    assert document["subject"]["title"] == "Quoted a retired plan"
    assert Delivery.objects.get(event="incident.logged").status == "delivered"


def test_an_incident_refused_by_the_api_tells_no_endpoint(client, receiver):
    endpoint_for(receiver.url)
    with transaction.atomic():
        step = StepFactory()
    _, key = api_token_create(user=make_user("reporter", "MarOps staff"), name="test")
    response = client.post(
        "/api/v1/incidents",
        {"step_id": step.pk, "summary": "", "description": "x", "severity": "apocalyptic"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 422
    assert receiver.requests == [] and not Delivery.objects.exists()
