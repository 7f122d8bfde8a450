"""What made the chart page and its branches faster must not change what they show or do: the seat
boxes written in Python (roles/templatetags/orgchart.py) escape every value and draw the same markup as
the template did; seats read as rows (selectors._positions_with_people) are whole model instances that
save, validate and compare like any other; the report counts are right; the rules find the same holders."""

import pytest
from django.urls import reverse

from roles.models import Chart, Person, Position, PositionRole, Role
from roles.rules import chart_facts, chart_findings
from roles.selectors import chart_positions, position_reports
from roles.services import PositionData, position_save
from tests.conftest import make_user
from tests.factories import PlatformFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def branch_html(client, manager: Position, group: str = "Leaders") -> str:
    client.force_login(make_user(group.lower(), group))
    response = client.get(reverse("roles:position-branch", args=[manager.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hostile(db):
    """A branch whose every shown value holds HTML: a seat's title, its person, role, platform and the
    title of the seat its dotted line leads to."""
    chart = Chart.objects.create(name="Hostile")
    top = Position.objects.create(chart=chart, key="top", title="Top", team="executive", level="c_level")
    person = Person.objects.create(name="Zoë O'Brien <script>", email="zoe@example.com")
    other = Position.objects.create(
        chart=chart, key="o", title='Ops & "Data" <i>', team="marops", level="manager", reports_to=top
    )
    seat = Position.objects.create(
        chart=chart, key="s", title="R&D <b>lead</b>", team="marops", level="director", reports_to=top, person=person
    )
    seat.dotted_lines.add(other)
    role = Role.objects.create(key="x-role", name="Analyst <em>&</em>", team="marops", band_min=1, band_max=2)
    PositionRole.objects.create(position=seat, role=role)
    seat.platform_expertise.add(PlatformFactory(name="Tool <u>1</u>"))
    return top, seat, other


def test_every_value_in_a_seat_box_is_escaped(client, hostile):
    top, seat, other = hostile
    html = branch_html(client, top)
    for raw in ("<b>lead</b>", "<script>", "<em>", "<u>1</u>", "<i>"):
        assert raw not in html
    assert "R&amp;D &lt;b&gt;lead&lt;/b&gt;" in html
    assert "Zoë O&#x27;Brien &lt;script&gt;" in html
    assert '<span class="badge">Analyst &lt;em&gt;&amp;&lt;/em&gt;</span>' in html
    assert "Expertise: Tool &lt;u&gt;1&lt;/u&gt;" in html
    assert "⋯ dotted line to Ops &amp; &quot;Data&quot; &lt;i&gt;</span>" in html


def test_a_seat_box_is_drawn_exactly_as_the_template_drew_it(client, hostile):
    top, seat, other = hostile
    html = branch_html(client, top)
    box = html[html.index(f'<div class="oc-seat oc-team-marops" id="seat-{seat.pk}"') :]
    box = box[: box.index("</li>") + len("</li>")]
    assert box == (
        f'<div class="oc-seat oc-team-marops" id="seat-{seat.pk}" data-testid="seat" data-position-id="{seat.pk}" '
        f'data-manager-id="{top.pk}" data-dotted="{other.pk}" data-person="1" draggable="true">\n'
        '<span class="oc-avatar" aria-hidden="true">ZO</span>\n'
        '<span class="oc-text"><strong class="oc-title">R&amp;D &lt;b&gt;lead&lt;/b&gt;</strong>\n'
        '<span class="oc-person">Zoë O&#x27;Brien &lt;script&gt;</span>\n'
        '<span class="oc-meta">Director · <span class="oc-team">MarOps</span></span></span>\n'
        '<span class="oc-roles"><span class="badge">Analyst &lt;em&gt;&amp;&lt;/em&gt;</span></span>\n'
        '<span class="oc-meta">Expertise: Tool &lt;u&gt;1&lt;/u&gt;</span>\n'
        '<span class="oc-meta oc-dotted-note" data-testid="dotted-line">⋯ dotted line to Ops &amp; &quot;Data&quot; '
        "&lt;i&gt;</span>\n"
        '<span class="oc-actions"><button type="button" class="oc-menu-button" aria-haspopup="menu" '
        'aria-expanded="false">Actions<span class="sr-only"> for R&amp;D &lt;b&gt;lead&lt;/b&gt;</span></button>'
        "</span>\n</div>\n</li>"
    )
    # A vacancy with one report of its own, as an Executive (nothing to drag) sees it.
    Position.objects.create(
        chart=top.chart, key="r", title="Report", team="marops", level="specialist", reports_to=other
    )
    html = branch_html(client, top, "Executives")
    box = html[html.index(f'id="seat-{other.pk}"') - len('<div class="oc-seat oc-team-marops oc-vacancy" ') :]
    assert box.startswith(
        f'<div class="oc-seat oc-team-marops oc-vacancy" id="seat-{other.pk}" data-testid="seat" '
        f'data-position-id="{other.pk}" data-manager-id="{top.pk}">\n'
        '<span class="oc-avatar" aria-hidden="true">?</span>'
    )
    assert '<span class="oc-person">Vacancy — hire or promote</span>' in box
    assert (
        f'<button type="button" class="oc-toggle" aria-expanded="false" aria-controls="reports-{other.pk}">1 report'
        f'<span class="sr-only"> of Ops &amp; &quot;Data&quot; &lt;i&gt;</span></button>'
    ) in box
    assert f'<ul class="oc-reports" id="reports-{other.pk}" hidden></ul></li>' in box


def test_a_branch_counts_each_seats_reports(db):
    chart = Chart.objects.create(name="Counts")
    top = Position.objects.create(chart=chart, key="top", title="Top", team="executive", level="c_level")
    heads = {
        n: Position.objects.create(
            chart=chart, key=f"h{n}", title=f"Head {n}", team="marops", level="vp", reports_to=top
        )
        for n in (0, 1, 3)
    }
    for n, head in heads.items():
        for i in range(n):
            Position.objects.create(
                chart=chart, key=f"h{n}r{i}", title=f"R{n}.{i}", team="marops", level="manager", reports_to=head
            )
    assert {seat.position.title: seat.report_count for seat in position_reports(top)} == {
        "Head 0": 0,
        "Head 1": 1,
        "Head 3": 3,
    }


def test_seats_read_as_rows_are_whole_positions_that_save_and_validate(db):
    chart = Chart.objects.create(name="Rows")
    person = Person.objects.create(name="Ada Lovelace", email="ada@example.com")
    top = Position.objects.create(chart=chart, key="top", title="Top", team="executive", level="c_level", person=person)
    read = {p.pk: p for p in chart_positions(chart)}[top.pk]
    assert read == top and read.person == person and read.chart == chart
    assert not read._state.adding and read._state.db == "default"
    assert read.get_level_display() == top.get_level_display() and read.person.name == "Ada Lovelace"
    read.full_clean()  # not mistaken for a new seat clashing with itself
    data = PositionData(
        title="Chief", team="executive", level="c_level", roles=[Role.objects.order_by("key").first()], person=person
    )
    position_save(chart=chart, data=data, position=read)
    top.refresh_from_db()
    assert top.title == "Chief" and Position.objects.filter(chart=chart).count() == 1


def test_the_rules_find_each_role_holder_in_chart_order(demo):
    live = Chart.objects.get(status="live")
    positions = chart_positions(live)
    facts = chart_facts(live, positions)
    for key in {role.key for position in positions for role in position.role_list()}:
        assert facts.holding(key) == [p for p in positions if key in {r.key for r in p.role_list()}]
    assert facts.holding("no-such-role") == []
    facts.holding("cmo").clear()  # a rule changing its list changes nothing for the next rule
    assert facts.holding("cmo") and chart_findings(live) == chart_findings(live, positions)
