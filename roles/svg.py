"""A chart as an SVG image: boxes top-down, solid reporting lines, dashed dotted lines.

The layout is worked out here; the markup is templates/roles/chart.svg, autoescaped like any page. The
image is downloaded and opened on its own, away from the site's stylesheet, so it carries its colours:
static/css/palette.css, the same file the site links, inlined."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from .selectors import TreeNode

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 200, 58, 16, 46, 20


def _clip(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Line:
    """From a seat to its manager (a right-angled path) or, dashed and straight, along a dotted line."""

    x1: float
    y1: float
    x2: float
    y2: float
    dotted: bool = False

    @property
    def mid_y(self) -> float:
        return (self.y1 + self.y2) / 2


class TextLine(NamedTuple):
    y: float  # the baseline
    text: str  # clipped to the box's width


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    title: str
    person: str
    roles: str
    is_vacancy: bool

    @property
    def text_x(self) -> float:
        return self.x + 8

    @property
    def title_line(self) -> TextLine:
        return TextLine(self.y + 17, _clip(self.title, 25))

    @property
    def person_line(self) -> TextLine:
        return TextLine(self.y + 33, _clip(self.person))

    @property
    def roles_line(self) -> TextLine:
        return TextLine(self.y + 49, _clip(self.roles, 34))


@cache
def palette_css() -> str:
    """static/css/palette.css, without its comments, each var(--name) replaced by its value: many SVG
    viewers and editors apply a <style>'s classes but know no custom properties."""
    found = finders.find("css/palette.css")
    if found is None:
        raise FileNotFoundError("static/css/palette.css")
    css = Path(found).read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/\s*", "", css, flags=re.S)
    values = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", css))
    return re.sub(r"var\((--[\w-]+)\)", lambda name: values[name[1]], css)


def chart_svg(nodes: list[TreeNode], title: str) -> str:
    """Lay out the tree (leaves side by side, each manager centred over its reports)."""
    if not nodes:
        return render_to_string("roles/chart.svg", {"title": title})
    x: dict[int, float] = {}
    next_slot = 0

    def place(node: TreeNode) -> None:
        nonlocal next_slot
        for child in node.children:
            place(child)
        if node.children:
            x[node.position.pk] = (x[node.children[0].position.pk] + x[node.children[-1].position.pk]) / 2
        else:
            x[node.position.pk] = next_slot
            next_slot += 1

    for root in (n for n in nodes if n.depth == 0):
        place(root)

    def left(pk: int) -> float:
        return MARGIN + x[pk] * (BOX_W + GAP_X)

    def top(depth: int) -> float:
        return MARGIN + 30 + depth * (BOX_H + GAP_Y)

    depth_of = {n.position.pk: n.depth for n in nodes}
    lines: list[Line] = []
    boxes: list[Box] = []
    for node in nodes:
        p = node.position
        if p.reports_to_id in x:
            lines.append(
                Line(
                    left(p.reports_to_id) + BOX_W / 2,
                    top(depth_of[p.reports_to_id]) + BOX_H,
                    left(p.pk) + BOX_W / 2,
                    top(node.depth),
                )
            )
        for other in p.dotted_line_list():
            if other.pk in x:
                lines.append(
                    Line(
                        left(p.pk) + BOX_W / 2,
                        top(node.depth) + BOX_H / 2,
                        left(other.pk) + BOX_W / 2,
                        top(depth_of[other.pk]) + BOX_H / 2,
                        dotted=True,
                    )
                )
        boxes.append(
            Box(
                x=left(p.pk),
                y=top(node.depth),
                title=p.title,
                person=p.person.name if p.person else "vacancy — hire or promote",
                roles=", ".join(r.name for r in p.role_list()),
                is_vacancy=p.is_vacancy,
            )
        )
    width = int(MARGIN * 2 + next_slot * (BOX_W + GAP_X))
    return render_to_string(
        "roles/chart.svg",
        {
            "title": title,
            "style": palette_css(),
            "width": width,
            "height": int(top(max(depth_of.values()) + 1) + MARGIN),
            "title_x": MARGIN,
            "title_y": MARGIN + 10,
            "lines": lines,
            "boxes": boxes,
            "box_w": BOX_W,
            "box_h": BOX_H,
        },
    )
