from typing import TypedDict

from django.http import HttpRequest
from django.urls import reverse

from .auth import load_permissions

# (label, url name, permission needed to see the link)
NAV = [
    ("Dashboard", "dashboard", None),
    ("Org chart", "roles:live-chart", "roles.view_chart"),
    ("Charts", "roles:chart-list", "roles.view_chart"),
    ("People", "roles:person-list", "roles.view_person"),
    ("Workflows", "workflows:workflow-list", "workflows.view_workflow"),
    ("Platforms", "workflows:platform-list", "workflows.view_platform"),
    ("Agents", "workflows:agent-list", "workflows.view_agent"),
    ("Flags", "workflows:flag-list", "workflows.view_ownershipflag"),
    ("Incidents", "governance:incident-list", "governance.view_incident"),
    ("The Test", "governance:test", "workflows.view_workflow"),
    ("Data sources", "governance:data-source-list", "governance.view_datasource"),
    ("Knowledge", "governance:knowledge-asset-list", "governance.view_knowledgeasset"),
    ("Webhooks", "webhooks:endpoint-list", "webhooks.view_endpoint"),
]


# Pages that belong to a section whose address they do not share.
ALSO_UNDER = {"roles:chart-list": ["roles:chart-compare"], "roles:person-list": ["hr:people-import"]}


class NavItem(TypedDict):
    label: str
    url: str
    active: bool


def navigation(request: HttpRequest) -> dict[str, list[NavItem]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    load_permissions(user)
    items: list[NavItem] = []
    for label, url_name, perm in NAV:
        if perm is None or user.has_perm(perm):
            url = reverse(url_name)
            items.append(
                {
                    "label": label,
                    "url": url,
                    "active": (request.path.startswith(url) and (url != "/dashboard/" or request.path == url))
                    or any(request.path.startswith(reverse(other)) for other in ALSO_UNDER.get(url_name, [])),
                }
            )
    # The most specific match wins (so /org/charts/ does not also light up /org/).
    best = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is best
    return {"nav_items": items}
