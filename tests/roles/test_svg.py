"""The chart as an SVG image: markup from a template with autoescaping, colours inlined from the palette."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from roles.selectors import chart_tree
from roles.svg import chart_svg, palette_css
from tests.factories import ChartFactory, PersonFactory, PositionFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
NASTY = 'Head "><script>alert(1)</script> & Co'


def test_names_are_escaped_and_the_svg_stays_well_formed():
    chart = ChartFactory(name=f"Plan {NASTY}")
    head = PositionFactory(chart=chart, title=NASTY, person=PersonFactory(name='Smith & "Jones"'))
    vacancy = PositionFactory(chart=chart, title="Analyst", reports_to=head)
    vacancy.dotted_lines.add(head)

    svg = chart_svg(chart_tree(chart), chart.name)

    assert "<script" not in svg
    root = ET.fromstring(svg)  # raises if a quote or an ampersand broke out
    assert not root.findall(f".//{SVG}script")
    assert root.find(f"{SVG}text").text == f"Plan {NASTY}"
    boxes = root.findall(f"{SVG}g")
    assert [box.find(f"{SVG}title").text for box in boxes] == [
        f'{NASTY} — Smith & "Jones"',
        "Analyst — vacancy — hire or promote",
    ]
    assert boxes[0].find(f"{SVG}text").text == 'Head "><script>alert(1)<…'  # clipped to the box
    assert [box.find(f"{SVG}rect").get("class") for box in boxes] == ["seat", "seat vacancy"]
    assert len(root.findall(f"{SVG}path[@class='reports-to']")) == 1
    assert len(root.findall(f"{SVG}line[@class='dotted-line']")) == 1


def test_an_empty_chart_is_well_formed_and_escaped():
    root = ET.fromstring(chart_svg([], NASTY))
    assert root.find(f"{SVG}text").text == f"{NASTY}: no positions"


def test_the_image_carries_the_sites_palette_with_its_values_filled_in():
    """Opened on its own, away from the site; many SVG viewers know classes but not custom properties."""
    palette = Path(settings.BASE_DIR, "static/css/palette.css").read_text()
    connector = re.search(r"--connector: (#\w+);", palette)[1]
    chart = ChartFactory()
    PositionFactory(chart=chart)

    style = ET.fromstring(chart_svg(chart_tree(chart), chart.name)).find(f"{SVG}style").text

    assert style == palette_css() and "var(" not in style
    assert f".org-chart .reports-to {{ fill: none; stroke: {connector}; }}" in style
