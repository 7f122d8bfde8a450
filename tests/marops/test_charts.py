"""The dashboard's bar charts: markup from a template with autoescaping, colours from the stylesheet."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from django.conf import settings

from marops.charts import bar_chart

NASTY = 'Owner "><script>alert(1)</script> & Co'
PALETTE = Path(settings.BASE_DIR, "static/css/palette.css").read_text()
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?\b")


def test_a_label_and_a_link_are_escaped_and_the_svg_stays_well_formed():
    svg = bar_chart([(NASTY, 3, '/x/?a=1&b="2"'), ("Nobody named", 1, None)], title=f"By {NASTY}", series="owners")

    assert "<script" not in svg and "&amp; Co" in svg and "&quot;&gt;&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # raises if a quote or an ampersand broke out of its attribute
    assert root.get("aria-label") == f"By {NASTY}" and root.find("title").text == f"By {NASTY}"
    link = root.find("a")
    assert link.get("href") == '/x/?a=1&b="2"'
    assert link.find("title").text == f"{NASTY}: 3"
    assert link.find("text[@class='label']").text == 'Owner "><script>alert(1…'  # cut at 24, whole on hover
    assert root.find("g/title").text == "Nobody named: 1"  # no link: no one screen lists it
    assert not root.findall(".//script")


def test_an_empty_chart_says_so_escaped():
    assert bar_chart([], title=NASTY, series="flags").strip() == (
        '<p class="muted small">No data for owner &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; co.</p>'
    )


def test_python_names_the_series_and_the_stylesheet_colours_it():
    svg = bar_chart([("Critical", 2, "/")], title="Incidents by severity", series="severity")
    assert 'class="bar bar-severity"' in svg and not HEX_COLOUR.search(svg)
    views = Path(settings.BASE_DIR, "marops/views.py").read_text()
    series = re.findall(r'series="([\w-]+)"', views)
    assert sorted(series) == ["cause", "flags", "modes", "owners", "severity"]
    for name in series:  # each series the dashboard draws has its colour, from a palette variable
        assert re.search(rf"\.bar-chart \.bar-{name} {{ fill: var\(--[\w-]+\); }}", PALETTE), name


def test_no_python_file_and_no_chart_template_names_a_colour():
    """The palette's one source is static/css/palette.css; Python names series and classes."""
    base = Path(settings.BASE_DIR)
    files = [p for app in ("marops", "roles", "workflows", "governance", "core") for p in (base / app).rglob("*.py")]
    files += [base / "templates/components/bar_chart.svg", base / "templates/roles/chart.svg"]
    found = [f"{p.relative_to(base)}: {m}" for p in files for m in HEX_COLOUR.findall(p.read_text())]
    assert found == []
