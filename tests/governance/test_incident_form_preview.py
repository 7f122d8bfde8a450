"""The incident form says who will be accountable before saving, and pre-selects an agent's only step."""

import pytest
from django.urls import reverse

from tests.conftest import make_user
from workflows.models import Agent, Step

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, demo):
    client.force_login(make_user("test-staff", "MarOps staff"))
    return client


def agent(name):
    return Agent.objects.get(name=name)


def step(label):
    workflow, rest = label.split(" · ")
    order, name = rest.split(". ", 1)
    return Step.objects.get(workflow__name=workflow, order=int(order), name=name)


def test_the_form_marks_what_happened_as_required(staff_client):
    html = staff_client.get(reverse("governance:incident-log")).content.decode()
    assert (
        '<label for="id_description">What happened</label><span class="required-mark" aria-hidden="true">*</span>'
        in html
    )
    assert 'name="description" cols="40" rows="3" required' in html
    # Optional fields carry no marker.
    assert '<label for="id_affected">Who was affected</label></span>' in html


def test_an_agent_with_one_step_has_it_chosen_with_who_is_accountable(staff_client):
    concierge = agent("Chat Concierge")
    only = step("Lead routing · 2. Qualify visitor in website chat")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = staff_client.get(reverse("governance:incident-step-options"), {"agent": concierge.pk}, **headers)
        html = response.content.decode()
        assert f'<option value="{only.pk}" selected>' in html
        assert "Nobody can be named." in html and "Tom Nguyen, holds no MarOps seat in the live chart." in html
        assert "<html" not in html  # the step field alone, to swap in
    # Opened with ?agent= (from the agent page), the whole form has the step chosen too.
    page = staff_client.get(reverse("governance:incident-log"), {"agent": concierge.pk}).content.decode()
    assert f'<option value="{only.pk}" selected>' in page and "Tom Nguyen" in page


def test_an_agent_with_several_steps_has_none_chosen(staff_client):
    copy = agent("Campaign Copy Assistant")
    html = staff_client.get(reverse("governance:incident-step-options"), {"agent": copy.pk}).content.decode()
    assert " selected>" not in html.split('id="id_step"', 1)[1].split("</select>")[0].replace(
        '<option value="" selected>', ""
    )
    # Without a step, the answer is the one logging would record: the agent's single owner, or why not.
    assert "belong to workflows with different owners" in html


def test_choosing_the_step_shows_the_accountable_person_before_saving(staff_client):
    copy = agent("Campaign Copy Assistant")
    url = reverse("governance:incident-accountable")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        launch = staff_client.get(
            url, {"agent": copy.pk, "step": step("Campaign launch · 2. Draft email and landing copy").pk}, **headers
        )
        assert launch.status_code == 200
        assert '<p class="accountable">Dana Whitfield</p>' in launch.content.decode()
        assert "<html" not in launch.content.decode()
    content = staff_client.get(
        url, {"agent": copy.pk, "step": step("Content production · 4. Personalise page for visitor").pk}
    ).content.decode()
    assert "Nobody can be named." in content and "Sofia Alvarez, holds no MarOps seat" in content


def test_the_preview_of_nothing_chosen_or_bad_ids_is_empty_not_an_error(staff_client):
    url = reverse("governance:incident-accountable")
    for params in ({}, {"agent": "x", "step": "y"}, {"agent": "999999", "step": "999999"}):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        assert "accountable" not in response.content.decode().split('data-testid="accountable-preview">', 1)[1]


def test_the_preview_is_the_answer_logging_records(staff_client):
    copy = agent("Campaign Copy Assistant")
    launch = step("Campaign launch · 2. Draft email and landing copy")
    preview = staff_client.get(reverse("governance:incident-accountable"), {"agent": copy.pk, "step": launch.pk})
    response = staff_client.post(
        reverse("governance:incident-log"),
        {
            "agent": copy.pk,
            "step": launch.pk,
            "summary": "Wrong discount",
            "description": "The copy promised 40% off.",
            "occurred_at": "2026-11-30T10:00",
            "severity": "high",
            "harm_category": "other",
        },
    )
    assert response.status_code == 302
    detail = staff_client.get(response["Location"]).content.decode()
    assert "Dana Whitfield" in preview.content.decode() and 'data-testid="accountable">Dana Whitfield<' in detail


def test_a_missing_what_happened_is_named_and_the_input_is_kept(staff_client):
    copy = agent("Campaign Copy Assistant")
    launch = step("Campaign launch · 2. Draft email and landing copy")
    response = staff_client.post(
        reverse("governance:incident-log"),
        {"agent": copy.pk, "step": launch.pk, "summary": "Wrong discount", "description": "", "severity": "high"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "What happened: This field is required." in html
    assert 'value="Wrong discount"' in html and f'<option value="{launch.pk}" selected>' in html
    assert '<p class="accountable">Dana Whitfield</p>' in html  # the answer stays beside the step


def test_only_those_who_log_incidents_may_ask(client, demo):
    client.force_login(make_user("exec", "Executives"))
    assert client.get(reverse("governance:incident-accountable"), {"agent": 1}).status_code == 403


def test_the_preview_and_the_step_picker_read_in_a_few_queries(staff_client, django_assert_max_num_queries):
    copy = agent("Campaign Copy Assistant")
    launch = step("Campaign launch · 2. Draft email and landing copy")
    staff_client.get(reverse("governance:incident-accountable"))  # the session and permissions, once
    # session, user, permissions; the step with its workflow and owner; the owner's seats
    with django_assert_max_num_queries(6):
        staff_client.get(reverse("governance:incident-accountable"), {"agent": copy.pk, "step": launch.pk})
    # ... and the picker: session, user, permissions; the only step; the agent and its workflows' owners; the
    # steps listed and whether there are any
    with django_assert_max_num_queries(9):
        staff_client.get(reverse("governance:incident-step-options"), {"agent": copy.pk})
