from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .ids import is_id
from .models import JobHeartbeat
from .selectors import dashboard_summary
from .tokens import api_token_create

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


@require_http_methods(["GET", "POST"])
def profile(request):
    """The user's API tokens: create one (its key is shown once, after a redirect) or revoke one."""
    if request.method == "POST":
        if "revoke" in request.POST:
            revoke = request.POST["revoke"]
            request.user.api_tokens.filter(pk=revoke if is_id(revoke) else 0).delete()
            messages.success(request, "Token revoked.")
            return redirect("profile")
        name = request.POST.get("name", "").strip()
        if not name or len(name) > 100:
            messages.error(request, "Name the token (at most 100 characters): what will use it?")
            return redirect("profile")
        _, request.session["new_api_key"] = api_token_create(user=request.user, name=name)
        return redirect("profile")
    new_key = request.session.pop("new_api_key", None)
    return render(request, "marops/profile.html", {"tokens": request.user.api_tokens.all(), "new_key": new_key})
