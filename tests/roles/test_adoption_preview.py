"""Adopting a scenario first shows its accountability impact; the Leader confirms with it in front of them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marops.demo import LIVE_CHART, TARGET_CHART
from roles.csv_io import chart_import_csv
from roles.models import Chart, Person, Position
from roles.services import position_assign_person
from tests.conftest import make_user
from tests.factories import PersonFactory, StepFactory, WorkflowFactory
from workflows.accountability import workflows_accountable
from workflows.adoption import adoption_impact
from workflows.choices import WorkflowStatus
from workflows.models import Workflow
from workflows.selectors import accountability_test_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(demo):
    return Chart.objects.get(name=TARGET_CHART)


def names(changes) -> list[str]:
    return [change.subject.name for change in changes]


def failing_now() -> set[str]:
    """The workflows in use nobody is accountable for, asked of the live chart."""
    workflows = list(Workflow.objects.exclude(status=WorkflowStatus.RETIRED).select_related("owner"))
    return {w.name for w, answer in zip(workflows, workflows_accountable(workflows), strict=True) if not answer.passes}


def test_the_preview_shows_the_test_before_and_after_and_adopting_gives_exactly_that(client, target):
    client.force_login(make_user("l", "Leaders"))
    url = reverse("roles:chart-adopt", args=[target.pk])
    html = client.get(url).content.decode()
    impact = adoption_impact(target)
    before = accountability_test_score()
    assert impact.score_before == before == (2, 6) and impact.score_after == (4, 6)
    assert 'data-testid="score-before">2/6<' in html and 'data-testid="score-after">4/6<' in html
    assert "2 more steps pass" in html and f'action="{url}"' in html and "Adopt as the live chart" in html

    assert names(impact.workflows_passing_newly) == ["Attribution reporting", "Lead routing"]
    assert names(impact.workflows_failing) == ["Content production", "Data enrichment and hygiene", "Event follow-up"]
    assert not impact.workflows_failing_newly and not impact.owners_losing_seats
    assert names(impact.steps_failing) == ["Personalise page for visitor", "Draft personalised follow-up"]
    reason = "The owner of “Content production”, Sofia Alvarez, holds no MarOps seat in “Halcyon — 2026 target”."
    assert impact.workflows_failing[0].after.reason == reason and reason in html
    assert "Priya Shah would be accountable." in html

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("roles:chart-detail", args=[target.pk])
    assert Chart.objects.get(status="live") == target
    assert accountability_test_score() == impact.score_after
    assert failing_now() == set(names(impact.workflows_failing))


def test_owners_who_lose_their_marops_seat_or_every_seat_are_named_with_what_newly_fails(client, target):
    position_assign_person(position=target.positions.get(title="Head of Marketing Operations"), person=None)
    mia = target.positions.get(person__name="Mia Chen")
    mia.team = "demand_gen"
    mia.save(update_fields=["team"])
    impact = adoption_impact(target)

    dana, mia_seats = impact.owners_losing_seats
    assert (dana.person.name, dana.loses_every_seat) == ("Dana Whitfield", True)
    assert [s.title for s in dana.seats_before] == ["Marketing Operations Manager"] and dana.seats_after == []
    assert names_of(dana.workflows) == ["Campaign launch"]
    assert (mia_seats.person.name, mia_seats.loses_every_seat) == ("Mia Chen", False)
    assert names_of(mia_seats.workflows) == ["Lead nurture"]
    assert names(impact.workflows_failing_newly) == ["Campaign launch", "Lead nurture"]
    assert impact.workflows_failing_newly[0].after.reason == (
        "The owner of “Campaign launch”, Dana Whitfield, holds no seat in “Halcyon — 2026 target”."
    )
    assert names(impact.steps_failing_newly) == ["Optimise send time", "Send nurture emails"]
    assert impact.score_after == (2, 6) and impact.score_change == "no change"

    client.force_login(make_user("l", "Leaders"))
    html = client.get(reverse("roles:chart-adopt", args=[target.pk])).content.decode()
    assert "Dana Whitfield" in html and "would hold no seat at all" in html and "would hold no MarOps seat" in html
    assert html.count("newly fails") == 4


def names_of(workflows) -> list[str]:
    return [w.name for w in workflows]


def test_the_preview_lists_the_planned_hires_who_would_join(client, demo):
    text = (
        "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
        "cmo,CMO,Claire Donovan,claire.donovan@halcyon.example,,,cmo,executive,C-level,\n"
        "pkd,Prompt and Knowledge Designer,Ava New,ava@example.com,cmo,,prompt-knowledge-designer,marops,specialist,\n"
    )
    chart = chart_import_csv(text=text, scenario="Lean")
    client.force_login(make_user("l", "Leaders"))
    html = client.get(reverse("roles:chart-adopt", args=[chart.pk])).content.decode()
    assert "Planned hires who would join" in html and "Ava New" in html


def test_the_preview_takes_the_same_queries_whatever_the_workflows_and_owners(client, target):
    # One owner loses their seat on the demo (Dana: Campaign launch), so every part of the page has rows.
    position_assign_person(position=target.positions.get(title="Head of Marketing Operations"), person=None)
    client.force_login(make_user("l", "Leaders"))
    url = reverse("roles:chart-adopt", args=[target.pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    live = Chart.objects.get(name=LIVE_CHART)
    root = live.positions.get(reports_to=None)
    for n in range(20):  # 20 more owners seated in MarOps today and nowhere in the target
        owner = PersonFactory()
        Position.objects.create(
            chart=live, title=f"Ops {n}", team="marops", level="specialist", person=owner, reports_to=root
        )
        StepFactory.create_batch(3, workflow=WorkflowFactory(owner=owner))
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    # The session, the user and their permissions (4), a savepoint and its release (ATOMIC_REQUESTS),
    # the chart, the live chart, the planned hires and at most 10 for the impact.
    assert len(large) == len(small) <= 19
    assert html.count("would hold no seat at all") == 1 + 20
    assert html.count("newly fails") == 1 + 1 + 20 + 20 * 3  # workflows and their steps


def test_adoption_impact_takes_at_most_ten_queries(target, django_assert_max_num_queries):
    WorkflowFactory.create_batch(5, owner=Person.objects.get(name="Dana Whitfield"))
    with django_assert_max_num_queries(10):
        adoption_impact(target)


def test_only_a_scenario_has_a_preview(client, demo):
    client.force_login(make_user("l", "Leaders"))
    live = Chart.objects.get(status="live")
    response = client.get(reverse("roles:chart-adopt", args=[live.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("roles:chart-detail", args=[live.pk])
    assert "Only a scenario can be adopted" in response.content.decode()


def test_the_scenario_page_leads_to_the_preview_and_only_leaders_can_confirm(client, target):
    url = reverse("roles:chart-adopt", args=[target.pk])
    client.force_login(make_user("l", "Leaders"))
    assert (
        f'href="{url}">Adopt as the live chart…'
        in client.get(reverse("roles:chart-detail", args=[target.pk])).content.decode()
    )
    for group in ["Executives", "MarOps staff"]:
        client.force_login(make_user(f"u-{group}", group))
        page = client.get(url)
        assert page.status_code == 200 and "score-after" in page.content.decode()
        assert f'action="{url}"' not in page.content.decode()
        assert client.post(url).status_code == 403
    target.refresh_from_db()
    assert target.status == "scenario"
