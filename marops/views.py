import logging
from typing import Any
from urllib.parse import urlencode

from axes.helpers import get_failure_limit
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import apply_service, form_errors_text
from core.views import PageRequest
from governance.choices import Severity
from notifications.forms import PreferencesForm
from notifications.selectors import preferences_of
from notifications.services import preferences_save
from workflows.choices import StepMode

from .auth import load_permissions
from .charts import bar_chart
from .dashboard import dashboard as dashboard_data
from .dashboard import plan_get
from .forms import MigrationPlanForm
from .health import readiness
from .models import JobHeartbeat
from .services import plan_save
from .tokens import api_token_create, api_token_revoke

# Where each group starts: the screen for its job (docs/design.md, "Who uses it").
LANDING = [
    ("Leaders", "roles:live-chart"),
    ("MarOps staff", "governance:incident-list"),
    ("Executives", "dashboard"),
]


log = logging.getLogger(__name__)


@login_not_required
@transaction.non_atomic_requests
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make bench`: the process answers (no database, no login)."""
    return JsonResponse({"ok": True})


@login_not_required
@transaction.non_atomic_requests
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database, Redis and the worker's heartbeat, each "ok" or why not (503)."""
    checks = readiness()
    down = [name for name, status in checks.items() if status != "ok"]
    return JsonResponse({"ok": not down, "down": down, **checks}, status=503 if down else 200)


@login_not_required
@transaction.non_atomic_requests
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name none (Django admin's): our SVG icon."""
    return redirect(static("favicon.svg"), permanent=True)


# The last resort if even the 500 template cannot be rendered.
PLAIN_500 = (
    "<!doctype html><title>Server error · MarOps</title><h1>Something went wrong on our side</h1>"
    "<p>Please try again in a minute. <a href='/'>Back to MarOps</a></p>"
)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the styled page, rendered with no request context (no user, no context
    processor), so it needs neither the database nor the session, which may be what failed."""
    html: str
    try:
        html = loader.render_to_string("500.html")
    except Exception:  # anything raised here would hide the original error behind a second one
        log.exception("The 500 page could not be rendered")
        html = PLAIN_500
    return HttpResponseServerError(html)


class LoginView(auth_views.LoginView):
    """Django's login page, saying how many tries are left before django-axes locks logins."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        failures = getattr(self.request, "axes_failures_since_start", 0)
        if failures:
            context["attempts_left"] = max(get_failure_limit(self.request, None) - failures, 0)
            context["lockout_minutes"] = lockout_minutes()
        return context


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page again (429), saying why and for how long."""
    context = {
        "form": AuthenticationForm(request),
        "locked_out": True,
        "lockout_minutes": lockout_minutes(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "set a new password" page. Proving the mailbox also lifts a lockout of that username
    (one an attacker may have caused by guessing it): the failures counted against it are cleared."""

    def form_valid(self, form: "SetPasswordForm[Any]") -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


@require_GET
def home(request: PageRequest) -> HttpResponse:
    groups = {group.name for group in request.user.groups.all()}
    for group, url_name in LANDING:
        if group in groups:
            return redirect(url_name)
    return redirect("dashboard")


PERIODS = {"30": "the last 30 days", "90": "the last 90 days", "365": "the last year"}


@transaction.non_atomic_requests
@require_GET
def dashboard(request: PageRequest) -> HttpResponse:
    """The CMO's page; everyone may read it."""
    load_permissions(request.user)
    period = request.GET.get("period", "90")
    period = period if period in PERIODS else "90"
    board = dashboard_data(period_days=int(period))
    incidents = reverse("governance:incident-list")

    def incidents_where(**filters: str | int) -> str:
        """The incident log showing what a bar counts: the same period, and the bar's filter."""
        return f"{incidents}?{urlencode({'show': 'all', 'days': board.period_days} | filters)}"

    context = {
        "board": board,
        "periods": [(value, label, value == period) for value, label in PERIODS.items()],
        "charts": {
            "flags": bar_chart(
                [(f["label"], f["n"], f"{reverse('workflows:flag-list')}?kind={f['kind']}") for f in board.flags],
                title="Open flags",
                series="flags",
            ),
            "severity": bar_chart(
                [(label, board.incidents[key], incidents_where(severity=key)) for key, label in Severity.choices],
                title="Incidents by severity",
                series="severity",
            ),
            "causes": bar_chart(
                [(bar.label, bar.n, incidents_where(**bar.filter)) for bar in board.by_root_cause],
                title="Incidents by root cause",
                series="cause",
            ),
            "owners": bar_chart(
                [(bar.label, bar.n, incidents_where(**bar.filter) if bar.filter else None) for bar in board.by_owner],
                title="Incidents by accountable owner",
                series="owners",
            ),
            "modes": bar_chart(
                [(label, board.modes[key], "/workflows/") for key, label in StepMode.choices],
                title="Steps by mode",
                series="modes",
            ),
        },
        "plan_form": MigrationPlanForm(instance=board.plan)
        if request.user.has_perm("marops.change_migrationplan")
        else None,
    }
    return render(request, "marops/dashboard.html", context)


@require_GET
def heartbeat_status(request: PageRequest) -> HttpResponse:
    """When the scheduled jobs last ran (loaded by the dashboard after the page itself)."""
    heartbeat = JobHeartbeat.objects.filter(name="beat").first()
    return render(request, "marops/dashboard.html#heartbeat", {"heartbeat": heartbeat})


@require_POST
@permission_required("marops.change_migrationplan", raise_exception=True)
def plan_update(request: PageRequest) -> HttpResponse:
    plan = plan_get()
    form = MigrationPlanForm(request.POST, instance=plan)
    if apply_service(form, lambda f: plan_save(plan=plan, data=f.cleaned_data)):
        messages.success(request, "Migration plan saved.")
    else:
        messages.error(request, "Plan not saved: " + form_errors_text(form))
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
def profile(request: PageRequest) -> HttpResponse:
    """What MarOps e-mails the user, and how; their API tokens: create one (its key is shown once, after a
    redirect) or revoke one."""
    person = getattr(request.user, "person", None)
    if request.method == "POST" and "preferences" in request.POST and person is not None:
        form = PreferencesForm(request.POST, choices=preferences_of(person))
        if form.is_valid():
            preferences_save(person=person, choices=form.cleaned_data)
            messages.success(request, "Your choices are saved.")
        else:
            messages.error(request, "Nothing saved. " + form.problems())
        return redirect("profile")
    if request.method == "POST":
        if "revoke" in request.POST:
            api_token_revoke(user=request.user, token_id=request.POST["revoke"])
            messages.success(request, "Token revoked.")
            return redirect("profile")
        name = request.POST.get("name", "").strip()
        if not name or len(name) > 100:
            messages.error(request, "Name the token (at most 100 characters): what will use it?")
            return redirect("profile")
        try:
            _, request.session["new_api_key"] = api_token_create(user=request.user, name=name)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("profile")
    new_key = request.session.pop("new_api_key", None)
    preferences = PreferencesForm(choices=preferences_of(person)) if person is not None else None
    context = {"tokens": request.user.api_tokens.all(), "new_key": new_key, "preferences": preferences}
    return render(request, "marops/profile.html", context)
