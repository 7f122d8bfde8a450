"""Small server-rendered SVG charts for the dashboard: no script, prints as it shows.

The layout is worked out here; the markup is templates/components/bar_chart.svg, autoescaped like any
page; each series' colour is set once, in static/css/palette.css (`.bar-<series>`)."""

from dataclasses import dataclass

from django.template.loader import render_to_string

# Sized for a dashboard card (about 270 px wide on a laptop), so the text shows at its own size.
ROW, LABEL_W, BAR_W = 20, 150, 90
DIGIT_W = 7  # a digit at 11 px, in viewBox units
LABEL_CHARS = 24  # longer labels are cut, and shown whole on hover


@dataclass(frozen=True)
class BarRow:
    label: str  # whole, for the hover title
    short_label: str
    value: int
    url: str | None  # None: no one screen lists what the bar counts
    y: int  # the row's top
    bar_width: int

    @property
    def text_y(self) -> int:
        return self.y + 14

    @property
    def bar_y(self) -> int:
        return self.y + 3

    @property
    def value_x(self) -> int:
        return LABEL_W + self.bar_width + 5


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(rows: list[tuple[str, int, str | None]], *, title: str, series: str) -> str:
    """Horizontal bars: one (label, value, link) per row, each bar a link to the screen behind it (a row
    that no one screen lists, such as "12 other owners", has no link). `series` names what the bars count
    (flags, severity, cause, owners, modes); the stylesheet gives it its colour."""
    top = max((value for _, value, _ in rows), default=0) or 1
    value_w = 8 + DIGIT_W * len(str(top))  # room for the largest value after the longest bar
    bars = [
        BarRow(
            label=label,
            short_label=_label(label),
            value=value,
            url=url,
            y=index * ROW + 2,
            bar_width=max(2, round(BAR_W * value / top)) if value else 0,
        )
        for index, (label, value, url) in enumerate(rows)
    ]
    return render_to_string(
        "components/bar_chart.svg",
        {
            "title": title,
            "series": series,
            "rows": bars,
            "width": LABEL_W + BAR_W + value_w,
            "height": ROW * len(rows) + 4,
            "row_height": ROW,
            "bar_x": LABEL_W,
        },
    )
