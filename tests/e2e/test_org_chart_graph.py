"""In real Chromium: the graphical org chart. Boxes top down, dotted lines drawn apart, branches that load
as they open, search by platform expertise, and moving a seat by dragging it or from its menu, through the
same checks as the edit form."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from marops.demo import LIVE_CHART, TARGET_CHART
from roles.models import Chart, Position
from tests.conftest import make_user
from tests.e2e.test_login import log_in
from tests.e2e.test_org_chart import seat, seat_menu
from tests.roles.test_queries import big_chart

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Axe()

BOXES = """() => Array.from(document.querySelectorAll(".oc-seat")).filter(s => s.offsetParent).map(s => {
  const r = s.getBoundingClientRect();
  return {id: s.dataset.positionId, manager: s.dataset.managerId, title: s.querySelector(".oc-title").textContent,
          top: r.top, bottom: r.bottom};
})"""


def manager_title(chart: Chart, title: str) -> str:
    return Position.objects.select_related("reports_to").get(chart=chart, title=title).reports_to.title


def open_chart(page: Page, live_server, username: str, chart_name: str) -> Chart:
    chart = Chart.objects.get(name=chart_name)
    log_in(page, live_server.url, username)
    page.goto(f"{live_server.url}/org/charts/{chart.pk}/")
    page.wait_for_load_state("networkidle")
    return chart


def on_page(locator) -> dict:
    """Where an element is on the page (not in the window, which scrolls)."""
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y + scrollY, width: r.width}; }"
    )


def fit(page: Page) -> None:
    """The whole chart in view, so that a drag's both ends are on screen."""
    page.get_by_role("button", name="Fit to screen").click()


def test_the_chart_is_drawn_top_down_with_dotted_lines_apart(page: Page, live_server, demo):
    chart = open_chart(page, live_server, "cmo", TARGET_CHART)
    boxes = page.evaluate(BOXES)
    assert len(boxes) == chart.positions.count()
    by_id = {box["id"]: box for box in boxes}
    top = [box for box in boxes if box["manager"] == ""]
    assert [box["title"] for box in top] == ["Chief Executive Officer"]
    for box in boxes:
        if box["manager"]:  # each seat below its manager
            assert box["top"] > by_id[box["manager"]]["bottom"], box["title"]
    reports_of_ceo = {box["top"] for box in boxes if box["manager"] == top[0]["id"]}
    assert len(reports_of_ceo) == 1  # siblings side by side, on one line
    # The Data Steward's dotted line to the CDO: drawn dashed, unlike the solid reporting lines.
    steward = seat(page, "Data Steward").get_attribute("data-position-id")
    cdo = seat(page, "Chief Data Officer").get_attribute("data-position-id")
    line = page.locator(f'path.oc-dotted[data-from="{steward}"][data-to="{cdo}"]')
    expect(line).to_have_count(1)
    assert line.evaluate("l => getComputedStyle(l).strokeDasharray") not in ("", "none")
    # Zoom and fit change the drawing's size, not the page's.
    width = page.locator(".oc-stage").evaluate("s => s.getBoundingClientRect().width")
    page.get_by_role("button", name="Zoom out").click()
    assert page.locator(".oc-stage").evaluate("s => s.getBoundingClientRect().width") < width
    page.get_by_role("button", name="Fit to screen").click()
    canvas = page.get_by_test_id("chart-canvas").bounding_box()
    stage = page.locator(".oc-stage").bounding_box()
    assert stage["width"] <= canvas["width"] and stage["height"] <= canvas["height"]


def test_dragging_a_seat_onto_another_moves_it_in_a_scenario_and_refuses_a_cycle(page: Page, live_server, demo):
    chart = open_chart(page, live_server, "leader", TARGET_CHART)
    fit(page)
    message = page.get_by_test_id("chart-message")
    seat(page, "Campaign Coordinator").drag_to(seat(page, "Campaign Manager (Lifecycle)"))
    expect(message).to_have_text("Moved “Campaign Coordinator” under “Campaign Manager (Lifecycle)”.")
    assert manager_title(chart, "Campaign Coordinator") == "Campaign Manager (Lifecycle)"
    lifecycle = seat(page, "Campaign Manager (Lifecycle)").get_attribute("data-position-id")
    expect(seat(page, "Campaign Coordinator")).to_have_attribute("data-manager-id", lifecycle)

    # The Head of MarOps onto one of their own reports: a cycle, refused with the reason; nothing changes.
    seat(page, "Head of Marketing Operations").drag_to(seat(page, "Data Steward"))
    expect(message).to_contain_text("that would make a reporting cycle")
    assert manager_title(chart, "Head of Marketing Operations") == "Chief Marketing Officer"
    # The top seat stays on top.
    seat(page, "Chief Executive Officer").drag_to(seat(page, "Growth Lead"))
    expect(message).to_have_text("The top position of a chart cannot be moved under another.")
    assert Position.objects.get(chart=chart, title="Chief Executive Officer").reports_to is None


def test_a_leader_drags_a_seat_in_the_live_chart(page: Page, live_server, demo):
    chart = open_chart(page, live_server, "leader", LIVE_CHART)
    fit(page)
    seat(page, "Marketing Operations Manager").drag_to(seat(page, "Chief Marketing Officer"))
    expect(page.get_by_test_id("chart-message")).to_contain_text("Moved “Marketing Operations Manager”")
    assert manager_title(chart, "Marketing Operations Manager") == "Chief Marketing Officer"
    # The finding it fixes is gone from the panel beside the chart.
    expect(page.get_by_test_id("findings")).not_to_contain_text("not directly to the CMO")


def test_a_keyboard_user_moves_a_seat_from_its_menu(page: Page, live_server, demo):
    chart = open_chart(page, live_server, "leader", LIVE_CHART)
    button = seat(page, "Analytics Lead").get_by_role("button", name="Actions for Analytics Lead")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Move under…")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Find a seat")).to_be_focused()
    page.keyboard.type("Marketing Operations Manager")  # the list below keeps the seats named so
    select = page.get_by_label("Reports to")
    expect(select.locator("option:checked")).to_have_text("Marketing Operations Manager — Dana Whitfield")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("chart-message")).to_contain_text("Moved “Analytics Lead” under")
    assert manager_title(chart, "Analytics Lead") == "Marketing Operations Manager"
    # A seat's own reports are not offered: moving under them would make a cycle.
    seat_menu(page, "Demand Generation Director", "Move under…")
    options = page.get_by_label("Reports to").locator("option").all_text_contents()
    assert not any(option.startswith(("Campaign Manager", "Marketing Operations Manager")) for option in options)


def test_branches_open_as_they_load_and_close(page: Page, live_server, demo):
    chart = big_chart(400)  # ten reports a seat: the top, 10, 100 drawn; 289 more below
    make_user("l", "Leaders")
    log_in(page, live_server.url, "l")
    branch_requests: list[str] = []
    page.on("request", lambda request: "/branch/" in request.url and branch_requests.append(request.url))
    page.goto(f"{live_server.url}/org/charts/{chart.pk}/")
    expect(page.locator(".oc-seat")).to_have_count(111)
    manager = Position.objects.get(chart=chart, title="Seat 11")
    reports = list(Position.objects.filter(reports_to=manager).values_list("pk", flat=True))
    box = seat(page, "Seat 11")
    toggle = box.get_by_role("button", name="10 reports of Seat 11")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f'.oc-seat[data-manager-id="{manager.pk}"]')).to_have_count(10)
    assert {
        int(pk)
        for pk in page.locator(f'.oc-seat[data-manager-id="{manager.pk}"]').evaluate_all(
            "seats => seats.map(s => s.dataset.positionId)"
        )
    } == set(reports)
    assert len(branch_requests) == 1
    toggle.click()
    expect(page.locator(f'.oc-seat[data-manager-id="{manager.pk}"]').first).to_be_hidden()
    toggle.click()  # opened again from what was loaded
    expect(page.locator(f'.oc-seat[data-manager-id="{manager.pk}"]').first).to_be_visible()
    assert len(branch_requests) == 1
    # Search finds a seat not drawn yet, and the jump opens the branches down to it.
    page.get_by_placeholder("Find a person, role, team or platform").fill("Seat 305")
    page.get_by_role("button", name="Seat 305 — vacancy").click()
    expect(seat(page, "Seat 305")).to_be_visible()
    expect(seat(page, "Seat 305")).to_have_class(re.compile(r"\boc-current\b"))


def test_search_finds_every_seat_with_a_platform_expertise(page: Page, live_server, demo):
    open_chart(page, live_server, "cmo", LIVE_CHART)
    page.get_by_placeholder("Find a person, role, team or platform").fill("marketo")
    results = page.locator("#chart-search-results [data-seat-jump]")
    expect(results).to_have_text(
        [
            "Campaign Manager — Nora Quinn",
            "Marketing Operations Manager — Dana Whitfield",
            "Marketing Operations Specialist — Mia Chen",
            "Marketo Admin — Marco Rossi",
        ]
    )
    expect(page.locator(".oc-seat.oc-match")).to_have_count(4)
    page.get_by_role("button", name="Campaign Manager — Nora Quinn").click()
    expect(seat(page, "Campaign Manager")).to_have_class(re.compile(r"\boc-match oc-current\b"))
    expect(seat(page, "Campaign Manager").get_by_role("button", name="Actions for Campaign Manager")).to_be_focused()


def test_the_layout_stays_as_it_was_after_an_htmx_save(page: Page, live_server, demo):
    open_chart(page, live_server, "leader", LIVE_CHART)
    seat(page, "Content Lead").get_by_role("button", name="1 report of Content Lead").click()  # close a branch
    expect(seat(page, "Content Marketer")).to_be_hidden()
    chart_before = on_page(page.locator(".oc-card"))
    findings_before = on_page(page.get_by_test_id("findings"))
    seat_menu(page, "Growth Lead", "Edit")
    page.locator("#editor").get_by_label("Title").fill("Head of Growth")
    page.locator("#editor").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("chart-message")).to_have_text("Saved “Head of Growth”.")
    expect(seat(page, "Head of Growth")).to_be_visible()
    # The editor's swap settles a moment after the message shows: give the layout that moment.
    page.wait_for_function(
        "w => Math.abs(document.querySelector('.oc-card').getBoundingClientRect().width - w) < 1",
        arg=chart_before["width"],
        timeout=5000,
    )
    chart_after = on_page(page.locator(".oc-card"))
    findings_after = on_page(page.get_by_test_id("findings"))
    assert chart_after["x"] == chart_before["x"] and chart_after["width"] == chart_before["width"]
    # The findings stay beside the chart, level with it (the message above both moves them down alike).
    assert findings_after["x"] == findings_before["x"] > chart_after["x"] + chart_after["width"]
    assert findings_after["y"] - chart_after["y"] == findings_before["y"] - chart_before["y"]
    # The message sits above the chart, not in its column, and the closed branch is still closed.
    assert on_page(page.get_by_test_id("chart-message"))["y"] < chart_after["y"]
    expect(seat(page, "Content Marketer")).to_be_hidden()
    expect(seat(page, "Marketo Admin")).to_be_visible()


def test_an_executive_can_neither_drag_nor_move(page: Page, live_server, demo):
    chart = open_chart(page, live_server, "cmo", LIVE_CHART)
    expect(page.locator(".oc-seat[draggable=true]")).to_have_count(0)
    expect(page.get_by_role("menuitem", name="Move under…")).to_have_count(0)
    head = Position.objects.get(chart=chart, title="Marketing Operations Manager")
    cmo = Position.objects.get(chart=chart, title="Chief Marketing Officer")
    token = page.locator("body").get_attribute("hx-headers").split('"')[3]
    response = page.request.post(
        f"{live_server.url}/org/positions/{head.pk}/move/",
        form={"reports_to": str(cmo.pk)},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status == 403
    assert manager_title(chart, "Marketing Operations Manager") == "Demand Generation Director"


def serious_violations(page: Page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chart_pages_pass_axe_and_keep_to_a_phones_width(page: Page, live_server, demo, width):
    page.set_viewport_size({"width": width, "height": 800})
    chart = open_chart(page, live_server, "leader", TARGET_CHART)
    page.get_by_placeholder("Find a person, role, team or platform").fill("marketo")
    expect(page.get_by_test_id("search-count")).to_be_visible()
    seat_menu(page, "Workflow Architect", "Move under…")
    expect(page.get_by_label("Reports to")).to_be_visible()
    seat(page, "Data Steward").get_by_role("button", name="Actions for Data Steward").click()
    expect(page.get_by_role("menuitem", name="History")).to_be_visible()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{live_server.url}/org/charts/{chart.pk}/?view=outline")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_seat_menu_vacates_a_seat_and_opens_its_history(page: Page, live_server, demo):
    chart = open_chart(page, live_server, "leader", LIVE_CHART)
    seat_menu(page, "Content Marketer", "Vacate")
    expect(page.get_by_test_id("chart-message")).to_contain_text("“Content Marketer” is now a vacancy")
    expect(seat(page, "Content Marketer")).to_contain_text("Vacancy")
    assert Position.objects.get(chart=chart, title="Content Marketer").person is None
    seat(page, "Content Marketer").get_by_role("button", name="Actions for Content Marketer").click()
    expect(page.get_by_role("menuitem", name="Vacate")).to_be_hidden()  # nobody left to unseat
    page.get_by_role("menuitem", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Content Marketer")
