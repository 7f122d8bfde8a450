"""A chart as an SVG image: boxes top-down, solid reporting lines, dashed dotted lines."""

from xml.sax.saxutils import escape

from .selectors import TreeNode

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 200, 58, 16, 46, 20


def _clip(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chart_svg(nodes: list[TreeNode], title: str) -> str:
    """Lay out the tree (leaves side by side, each manager centred over its reports)."""
    if not nodes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="60">'
            f'<text x="10" y="30">{escape(title)}: no positions</text></svg>'
        )
    x: dict[int, float] = {}
    next_slot = 0

    def place(node: TreeNode):
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

    def left(pk):
        return MARGIN + x[pk] * (BOX_W + GAP_X)

    def top(depth):
        return MARGIN + 30 + depth * (BOX_H + GAP_Y)

    depth_of = {n.position.pk: n.depth for n in nodes}
    width = int(MARGIN * 2 + next_slot * (BOX_W + GAP_X))
    height = int(top(max(depth_of.values()) + 1) + MARGIN)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        f'<text x="{MARGIN}" y="{MARGIN + 10}" font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    for node in nodes:
        p = node.position
        if p.reports_to_id in x:
            x1, y1 = left(p.reports_to_id) + BOX_W / 2, top(depth_of[p.reports_to_id]) + BOX_H
            x2, y2 = left(p.pk) + BOX_W / 2, top(node.depth)
            mid = (y1 + y2) / 2
            parts.append(f'<path d="M{x1},{y1} V{mid} H{x2} V{y2}" fill="none" stroke="#8a94a6"/>')
        for other in p.dotted_line_list():
            if other.pk in x:
                parts.append(
                    f'<line x1="{left(p.pk) + BOX_W / 2}" y1="{top(node.depth) + BOX_H / 2}" '
                    f'x2="{left(other.pk) + BOX_W / 2}" y2="{top(depth_of[other.pk]) + BOX_H / 2}" '
                    'stroke="#5b3cc4" stroke-dasharray="4 4"/>'
                )
    for node in nodes:
        p = node.position
        bx, by = left(p.pk), top(node.depth)
        fill = "#fffaf0" if p.is_vacancy else "#ffffff"
        dash = ' stroke-dasharray="5 3"' if p.is_vacancy else ""
        person = p.person.name if p.person else "vacancy — hire or promote"
        roles = ", ".join(r.name for r in p.role_list())
        parts += [
            f"<g><title>{escape(p.title)} — {escape(person)}</title>",
            f'<rect x="{bx}" y="{by}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#5d6778"{dash}/>',
            f'<text x="{bx + 8}" y="{by + 17}" font-weight="bold">{escape(_clip(p.title, 25))}</text>',
            f'<text x="{bx + 8}" y="{by + 33}">{escape(_clip(person))}</text>',
            f'<text x="{bx + 8}" y="{by + 49}" fill="#5d6778" font-size="10">{escape(_clip(roles, 34))}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    return "\n".join(parts)
