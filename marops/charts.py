"""Small server-rendered SVG charts for the dashboard: no script, prints as it shows."""

from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe

# Sized for a dashboard card (about 270 px wide on a laptop), so the text shows at its own size.
ROW, LABEL_W, BAR_W = 20, 150, 90
DIGIT_W = 7  # a digit at 11 px, in viewBox units
LABEL_CHARS = 24  # longer labels are cut, and shown whole on hover


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(rows: list[tuple[str, int, str | None]], *, title: str, colour: str = "#2f5bd3") -> str:
    """Horizontal bars: one (label, value, link) per row, each bar a link to the screen behind it (a row
    that no one screen lists, such as "12 other owners", has no link)."""
    if not rows:
        return mark_safe(f'<p class="muted small">No data for {escape(title.lower())}.</p>')
    top = max(value for _, value, _ in rows) or 1
    value_w = 8 + DIGIT_W * len(str(top))  # room for the largest value after the longest bar
    height = ROW * len(rows) + 4
    parts = [
        f'<svg class="bar-chart" role="img" aria-label="{escape(title)}" width="100%" '
        f'viewBox="0 0 {LABEL_W + BAR_W + value_w} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value, url) in enumerate(rows):
        y = index * ROW + 2
        width = max(2, round(BAR_W * value / top)) if value else 0
        row = (
            f"<title>{escape(label)}: {value}</title>"
            f'<rect x="0" y="{y}" width="{LABEL_W + BAR_W + value_w}" height="{ROW}" fill="transparent"/>'
            f'<text x="0" y="{y + 14}" fill="#1d2430">{escape(_label(label))}</text>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{width}" height="13" rx="3" fill="{colour}"/>'
            f'<text x="{LABEL_W + width + 5}" y="{y + 14}" fill="#5d6778">{value}</text>'
        )
        parts.append(f'<a href="{escape(url)}">{row}</a>' if url else f"<g>{row}</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))
