from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .models import JobHeartbeat
from .selectors import dashboard_summary

# Where each group starts: the screen for its job (DESIGN.md, "Who uses it").
LANDING = [
    ("Leaders", "roles:live-chart"),
    ("MarOps staff", "governance:incident-list"),
    ("Executives", "dashboard"),
]


@require_GET
def home(request):
    groups = {group.name for group in request.user.groups.all()}
    for group, url_name in LANDING:
        if group in groups:
            return redirect(url_name)
    return redirect("dashboard")


@require_GET
def dashboard(request):
    context = {
        "summary": dashboard_summary(),
        "heartbeat": JobHeartbeat.objects.filter(name="beat").first(),
    }
    return render(request, "marops/dashboard.html", context)
