"""The graphical chart's seat boxes, written out in Python (`{% chart_seats seats can_edit %}`).

The page draws up to a few hundred boxes and a branch 200 at a time: with Django's template language
each box took about 0.2 ms (a dozen variable lookups, loops and filters), more than reading the seat.
This writes the same markup from `roles.selectors.Seat`s, every value escaped as `{{ }}` would, and
decides nothing the template did not: what a box shows is still the Seat's and the Position's."""

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from roles.choices import Level, Team
from roles.selectors import Seat

register = template.Library()

# What `get_level_display` and `get_team_display` answer, without their per-call walk of the choices.
LEVELS = {str(value): str(label) for value, label in Level.choices}
TEAMS = {str(value): str(label) for value, label in Team.choices}


def _seat(seat: Seat, can_edit: bool) -> str:
    p = seat.position
    pk = p.pk
    title = escape(p.title)
    person = p.person
    dotted = p.dotted_line_list()
    platforms = p.expertise_list()
    report_count = seat.report_count
    dotted_ids = " ".join(str(other.pk) for other in dotted)
    parts = [
        f'\n<li class="oc-node">\n<div class="oc-seat oc-team-{escape(p.team)}',
        " oc-vacancy" if p.is_vacancy else "",
        f'" id="seat-{pk}" data-testid="seat" data-position-id="{pk}" data-manager-id="',
        "" if p.reports_to_id is None else str(p.reports_to_id),
        '"',
        f' data-dotted="{escape(dotted_ids)}"' if dotted_ids else "",
        ' data-person="1"' if person else "",
        ' draggable="true"' if can_edit else "",
        f'>\n<span class="oc-avatar" aria-hidden="true">{escape(seat.initials)}</span>\n'
        f'<span class="oc-text"><strong class="oc-title">{title}</strong>\n<span class="oc-person">',
        escape(person.name) if person else "Vacancy — hire or promote",
        f'</span>\n<span class="oc-meta">{escape(LEVELS.get(p.level, p.level))} · '
        f'<span class="oc-team">{escape(TEAMS.get(p.team, p.team))}</span></span></span>\n<span class="oc-roles">',
        *(
            f'<span class="badge{" badge-core" if role.is_core else ""}">{escape(role.name)}</span>'
            for role in p.role_list()
        ),
        "</span>\n",
        f'<span class="oc-meta">Expertise: {", ".join(escape(str(platform)) for platform in platforms)}</span>'
        if platforms
        else "",
        "\n",
        '<span class="oc-meta oc-dotted-note" data-testid="dotted-line">⋯ dotted line to '
        f"{', '.join(escape(d.title) for d in dotted)}</span>"
        if dotted
        else "",
        '\n<span class="oc-actions">',
        f'<button type="button" class="oc-toggle" aria-expanded="{"true" if seat.expanded else "false"}" '
        f'aria-controls="reports-{pk}">{report_count} report{"" if report_count == 1 else "s"}'
        f'<span class="sr-only"> of {title}</span></button>'
        if report_count
        else "",
        '<button type="button" class="oc-menu-button" aria-haspopup="menu" aria-expanded="false">Actions'
        f'<span class="sr-only"> for {title}</span></button></span>\n</div>\n',
    ]
    if seat.expanded:
        parts.append(f'<ul class="oc-reports" id="reports-{pk}">')
    else:
        if report_count:
            parts.append(f'<ul class="oc-reports" id="reports-{pk}" hidden></ul>')
        parts.append("</li>" + "</ul></li>" * len(seat.closes))
    return "".join(parts)


@register.simple_tag
def chart_seats(seats: Iterable[Seat], can_edit: bool) -> SafeString:
    """The seats as nested list items, depth first: each box, its reports' list open below it when
    expanded, else an empty hidden list that orgchart.js fills when the branch is opened."""
    return mark_safe("".join(_seat(seat, bool(can_edit)) for seat in seats))  # noqa: S308 - every value escaped above
