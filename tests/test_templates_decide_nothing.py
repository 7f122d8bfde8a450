"""Templates show, models and choices decide (issue 11): no template compares a model's field with a
string literal. A status, kind or mode decision is a property or a choice (`agent.is_paused`,
`flag.remedy`, `review.is_resolved`), so every screen shows the same answer and a test can check it."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# `something.attr == "text"` or `"text" != something.attr`, with filters allowed in between.
COMPARISON = re.compile(
    r"""(?P<attr>\w+(?:\.\w+)+)(?:\|[\w:"']+)*\s*[!=]=\s*["']"""
    r"""|["'](?:\|[\w:"']+)*\s*[!=]=\s*(?P<attr_after>\w+(?:\.\w+)+)"""
)
# Form fields being laid out are not model state: their widget and name choose the markup.
ALLOWED = {"field.widget_type", "field.name"}


def comparisons(source: str) -> list[str]:
    found = []
    for tag in re.findall(r"{%.*?%}", source, flags=re.DOTALL):
        for match in COMPARISON.finditer(tag):
            attr = match["attr"] or match["attr_after"]
            if attr not in ALLOWED:
                found.append(tag)
    return found


def test_no_template_compares_a_model_attribute_with_a_string():
    offences = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := comparisons(path.read_text()))
    }
    assert offences == {}, "Give the model a property (or the view a flag) instead of comparing strings"


def test_the_check_sees_what_it_forbids_and_spares_form_fields():
    assert comparisons('{% if agent.status == "paused" %}')
    assert comparisons("{% elif incident.review.status != 'resolved' %}")
    assert comparisons('{% if "scenario" == chart.status %}')
    assert comparisons('{% if agent.status|lower == "paused" %}')
    assert not comparisons('{% if field.widget_type == "checkbox" %}')
    assert not comparisons('{% if agent.is_paused %}{{ agent.status }} == "x"{% endif %}')
