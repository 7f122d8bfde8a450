"""Incidents and their reviews, the registers of data sources and knowledge assets."""

from collections.abc import Callable
from typing import Any, Literal, Protocol, TypedDict, TypeVar, Unpack

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms import ModelForm
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import apply_service, form_errors_text
from core.ids import is_id
from core.views import PageRequest, page_of, read_only
from roles.models import Person
from roles.selectors import head_of_marops
from workflows.accountability import Accountability, step_accountable_at, with_accountability
from workflows.models import Agent
from workflows.selectors import accountability_test_score, accountability_test_steps

from .choices import ReviewStatus, Severity
from .forms import (
    CorrectiveActionForm,
    DataSourceForm,
    EscalateForm,
    IncidentForm,
    KillSwitchForm,
    KnowledgeAssetForm,
    LeaverForm,
    OutputAuditForm,
    PolicyForm,
    ReopenForm,
    ReviewForm,
)
from .leavers import leaver_handoffs, leaver_test_scores, person_leave, successor_choices
from .models import CorrectiveAction, Incident, KillSwitchEvent, KnowledgeAsset
from .rules import governance_findings
from .selectors import (
    data_source_list,
    incident_accountable_preview,
    incident_filter,
    incident_get,
    incident_list,
    incident_only_step,
    incident_timeline,
    knowledge_asset_list,
    person_holdings,
)
from .services import (
    ReviewConflict,
    agent_pause,
    agent_resume,
    agent_retire,
    corrective_action_add,
    corrective_action_set_done,
    data_source_save,
    incident_create,
    incident_escalate,
    knowledge_asset_save,
    output_audit_create,
    policy_decide,
    review_reopen,
    review_submit,
)


@read_only
@require_GET
@permission_required("governance.view_incident", raise_exception=True)
def incident_index(request: PageRequest) -> HttpResponse:
    incidents = incident_list()
    shown = request.GET.get("show", "open")
    if shown == "open":
        incidents = incidents.exclude(review__status=ReviewStatus.RESOLVED)
    elif shown == "overdue":
        incidents = incidents.exclude(review__status=ReviewStatus.RESOLVED).filter(
            review__due_on__lt=timezone.localdate()
        )
    incidents, filtered_by = incident_filter(incidents, request.GET)
    page = page_of(incidents, request)
    context = {
        "incidents": page,
        "page": page,
        "shown": shown,
        "filtered_by": filtered_by,
        "show_options": [(value, value == shown) for value in ("open", "overdue", "all")],
    }
    return render(request, "governance/incident_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("governance.add_incident", raise_exception=True)
def incident_log(request: PageRequest) -> HttpResponse:
    agent_id = request.GET.get("agent")
    initial = {"agent": agent_id, "step": incident_only_step(agent_id)}
    form = IncidentForm(request.POST if request.method == "POST" else None, initial=initial)
    created: list[Incident] = []

    def save(form: IncidentForm) -> None:
        created.append(incident_create(reporter=request.user, **form.cleaned_data))

    if request.method == "POST" and apply_service(form, save):
        return redirect("governance:incident-detail", created[0].pk)
    context = {"form": form, "preview": _accountable_preview(form.data if form.is_bound else initial)}
    return render(request, "governance/incident_form.html", context, status=422 if form.errors else 200)


def _accountable_preview(values: Any) -> Accountability | None:
    return incident_accountable_preview(agent_id=values.get("agent"), step_id=values.get("step"))


@read_only
@require_GET
@permission_required("governance.add_incident", raise_exception=True)
def incident_step_options(request: PageRequest) -> HttpResponse:
    """The step picker for the chosen agent (htmx swaps it in when the agent changes), its only step
    chosen if it acts in one, with who would be accountable."""
    initial = {"agent": request.GET.get("agent"), "step": incident_only_step(request.GET.get("agent"))}
    context = {"form": IncidentForm(initial=initial), "preview": _accountable_preview(initial)}
    return render(request, "governance/incident_form.html#step-field", context)


@read_only
@require_GET
@permission_required("governance.add_incident", raise_exception=True)
def incident_accountable(request: PageRequest) -> HttpResponse:
    """Who logging the incident would name, before saving (htmx asks when the step changes)."""
    return render(
        request, "governance/incident_form.html#accountable-preview", {"preview": _accountable_preview(request.GET)}
    )


def _detail(
    request: PageRequest,
    incident: Incident,
    review_form: ReviewForm | None = None,
    action_form: CorrectiveActionForm | None = None,
    status: int = 200,
    error: str = "",
    escalate_form: EscalateForm | None = None,
    reopen_form: ReopenForm | None = None,
) -> HttpResponse:
    review = incident.review
    escalate_form = escalate_form or EscalateForm(current=incident.severity)
    can_change = request.user.has_perm("governance.change_review")
    context = {
        "incident": incident,
        # History, beside who is accountable now: the step's answer as of the moment it happened.
        "accountable_when_occurred": step_accountable_at(incident.step, incident.occurred_at)
        if incident.step is not None
        else None,
        "timeline": incident_timeline(incident),
        "review_form": review_form
        or ReviewForm(
            initial={
                "version": review.version,
                "root_cause": review.root_cause,
                "analysis": review.analysis,
                "accountable_owner": review.accountable_owner_id,
            }
        ),
        "action_form": action_form or CorrectiveActionForm(initial={"due_on": review.due_on}),
        "can_review": can_change,
        # Raise severity (while one is above it) and reopen (once resolved): the review's permission.
        "escalate_form": escalate_form,
        "can_escalate": can_change and escalate_form.has_choices,
        "reopen_form": reopen_form or ReopenForm(initial={"version": review.version}),
        "can_reopen": can_change and review.is_resolved,
        # A resolved review takes no new actions, but its actions can still be ticked off (and reopened).
        "can_add_actions": review.accepts_actions and request.user.has_perm("governance.add_correctiveaction"),
        "can_tick_actions": request.user.has_perm("governance.change_correctiveaction"),
        "error": error,
    }
    return render(request, "governance/incident_detail.html", context, status=status)


def _incident(pk: int) -> Incident:
    try:
        return incident_get(pk)
    except Incident.DoesNotExist as exc:
        raise Http404("No such incident") from exc


@read_only
@require_GET
@permission_required("governance.view_incident", raise_exception=True)
def incident_detail(request: PageRequest, pk: int) -> HttpResponse:
    return _detail(request, _incident(pk))


@require_POST
@permission_required("governance.change_review", raise_exception=True)
def review_update(request: PageRequest, pk: int) -> HttpResponse:
    """Save the review, or (the Resolve button of the same form) save and resolve it in one go, so
    what is resolved is exactly what the reviewer sees."""
    incident = _incident(pk)
    form = ReviewForm(request.POST)
    resolving = "resolve" in request.POST

    def save(form: ReviewForm) -> None:
        data = form.cleaned_data
        review_submit(
            review=incident.review,
            expected_version=data["version"],
            root_cause=data["root_cause"],
            analysis=data["analysis"],
            accountable_owner=data["accountable_owner"],
            owner_change_reason=data["owner_change_reason"],
            resolve=resolving,
            by=request.user,
        )

    try:
        saved = apply_service(form, save)
    except ReviewConflict as exc:  # the form keeps what this reviewer typed; the panel shows what is saved
        return _detail(request, _incident(pk), review_form=form, status=409, error=" ".join(exc.messages))
    if not saved:
        reasons = form_errors_text(form)
        error = f"{'Not resolved' if resolving else 'Not saved'}. {reasons}"
        return _detail(request, _incident(pk), review_form=form, status=422, error=error)
    if resolving:
        messages.success(request, f"Resolved. {form.cleaned_data['accountable_owner']} is accountable.")
    else:
        messages.success(request, "Review saved.")
    return redirect("governance:incident-detail", pk)


@require_POST
@permission_required("governance.add_correctiveaction", raise_exception=True)
def action_add(request: PageRequest, pk: int) -> HttpResponse:
    incident = _incident(pk)
    form = CorrectiveActionForm(request.POST)
    if apply_service(form, lambda f: corrective_action_add(review=incident.review, **f.cleaned_data)):
        messages.success(request, "Corrective action added.")
        return redirect("governance:incident-detail", pk)
    if not incident.review.accepts_actions:  # the page shows no form to add one: say why at the top
        return _detail(request, incident, status=409, error=form_errors_text(form))
    return _detail(request, incident, action_form=form, status=422)


@require_POST
@permission_required("governance.change_correctiveaction", raise_exception=True)
def action_toggle(request: PageRequest, pk: int) -> HttpResponse:
    """Tick a corrective action off or reopen it, resolved review or not. The button sends the state it
    asks for (`done`), so a second click on a stale page changes nothing; without it, the action flips."""
    action = get_object_or_404(CorrectiveAction.objects.select_related("review"), pk=pk)
    asked = request.POST.get("done")
    done = asked == "1" if asked in ("0", "1") else not action.is_done
    corrective_action_set_done(action=action, done=done, by=request.user)
    messages.success(request, f"{'Done' if done else 'Reopened'}: {action.description[:80]}")
    return redirect("governance:incident-detail", action.review.incident_id)


Entry = TypeVar("Entry", bound=models.Model)


def _register(
    request: PageRequest,
    *,
    form_class: "type[ModelForm[Entry]]",
    save: Callable[[Entry | None, dict[str, Any]], Entry],
    change_perm: str,
    template: str,
    rules: set[str],
    context: dict[str, Any],
) -> HttpResponse:
    """A register page (data sources, knowledge assets): the list with its findings, and a form that adds
    an entry or, with ?edit=<id>, changes one through `save(instance, data)`. A refused save keeps the
    input and says why (422)."""
    model = form_class._meta.model
    edit = str(request.GET.get("edit", ""))
    instance = model._default_manager.filter(pk=edit).first() if is_id(edit) else None
    if request.method == "POST":
        if not request.user.has_perm(change_perm):
            raise PermissionDenied
        form = form_class(request.POST, instance=instance)
        saved: list[Entry] = []
        if apply_service(form, lambda f: saved.append(save(instance, f.cleaned_data))):
            messages.success(request, f"Saved “{saved[0]}”.")
            return redirect(request.path)
    else:
        form = form_class(instance=instance)
    findings = [f for f in governance_findings() if f.rule in rules]
    context = context | {"form": form, "editing": instance, "findings": findings}
    return render(request, template, context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required("governance.view_datasource", raise_exception=True)
def data_source_index(request: PageRequest) -> HttpResponse:
    """The Data Steward's register of data allowed (or not) into AI workflows."""
    return _register(
        request,
        form_class=DataSourceForm,
        save=lambda source, data: data_source_save(source=source, data=data),
        change_perm="governance.change_datasource",
        template="governance/data_source_list.html",
        rules={"disallowed-data-source", "inactive-holder"},
        context={"sources": data_source_list()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("governance.view_knowledgeasset", raise_exception=True)
def knowledge_asset_index(request: PageRequest) -> HttpResponse:
    """The Prompt and Knowledge Designer's register: prompts, knowledge bases, instructions and audits."""
    return _register(
        request,
        form_class=KnowledgeAssetForm,
        save=lambda asset, data: knowledge_asset_save(asset=asset, data=data),
        change_perm="governance.change_knowledgeasset",
        template="governance/knowledge_asset_list.html",
        rules={"asset-owner-without-role", "stale-output-audit", "inactive-holder"},
        context={
            "assets": knowledge_asset_list(),
            "audit_form": OutputAuditForm(initial={"audited_on": timezone.localdate()}),
        },
    )


@require_POST
@permission_required("governance.add_outputaudit", raise_exception=True)
def output_audit_add(request: PageRequest, pk: int) -> HttpResponse:
    asset = get_object_or_404(KnowledgeAsset, pk=pk)
    form = OutputAuditForm(request.POST)
    if apply_service(form, lambda f: output_audit_create(asset=asset, data=f.cleaned_data)):
        messages.success(request, f"Audit of “{asset}” recorded.")
    else:
        messages.error(request, f"Audit not recorded: {form_errors_text(form)}")
    return redirect("governance:knowledge-asset-list")


class AgentForms(TypedDict, total=False):
    """The agent page's forms as sent (their input and errors kept), and what went wrong."""

    policy_form: PolicyForm
    pause_form: KillSwitchForm
    retire_form: KillSwitchForm
    error: str


def _agent_page(request: PageRequest, agent_pk: int, status: int = 200, **forms: Unpack[AgentForms]) -> HttpResponse:
    agent = get_object_or_404(Agent, pk=agent_pk)
    steps = agent.steps.select_related("workflow__owner", "platform").order_by("workflow__name", "order")
    assets = list(agent.knowledge_assets.select_related("owner"))
    asset_ids = {asset.pk for asset in assets}
    context = {
        "agent": agent,
        "steps": with_accountability(list(steps)),
        "sources": agent.data_sources.all(),
        "assets": assets,
        "decisions": agent.policy_decisions.select_related("decided_by"),
        "events": agent.kill_switch_events.select_related("by"),
        "incidents": agent.incidents.select_related("review__accountable_owner").order_by("-occurred_at")[:20],
        "findings": [f for f in governance_findings() if f.agent_id == agent.pk or f.asset_id in asset_ids],
        "head": head_of_marops(),
        "policy_form": forms.get("policy_form") or PolicyForm(initial={"allowed_mode": agent.allowed_mode}),
        "pause_form": forms.get("pause_form") or KillSwitchForm(),
        "retire_form": forms.get("retire_form") or KillSwitchForm(),
        "error": forms.get("error", ""),
    }
    return render(request, "governance/agent_detail.html", context, status=status)


@read_only
@require_GET
@permission_required("workflows.view_agent", raise_exception=True)
def agent_detail(request: PageRequest, pk: int) -> HttpResponse:
    return _agent_page(request, pk)


@require_POST
@permission_required("governance.add_policydecision", raise_exception=True)
def agent_policy(request: PageRequest, pk: int) -> HttpResponse:
    agent = get_object_or_404(Agent, pk=pk)
    form = PolicyForm(request.POST)
    if apply_service(form, lambda f: policy_decide(agent=agent, by=request.user, **f.cleaned_data)):
        messages.success(request, f"Governance call recorded: {agent.name} — {agent.get_allowed_mode_display()}.")
        return redirect("governance:agent-detail", pk)
    if agent.is_retired:  # the page shows no policy form for a retired agent: say why at the top
        return _agent_page(request, pk, status=409, error=form_errors_text(form))
    return _agent_page(request, pk, status=403 if form.non_field_errors() else 422, policy_form=form)


class KillSwitch(Protocol):
    def __call__(self, *, agent: Agent, reason: str, by: User) -> KillSwitchEvent: ...


def _kill_switch(
    request: PageRequest,
    pk: int,
    service: KillSwitch,
    done: str,
    level: int = messages.SUCCESS,
    form_key: Literal["pause_form", "retire_form"] = "pause_form",
    shown: Callable[[Agent], bool] = lambda agent: agent.is_active,
) -> HttpResponse:
    """Pause, resume or retire: the service records who, when and why; a refusal shows on the agent
    page, in the form that was sent (its reason kept), or at the top when the agent's state leaves that
    form off the page (`shown`: a retired agent has no pause form)."""
    agent = get_object_or_404(Agent, pk=pk)
    form = KillSwitchForm(request.POST)
    if apply_service(form, lambda f: service(agent=agent, reason=f.cleaned_data["reason"], by=request.user)):
        messages.add_message(request, level, done.format(agent=agent.name))
        return redirect("governance:agent-detail", pk)
    if not shown(agent):
        return _agent_page(request, pk, status=409, error=form_errors_text(form))
    sent: AgentForms = {}
    sent[form_key] = form
    return _agent_page(request, pk, status=422, **sent)  # the form shows its own errors


@require_POST
@permission_required("governance.add_killswitchevent", raise_exception=True)
def agent_pause_view(request: PageRequest, pk: int) -> HttpResponse:
    return _kill_switch(
        request, pk, agent_pause, "{agent} is paused. Resuming it is a Leader's decision.", level=messages.WARNING
    )


@require_POST
@permission_required("workflows.resume_agent", raise_exception=True)
def agent_resume_view(request: PageRequest, pk: int) -> HttpResponse:
    return _kill_switch(request, pk, agent_resume, "{agent} is running again.", shown=lambda agent: agent.is_paused)


@require_POST
@permission_required("workflows.retire_agent", raise_exception=True)
def agent_retire_view(request: PageRequest, pk: int) -> HttpResponse:
    return _kill_switch(
        request,
        pk,
        agent_retire,
        "{agent} is retired.",
        form_key="retire_form",
        shown=lambda agent: not agent.is_retired,
    )


@read_only
@require_GET
@permission_required("workflows.view_workflow", raise_exception=True)
def test_page(request: PageRequest) -> HttpResponse:
    """The score over every buyer-facing AI step; the steps themselves 100 a page, failing ones first."""
    passed, total = accountability_test_score()
    steps = accountability_test_steps()
    failing_only = request.GET.get("show") == "failing"
    if failing_only:
        steps = steps.filter(fails=True)
    page = page_of(steps, request)
    context = {
        "passed": passed,
        "total": total,
        "rows": with_accountability(list(page)),
        "page": page,
        "failing_only": failing_only,
    }
    return render(request, "governance/test.html", context)


@read_only
@require_GET
@permission_required("roles.view_person", raise_exception=True)
def person_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A person's page: their seats, workflows, reviews, open actions, assets, data sources, departures."""
    holdings = person_holdings(get_object_or_404(Person, pk=pk))
    person = holdings.person
    can_edit = request.user.has_perm("roles.change_person")
    return render(
        request,
        "roles/person_detail.html",
        {
            "h": holdings,
            "can_edit": can_edit,
            "can_leave": can_edit and person.is_active and not person.is_planned,
            "orphaned": not person.is_active and holdings.held_count > 0,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("roles.change_person", raise_exception=True)
def person_leaver(request: PageRequest, pk: int) -> HttpResponse:
    """Record a leaver: what they hold, a successor for each (proposed, editable), the Test's score
    before and after; "Confirm" hands everything on and deactivates them, "Preview" only recounts."""
    person = get_object_or_404(Person, pk=pk)
    handoffs = leaver_handoffs(person_holdings(person))
    form = LeaverForm(request.POST or None, handoffs=handoffs, successors=successor_choices(person))

    def leave(f: LeaverForm) -> object:
        return person_leave(person=person, successors=f.successors(), by=request.user, reason=f.cleaned_data["reason"])

    if request.method == "POST" and request.POST.get("action") == "confirm" and apply_service(form, leave):
        messages.success(request, f"{person.name} has left; everything they held has been handed on.")
        return redirect("governance:person-detail", pk=person.pk)
    proposed = {item.key: item.proposed for item in handoffs}
    if form.is_bound:
        form.is_valid()  # cleans what was chosen; a refused confirmation keeps its errors
    successors = form.successors() if form.is_bound else proposed
    before, after = leaver_test_scores(person=person, successors=successors, by=request.user)
    return render(
        request,
        "governance/leaver.html",
        {"person": person, "form": form, "handoffs": handoffs, "before": before, "after": after},
    )


@require_POST
@permission_required("governance.change_review", raise_exception=True)
def incident_escalate_view(request: PageRequest, pk: int) -> HttpResponse:
    """Raise the incident's severity (never lower it): the timeline keeps who and why, and the
    accountable person is told. A refusal shows beside its field and changes nothing; when the page has
    no form to show it in (the incident is critical now), at the top."""
    incident = _incident(pk)
    form = EscalateForm(request.POST, current=incident.severity)

    def save(form: EscalateForm) -> None:
        data = form.cleaned_data
        incident_escalate(incident=incident, severity=data["severity"], by=request.user, reason=data["reason"])

    if apply_service(form, save):
        messages.success(request, f"Severity raised to {Severity(form.cleaned_data['severity']).label.lower()}.")
        return redirect("governance:incident-detail", pk)
    if not form.has_choices:
        return _detail(request, incident, status=409, error=f"Severity not raised. {form_errors_text(form)}")
    return _detail(request, incident, escalate_form=form, status=422)


@require_POST
@permission_required("governance.change_review", raise_exception=True)
def incident_reopen_view(request: PageRequest, pk: int) -> HttpResponse:
    """Reopen a resolved review (the fix did not hold). The form carries the review's version, so a page
    read before someone else's change is refused (409), the reason kept in the form."""
    incident = _incident(pk)
    form = ReopenForm(request.POST)

    def save(form: ReopenForm) -> None:
        data = form.cleaned_data
        review_reopen(review=incident.review, expected_version=data["version"], by=request.user, reason=data["reason"])

    try:
        saved = apply_service(form, save)
    except ReviewConflict as exc:
        return _detail(request, _incident(pk), reopen_form=form, status=409, error=" ".join(exc.messages))
    if saved:
        messages.success(request, "Reopened: the review is in review again.")
        return redirect("governance:incident-detail", pk)
    if not incident.review.is_resolved:  # the page shows no reopen form: say why at the top
        return _detail(request, incident, status=409, error=f"Not reopened. {form_errors_text(form)}")
    return _detail(request, incident, reopen_form=form, status=422)
