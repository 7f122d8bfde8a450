"""The chart page keeps a chart's findings, unplaced people and cost between requests (roles.rules.
chart_reading), under a version the database raises with every commit that writes what the rules read
(roles/findings_version.py). A change shows at once, however it was written (service, QuerySet.update,
raw SQL), and the page always says what the rules say now (`chart_findings`, what every screen uses).

These tests commit (transaction=True): a kept reading is only used between committed transactions."""

import re

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roles.models import Chart, Person, Position, Role
from roles.rules import chart_findings
from roles.services import PositionData, position_save
from tests.conftest import make_user
from workflows.models import Platform, Workflow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(demo):
    return Chart.objects.get(status="live")


@pytest.fixture
def leader_client(client, demo):
    client.force_login(make_user("reader", "Leaders"))
    return client


def seat(chart, title):
    return Position.objects.select_related("person").get(chart=chart, title=title)


def page(client, chart):
    """The chart page with every finding listed: the HTML, and the queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("roles:chart-detail", args=[chart.pk]), {"findings": "all"})
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def shown(response):
    """The findings the page lists, as (rule, message, seats involved)."""
    return [(f.rule, f.message, [p.pk for p in f.positions]) for f in response.context["findings"]]


def without_tokens(response):
    """The page's main part, its CSRF tokens (new on each request) left out."""
    main = response.content.decode().split("<main", 1)[1]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def fresh(chart):
    """What the rules say now, computed from scratch."""
    return [(f.rule, f.message, [p.pk for p in f.positions]) for f in chart_findings(chart)]


def kept(client, chart):
    """Load the page twice: the second load uses the kept reading (it reads no workflow owner)."""
    page(client, chart)
    response, queries = page(client, chart)
    assert not any("workflows_workflow" in sql for sql in queries), "the second load computed the findings again"
    assert shown(response) == fresh(chart)
    return response


def test_a_kept_reading_is_what_the_rules_say_and_saves_their_queries(leader_client, live):
    first, computed = page(leader_client, live)
    second, reused = page(leader_client, live)
    assert len(reused) == len(computed) - 2  # neither the unplaced people nor the workflow owners read again
    assert shown(second) == shown(first) == fresh(live)
    assert second.context["cost"] == first.context["cost"]
    assert [p.name for p in second.context["unplaced"]] == [p.name for p in first.context["unplaced"]]
    assert without_tokens(second) == without_tokens(first)  # the same page, to the byte


def test_a_seat_moved_by_the_service_shows_at_once(leader_client, live):
    kept(leader_client, live)
    head = seat(live, "Marketing Operations Manager")
    data = PositionData(
        title=head.title,
        team=head.team,
        level=head.level,
        roles=list(head.roles.all()),
        person=head.person,
        reports_to=seat(live, "Growth Lead"),
        dotted_lines=list(head.dotted_lines.all()),
        salary=head.salary,
    )
    position_save(chart=live, data=data, position=head)
    response, _ = page(leader_client, live)
    assert "not directly to the CMO" in response.content.decode()
    assert shown(response) == fresh(live)


def test_a_seat_changed_by_a_bulk_update_shows_at_once(leader_client, live):
    kept(leader_client, live)
    head = seat(live, "Marketing Operations Manager")
    Position.objects.filter(pk=head.pk).update(level="specialist")  # no signal, no service
    response, _ = page(leader_client, live)
    assert f"The Head of Marketing Operations ({head.title}) is at Specialist level" in response.content.decode()
    assert shown(response) == fresh(live)


def test_a_person_added_by_raw_sql_is_unplaced_at_once(leader_client, live):
    kept(leader_client, live)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO roles_person (name, email, level, is_active, is_planned, start_date)"
            " VALUES ('Ada Newhire', 'ada@example.com', 'specialist', true, false, NULL)"
        )
    response, _ = page(leader_client, live)
    assert "Ada Newhire is active but holds no position in the live chart." in response.content.decode()
    assert shown(response) == fresh(live)


def test_a_renamed_person_shows_renamed_at_once(leader_client, live):
    kept(leader_client, live)
    admin = seat(live, "Marketo Admin")
    Person.objects.filter(pk=admin.person_id).update(name="Renamed Holder")
    response, _ = page(leader_client, live)
    assert "Renamed Holder owns no workflow" in response.content.decode()
    assert shown(response) == fresh(live)


def test_a_workflow_owner_change_shows_at_once(leader_client, live):
    kept(leader_client, live)
    admin = seat(live, "Marketo Admin")
    assert any(rule == "platform-organised" and admin.pk in seats for rule, _, seats in fresh(live))
    Workflow.objects.filter(pk=Workflow.objects.order_by("pk").first().pk).update(owner=admin.person)
    response, _ = page(leader_client, live)
    assert not any(f.rule == "platform-organised" and admin in f.positions for f in response.context["findings"])
    assert shown(response) == fresh(live)


def test_a_workflow_deleted_shows_at_once(leader_client, live):
    admin = seat(live, "Marketo Admin")
    owned = Workflow.objects.order_by("pk").first()
    Workflow.objects.filter(pk=owned.pk).update(owner=admin.person)
    kept(leader_client, live)
    Workflow.objects.filter(pk=owned.pk).update(archived_at=timezone.now(), status="retired")  # deleting it
    response, _ = page(leader_client, live)
    assert any(f.rule == "platform-organised" and admin in f.positions for f in response.context["findings"])
    assert shown(response) == fresh(live)


def test_a_role_or_platform_change_shows_at_once(leader_client, live):
    kept(leader_client, live)
    admin = seat(live, "Marketo Admin")
    platform = admin.platform_expertise.first()
    Platform.objects.filter(pk=platform.pk).update(name="Marketo Engage")
    response, _ = page(leader_client, live)
    assert "Marketo Admin is defined by Marketo Engage;" in response.content.decode()
    kept(leader_client, live)
    Role.objects.filter(positions=admin).update(is_platform_role=False)
    response, _ = page(leader_client, live)
    assert not any(f.rule == "platform-organised" and admin in f.positions for f in response.context["findings"])
    assert shown(response) == fresh(live)


def test_a_write_rolled_back_leaves_the_kept_reading_in_use(leader_client, live):
    before = kept(leader_client, live)
    with transaction.atomic():
        Position.objects.filter(chart=live).update(level="specialist")
        transaction.set_rollback(True)
    _, queries = page(leader_client, live)
    assert not any("workflows_workflow" in sql for sql in queries)  # nothing committed: nothing to compute
    assert shown(before) == fresh(live)


def test_a_transaction_that_wrote_computes_its_own_reading(leader_client, live):
    """Inside a transaction that has written (an htmx save redraws the page in its own transaction), the
    page reads what that transaction wrote, and keeps nothing another request could read."""
    kept(leader_client, live)
    head = seat(live, "Marketing Operations Manager")
    with transaction.atomic():
        Position.objects.filter(pk=head.pk).update(level="coordinator")
        response, queries = page(leader_client, live)
        assert any("workflows_workflow" in sql for sql in queries)
        assert "is at Coordinator level" in response.content.decode()
        transaction.set_rollback(True)
    response, _ = page(leader_client, live)
    assert "is at Coordinator level" not in response.content.decode()
    assert shown(response) == fresh(live)


def test_every_table_the_rules_read_raises_the_version(live):
    """The version is only as good as its triggers: every table read to compute a chart's findings,
    unplaced people and cost (by any registered rule) has them."""
    with CaptureQueriesContext(connection) as queries:
        chart = Chart.objects.get(pk=live.pk)
        chart_findings(chart)
    read = {table for q in queries.captured_queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name = 'findings_written'"
        )
        kept_by_version = {row[0] for row in cursor.fetchall()}
    assert {"roles_position", "roles_person", "workflows_workflow"} <= read
    assert read <= kept_by_version, read - kept_by_version


def test_the_page_works_without_the_cache(leader_client, live):
    """Redis down: the page computes its reading each time, as it would without a cache."""
    unreachable = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with override_settings(CACHES=unreachable, SESSION_ENGINE="django.contrib.sessions.backends.db"):
        leader_client.force_login(make_user("no-cache", "Leaders"))
        response, queries = page(leader_client, live)
        assert any("workflows_workflow" in sql for sql in queries)
        assert shown(response) == fresh(live)
