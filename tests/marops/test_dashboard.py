"""The CMO's dashboard: the figures, the plan the Leader sets, and a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.services import incident_create
from marops.dashboard import dashboard
from marops.models import MigrationPlan
from tests.conftest import make_user
from tests.factories import AgentFactory, StepFactory, UserFactory, WorkflowFactory, marops_person

pytestmark = pytest.mark.django_db


def test_the_demo_figures(demo):
    board = dashboard(period_days=90)
    assert (board.test_passed, board.test_total) == (2, 6)  # the 2022 chart: owners outside MarOps fail
    reasons = {(step.workflow.name, step.name): result.reason for step, result in board.test_failures_shown}
    assert len(reasons) == 4 and reasons[("Event follow-up", "Draft personalised follow-up")] == (
        "The workflow “Event follow-up” has no owner."
    )
    assert reasons[("Lead routing", "Route to sales owner")] == (
        "The owner of “Lead routing”, Tom Nguyen, holds no MarOps seat in the live chart."
    )
    assert board.workflows | {} == board.workflows and board.workflows["total"] == 7
    assert (board.workflows["owned"], board.workflows["critical"], board.workflows["critical_marops"]) == (6, 5, 2)
    assert board.incidents["total"] == 5 and board.incidents["overdue"] == 1
    assert board.median_resolve == datetime.timedelta(days=4)
    # Who is accountable now: the reviews' owners (Tom was named by the resolved review), else nobody.
    assert {bar.label: bar.n for bar in board.by_owner} == {"Nobody named": 3, "Priya Shah": 1, "Tom Nguyen": 1}
    assert [s.title for s in board.plan_steps] == [
        "Map workflows, not platforms",
        "Assign workflow owners",
        "Add the missing roles",
    ]
    assert [(s.done, s.total) for s in board.plan_steps] == [(7, 7), (2, 5), (1, 4)]
    assert {f.rule for f in board.findings} >= {"head-reports-to-cmo", "missing-role", "hiring-order"}
    assert board.target.name == "Halcyon — 2026 target"
    assert board.target_cost.total.low - board.live_cost.total.low == 81_000
    assert board.modes == {"human": 13, "ai_assisted": 6, "ai_autonomous": 6}
    assert [a.name for a in board.paused_agents] == ["Send-Time Optimiser"]


def test_every_group_reads_it_and_only_leaders_set_the_plan(client, demo):
    for group in ["Executives", "MarOps staff"]:
        client.force_login(make_user(f"u-{group}", group))
        page = client.get(reverse("dashboard")).content.decode()
        assert "The move to 2026" in page and "Save the plan" not in page
        assert client.post(reverse("plan-update"), {}).status_code == 403
    client.force_login(make_user("l", "Leaders"))
    plan = MigrationPlan.objects.get()
    start = timezone.localdate()
    data = {
        "started_on": start,
        "target_chart": plan.target_chart_id,
        "map_workflows_by": start + datetime.timedelta(days=60),
        "assign_owners_by": start + datetime.timedelta(days=120),
        "add_roles_by": start + datetime.timedelta(days=400),
    }
    page = client.post(reverse("plan-update"), data, follow=True).content.decode()
    assert "The move takes 6–12 months" in page
    assert MigrationPlan.objects.get().add_roles_by != data["add_roles_by"]
    client.post(reverse("plan-update"), data | {"add_roles_by": start + datetime.timedelta(days=300)})
    assert MigrationPlan.objects.get().add_roles_by == start + datetime.timedelta(days=300)


@pytest.mark.postgres
def test_the_dashboard_takes_at_most_15_queries_whatever_the_size(client, demo, django_assert_max_num_queries):
    client.force_login(make_user("e", "Executives"))
    reporter = UserFactory()
    for i in range(40):
        step = StepFactory(workflow=WorkflowFactory(owner=None, is_critical=i % 4 == 0))
        incident_create(
            reporter=reporter,
            agent=step.agent,
            step=step,
            summary=f"Incident {i}",
            description="x",
            severity="high",
            occurred_at=timezone.now(),
        )
    with django_assert_max_num_queries(15):
        response = client.get(reverse("dashboard"), {"period": "30"})
    assert response.status_code == 200
    assert "<svg" in response.content.decode() and "cdn" not in response.content.decode().lower()


def test_at_scale_the_page_summarises_and_links_to_the_rest(client, demo):
    """A CMO reads one page: the top owners (nobody-named always shown), ten findings and ten paused
    agents, each with how many more there are and where."""
    reporter = UserFactory()
    for i in range(16):  # ten owners with 2 or 3 incidents, six with 1
        step = StepFactory(workflow=WorkflowFactory(owner=marops_person(name=f"Owner {i:02}")))
        for _ in range(1 + i % 3):
            incident_create(
                reporter=reporter,
                agent=step.agent,
                step=step,
                summary="x",
                description="x",
                severity="low",
                occurred_at=timezone.now(),
            )
    for i in range(12):
        AgentFactory(name=f"Paused {i:02}", status="paused")
    board = dashboard(period_days=30)
    labels = [bar.label for bar in board.by_owner]
    assert len(labels) == 12 and "Nobody named" in labels and labels[-1].endswith("other owners")
    named = [bar.n for bar in board.by_owner[:-1] if bar.label != "Nobody named"]
    assert named == sorted(named, reverse=True) and min(named) >= 2  # the busiest owners get the bars
    assert sum(bar.n for bar in board.by_owner) == board.incidents["total"]
    board.findings = board.findings * 5
    assert len(board.findings_shown) == 10 and board.findings_more == len(board.findings) - 10

    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("dashboard"), {"period": "30"}).content.decode()
    assert "Paused 09</a> and 3 more." in page  # Paused 00–09 named; Paused 10, 11 and Send-Time Optimiser not
    others = page.index("other owners: ")
    assert page.rfind("<g><title>", 0, others) > page.rfind("<a href", 0, others)  # no one list shows them: no link


def test_a_bar_chart_cuts_long_labels_and_names_them_whole_on_hover():
    from marops.charts import bar_chart

    svg = bar_chart(
        [
            ("Buyer-facing AI step with no single accountable person", 3, "/workflows/flags/"),
            ("Owner inactive", 0, "/"),
        ],
        title="Open flags",
        series="flags",
    )
    assert "Buyer-facing AI step wi…</text>" in svg
    assert "<title>Buyer-facing AI step with no single accountable person: 3</title>" in svg
    assert '<a href="/workflows/flags/">' in svg and 'width="0"' in svg  # a zero bar stays a zero bar


def test_eleven_owners_each_keep_their_own_bar():
    from governance.selectors import Bar, _top_owners

    rows = [Bar(f"Owner {i}", 20 - i, {"owner": i + 1}) for i in range(11)] + [
        Bar("Nobody named", 1, {"owner": "none"})
    ]
    assert _top_owners(rows) == rows
    twelve = rows + [Bar("Owner 11", 1, {"owner": 12})]
    assert _top_owners(twelve)[-1] == Bar("2 other owners", 10 + 1, {})  # Owner 10 and Owner 11


def test_a_bar_chart_leaves_room_for_its_largest_value():
    from marops.charts import BAR_W, DIGIT_W, LABEL_W, bar_chart

    svg = bar_chart([("Open flags", 46_526, "/workflows/flags/")], title="Open flags", series="flags")
    assert f'viewBox="0 0 {LABEL_W + BAR_W + 8 + 5 * DIGIT_W} ' in svg


def test_the_bench_settings_refuse_to_load_outside_make_bench(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("MAROPS_BENCH", raising=False)
    sys.modules.pop("bench.settings", None)
    with pytest.raises(ImproperlyConfigured, match="only make bench"):
        importlib.import_module("bench.settings")


def test_each_incident_bar_opens_the_incidents_it_counts(client, demo):
    """The CMO clicks a bar and reads exactly the incidents behind it, over the same period."""
    import re
    from html import unescape

    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("dashboard"), {"period": "90"}).content.decode()
    board = dashboard(period_days=90)
    bars = re.findall(r'<a href="([^"]+)"><title>([^<]+): (\d+)</title>', page)
    incident_bars = [(unescape(url), label, int(n)) for url, label, n in bars if "/governance/incidents/" in url]
    assert len(incident_bars) == 4 + len(board.by_root_cause) + len(board.by_owner)
    for url, label, n in incident_bars:
        log = client.get(url).content.decode()
        assert f"{n} incident{'s' if n != 1 else ''}</span>" in log, (label, url)
        assert "days=90" in url and 'data-testid="incident-filters"' in log
    tom = next(url for url, label, _ in incident_bars if label == "Tom Nguyen")
    assert "accountable: Tom Nguyen" in client.get(tom).content.decode()
    flag_bars = [unescape(url) for url, _, _ in bars if "/workflows/flags/" in url]
    assert len(flag_bars) == len(board.flags)
    for url, flag in zip(flag_bars, board.flags, strict=True):
        assert url.endswith(f"?kind={flag['kind']}")
        assert client.get(url).content.decode().count('data-testid="flag"') == flag["n"]
    # Links are typed by hand too: a wrong value is ignored, never a 500.
    for junk in ({"severity": "huge"}, {"owner": "abc"}, {"cause": "x"}, {"days": "99999999999999999999"}):
        assert client.get(reverse("governance:incident-list"), junk).status_code == 200
