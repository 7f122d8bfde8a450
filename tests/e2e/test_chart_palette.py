"""In real Chromium: the charts take their colours from the palette, on the dashboard and in the download."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

from tests.e2e.test_login import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PALETTE = Path(settings.BASE_DIR, "static/css/palette.css").read_text()

VARIABLE_FILL = """([selector, variable]) => {
  const probe = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  probe.style.fill = `var(${variable})`;
  document.querySelector("svg").append(probe);
  const expected = getComputedStyle(probe).fill;
  probe.remove();
  return [getComputedStyle(document.querySelector(selector)).fill, expected];
}"""


def test_each_bar_chart_is_drawn_in_its_series_colour(page: Page, live_server, demo):
    log_in(page, live_server.url, "cmo")
    page.goto(live_server.url + "/dashboard/?period=365")
    for series, variable in [
        ("flags", "--accent"),
        ("severity", "--alert"),
        ("cause", "--warn"),
        ("owners", "--core"),
        ("modes", "--ok"),
    ]:
        fill, expected = page.evaluate(VARIABLE_FILL, [f".bar-chart .bar-{series}", variable])
        assert fill == expected and fill != "rgb(0, 0, 0)", series


def rgb(variable: str) -> str:
    """A palette variable's value as the browser reports a computed colour."""
    value = re.search(rf"{variable}: #(\w{{6}});", PALETTE)[1]
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def test_the_downloaded_chart_has_its_colours_on_its_own(page: Page, live_server, demo, tmp_path):
    log_in(page, live_server.url, "leader")
    page.goto(live_server.url + "/org/")
    href = page.locator("a[href$='/chart.svg']").first.get_attribute("href")
    image = tmp_path / "chart.svg"
    image.write_bytes(page.request.get(live_server.url + href).body())
    page.goto(image.as_uri())  # as an image viewer opens it: no site stylesheet
    colours = page.evaluate(
        """[".seat:not(.vacancy)", ".seat.vacancy", ".reports-to"].map(s => {
             const style = getComputedStyle(document.querySelector(s));
             return [style.fill, style.stroke];
           })"""
    )
    assert colours == [
        [rgb("--card"), rgb("--muted")],
        [rgb("--vacancy"), rgb("--muted")],
        ["none", rgb("--connector")],
    ]
