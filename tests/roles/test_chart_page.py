"""The graphical chart over HTTP: what the first load draws (and weighs), branches loaded as they open,
search by platform expertise, and moving a seat through the same checks as the edit form."""

import json

import pytest
from django.urls import reverse

from roles.models import Chart, Position, PositionRole, Role
from roles.services import chart_adopt, chart_clone
from tests.conftest import make_user
from tests.roles.test_queries import big_chart

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def live(demo):
    return Chart.objects.get(status="live")


def seat(chart, title):
    return Position.objects.get(chart=chart, title=title)


def wide_chart(reports: int) -> Chart:
    """A top seat with `reports` reports, each with a role and a dotted line to the first."""
    chart = Chart.objects.create(name=f"Wide {reports}")
    role = Role.objects.order_by("key").first()
    top = Position.objects.create(chart=chart, title="Top", team="executive", level="c_level")
    made = Position.objects.bulk_create(
        Position(chart=chart, key=f"w{i}", title=f"Seat {i}", team="marops", level="specialist", reports_to=top)
        for i in range(reports)
    )
    PositionRole.objects.bulk_create(PositionRole(position=p, role=role) for p in [top, *made])
    Position.dotted_lines.through.objects.bulk_create(
        Position.dotted_lines.through(from_position=p, to_position=made[0]) for p in made[1:]
    )
    return chart


def move(client, position, under, **headers):
    return client.post(reverse("roles:position-move", args=[position.pk]), {"reports_to": under.pk}, **headers)


def test_every_seat_box_names_itself_and_its_manager(client, live):
    client.force_login(make_user("e", "Executives"))
    html = client.get(reverse("roles:live-chart")).content.decode()
    top, marketo = seat(live, "Chief Executive Officer"), seat(live, "Marketo Admin")
    assert f'data-position-id="{top.pk}" data-manager-id=""' in html
    assert f'data-position-id="{marketo.pk}" data-manager-id="{marketo.reports_to_id}"' in html
    assert html.count('data-testid="seat"') == live.positions.count()  # a small chart opens whole
    # Each seat a finding involves is listed for the boxes, with the way down to it.
    data = html.split('<script id="seat-findings" type="application/json">')[1].split("</script>")[0]
    findings = json.loads(data)
    assert findings[str(marketo.pk)]["rules"] == [["platform-organised", "medium"]]
    assert findings[str(marketo.pk)]["path"][0] == top.pk and findings[str(marketo.pk)]["path"][-1] == marketo.pk


@pytest.mark.parametrize("size", [20, 2000])
def test_the_chart_page_takes_the_same_queries_whatever_the_size(client, django_assert_max_num_queries, size, db):
    chart = big_chart(size, status="live")
    client.force_login(make_user("l", "Leaders"))
    client.get(reverse("roles:chart-detail", args=[chart.pk]))  # the session and permissions settle
    # Session, user, permissions (one query), chart, seats, roles, expertise, dotted lines, unplaced, owners.
    # A reading kept from an earlier request saves the last two (tests/roles/test_chart_reading.py); this
    # test's transaction wrote, so it keeps none.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("roles:chart-detail", args=[chart.pk]))
    assert response.status_code == 200


def test_a_2000_seat_chart_opens_small_and_collapsed_below_its_top_levels(client, db):
    chart = big_chart(2000, status="live")
    client.force_login(make_user("l", "Leaders"))
    response = client.get(reverse("roles:chart-detail", args=[chart.pk]))
    html = response.content.decode()
    assert len(response.content) < 400_000, len(response.content)
    assert html.count('data-testid="seat"') == 111  # the top, its 10 reports and their 100
    assert html.count('aria-expanded="false"') >= 100  # each drawn with its branch closed
    assert "2000 positions" in html


@pytest.mark.parametrize("reports", [10, 200])
def test_a_branch_loads_a_seats_reports_in_the_same_queries_whatever_their_number(
    client, django_assert_max_num_queries, reports, db
):
    chart = wide_chart(reports)
    top = Position.objects.get(chart=chart, reports_to=None)
    client.force_login(make_user("e", "Executives"))
    client.get(reverse("roles:position-branch", args=[top.pk]))
    # Session, user, permissions (one query), the seat with its reports, their roles, expertise, dotted lines.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("roles:position-branch", args=[top.pk]), **HTMX)
    html = response.content.decode()
    assert html.count('data-testid="seat"') == reports
    assert html.count(f'data-manager-id="{top.pk}"') == reports
    assert "draggable" not in html  # an Executive moves nothing


def test_a_branch_of_a_former_live_chart_is_drawn_read_only_and_a_missing_seat_is_not_found(client, live):
    scenario = chart_clone(chart=live, name="Next year")
    chart_adopt(chart=scenario)  # the old live chart is now history: read-only
    live.refresh_from_db()
    client.force_login(make_user("l", "Leaders"))
    top = seat(live, "Chief Executive Officer")
    response = client.get(reverse("roles:position-branch", args=[top.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(f'data-manager-id="{top.pk}"') == top.reports.count() > 0
    assert "draggable" not in html
    current = seat(scenario, "Chief Executive Officer")  # the adopted chart, live now: a Leader may drag
    assert (
        'draggable="true"' in client.get(reverse("roles:position-branch", args=[current.pk]), **HTMX).content.decode()
    )
    missing = client.get(reverse("roles:position-branch", args=[Position.objects.order_by("-pk")[0].pk + 1]), **HTMX)
    assert missing.status_code == 404


def test_search_finds_seats_by_platform_expertise_team_and_person(client, live):
    client.force_login(make_user("e", "Executives"))

    def found(text):
        html = client.get(reverse("roles:chart-search", args=[live.pk]), {"q": text}).content.decode()
        return [title for title in Position.objects.filter(chart=live).values_list("title", flat=True) if
                f">{title} — " in html]  # fmt: skip

    assert sorted(found("marketo")) == [
        "Campaign Manager",
        "Marketing Operations Manager",
        "Marketing Operations Specialist",
        "Marketo Admin",
    ]
    assert sorted(found("Sales OPS")) == ["Salesforce Admin"]
    assert found("nora") == ["Campaign Manager"]
    assert found("  ") == []
    html = client.get(reverse("roles:chart-search", args=[live.pk]), {"q": "marco"}).content.decode()
    admin = seat(live, "Marketo Admin")
    path = [admin.pk]
    while path[0] != seat(live, "Chief Executive Officer").pk:
        path.insert(0, Position.objects.get(pk=path[0]).reports_to_id)
    assert f'data-path="{" ".join(map(str, path))}"' in html


def test_a_leader_moves_a_seat_and_htmx_redraws_the_chart_around_it(client, live):
    client.force_login(make_user("l", "Leaders"))
    head, cmo = seat(live, "Marketing Operations Manager"), seat(live, "Chief Marketing Officer")
    response = move(client, head, cmo, HTTP_X_CHART_OPEN="", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert seat(live, "Marketing Operations Manager").reports_to == cmo
    assert "Moved “Marketing Operations Manager” under “Chief Marketing Officer”." in html
    assert 'id="chart-status" hx-swap-oob="innerHTML"' in html  # the message beside the chart, not in it
    # Nothing was open but the seat moved: the branches down to it are drawn, the rest stays closed.
    assert f'data-position-id="{head.pk}"' in html
    assert f'data-position-id="{seat(live, "Content Marketer").pk}"' not in html
    assert "not directly to the CMO" not in html


@pytest.mark.parametrize(
    ("title", "under", "reason"),
    [
        ("Demand Generation Director", "Marketo Admin", "that would make a reporting cycle"),
        ("Chief Executive Officer", "Growth Lead", "The top position of a chart cannot be moved under another."),
        ("Growth Lead", "Growth Lead", "A position cannot report to itself."),
    ],
)
def test_a_move_the_edit_form_would_refuse_is_refused_with_its_reason_and_changes_nothing(
    client, live, title, under, reason
):
    client.force_login(make_user("l", "Leaders"))
    position = seat(live, title)
    before = list(Position.objects.filter(chart=live).order_by("pk").values_list("pk", "reports_to_id"))
    response = move(client, position, seat(live, under), **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#chart-status" and reason in response.content.decode()
    page = move(client, position, seat(live, under))  # without JavaScript: the page, with the move form
    assert page.status_code == 422 and reason in page.content.decode() and 'name="reports_to"' in page.content.decode()
    assert list(Position.objects.filter(chart=live).order_by("pk").values_list("pk", "reports_to_id")) == before


def test_a_move_into_another_chart_or_nowhere_is_refused(client, live):
    client.force_login(make_user("l", "Leaders"))
    scenario = chart_clone(chart=live, name="Elsewhere")
    growth = seat(live, "Growth Lead")
    response = move(client, growth, seat(scenario, "Chief Marketing Officer"), **HTMX)
    assert response.status_code == 422 and "same chart" in response.content.decode()
    response = client.post(reverse("roles:position-move", args=[growth.pk]), {"reports_to": "x"}, **HTMX)
    assert response.status_code == 422 and "Reports to: choose the seat" in response.content.decode()
    assert seat(live, "Growth Lead").reports_to == seat(live, "Chief Marketing Officer")


def test_a_former_live_chart_is_read_only_to_moves(client, live):
    scenario = chart_clone(chart=live, name="Next")
    chart_adopt(chart=scenario)  # the demo's live chart is now history
    client.force_login(make_user("l", "Leaders"))
    html = client.get(reverse("roles:chart-detail", args=[live.pk])).content.decode()
    assert "draggable" not in html and "Move under…" not in html
    growth = seat(live, "Growth Lead")
    response = move(client, growth, seat(live, "Chief Executive Officer"), **HTMX)
    assert response.status_code == 422 and "kept read-only as history" in response.content.decode()
    assert seat(live, "Growth Lead").reports_to == seat(live, "Chief Marketing Officer")


@pytest.mark.parametrize("group", ["Executives", "MarOps staff"])
def test_only_leaders_move_seats(client, live, group):
    client.force_login(make_user("u", group))
    growth = seat(live, "Growth Lead")
    assert move(client, growth, seat(live, "Chief Executive Officer"), **HTMX).status_code == 403
    assert client.get(reverse("roles:position-move", args=[growth.pk])).status_code == 403
    assert seat(live, "Growth Lead").reports_to == seat(live, "Chief Marketing Officer")


def test_the_move_form_offers_every_seat_but_the_branch_itself(client, live):
    client.force_login(make_user("l", "Leaders"))
    director = seat(live, "Demand Generation Director")
    html = client.get(reverse("roles:position-move", args=[director.pk]), **HTMX).content.decode()
    assert html.lstrip().startswith("<aside") and 'name="reports_to"' in html
    for below in ["Demand Generation Director", "Campaign Manager", "Marketo Admin", "Analytics Lead"]:
        assert f'value="{seat(live, below).pk}"' not in html
    assert f'value="{seat(live, "Chief Marketing Officer").pk}" selected' in html


def test_the_outline_lists_every_seat_and_an_htmx_save_keeps_it(client, live):
    client.force_login(make_user("l", "Leaders"))
    html = client.get(reverse("roles:live-chart"), {"view": "outline"}).content.decode()
    assert html.count('data-testid="position"') == live.positions.count() and 'data-testid="seat"' not in html
    growth = seat(live, "Growth Lead")
    outline = {"HTTP_HX_CURRENT_URL": "http://testserver/org/?view=outline"}
    html = move(client, growth, seat(live, "Chief Executive Officer"), **HTMX, **outline).content.decode()
    assert html.count('data-testid="position"') == live.positions.count()
