"""The JSON API (/api/v1/): platforms and agents report incidents and ask "who is accountable?".

Bearer tokens (profile page or `manage.py create_api_token USERNAME`). No token: 401. A user whose
groups may not do it: 403. An unknown object or address: 404. A review changed since it was read: 409.
A bad payload or query (a parameter given twice included): 422 with the field errors. The database out
of reach: 503 with Retry-After. Every answer, errors included, is JSON, and the OpenAPI document lists
each operation's errors. A refused call writes nothing: every write goes through the same services as
the screens, and the whole call is one transaction, rolled back on a server error.
"""

import datetime
import functools
import logging
import math
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.contrib.auth.models import User
from django.core import signals
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, re_path
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as ParamError
from ninja.parser import Parser
from ninja.responses import Status
from ninja.security import HttpBearer
from pydantic import AfterValidator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from core.validators import BIGINT_MAX, INT_MAX, text_problem
from core.views import PAGE_SIZE
from governance.choices import HarmCategory, ReviewStatus, RootCause, Severity
from governance.models import Incident
from governance.selectors import incident_get, incident_list
from governance.services import ReviewConflict, agent_pause, incident_create, review_submit
from roles.selectors import person_by_email
from workflows.accountability import step_accountable, step_accountable_at
from workflows.history import VIA_API
from workflows.models import Agent, OwnershipFlag, Workflow
from workflows.selectors import (
    agent_get,
    agents_by_name,
    flag_list,
    step_for_incident,
    steps_with_owner,
    workflow_list,
    workflows_by_name,
)
from workflows.services import workflow_assign_owner

from .tokens import api_token_user


class ApiRequest(HttpRequest):
    """A request past `BearerToken`: django-ninja sets `auth` to what it returned, the token's user."""

    auth: User


class BearerToken(HttpBearer):
    """A token of an active user; with `perm`, that user must also hold the permission (checked before
    the body is read, so a group that may not act gets 403 whatever it sends)."""

    def __init__(self, perm: str | None = None, action: str = "") -> None:
        super().__init__()
        self.perm, self.action = perm, action

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user, allowed = api_token_user(token, perm=self.perm)
        if user is None:
            return None
        request.user = user
        if not allowed:
            raise HttpError(403, f"Your groups may not {self.action}.")
        return user


logger = logging.getLogger("django.request")  # where Django reports server errors (mail to admins, logs)
RETRY_AFTER = 30  # seconds: a database restart or failover


class OnceEachParser(Parser):
    """Query parameters as django-ninja reads them, except that one given twice (`?page=1&page=2`) is
    a 422 naming it rather than silently the last one."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        where = "query" if data is request.GET else "form"
        repeated = [
            {"type": "repeated", "loc": [where, key], "msg": f"Given {len(values)} times; give it once."}
            for key, values in data.lists()
            if key not in list_fields and len(values) > 1
        ]
        if repeated:
            raise ParamError(repeated)
        return super().parse_querydict(data, list_fields, request)


class JsonErrorsAPI(NinjaAPI):
    """django-ninja answers its operations' refusals in JSON; this makes every other answer JSON too: an
    address with no endpoint (404), a method an endpoint does not take (405), a bug (500, logged as
    Django logs a page's) and a database out of reach (503 with Retry-After, also when the connection
    fails before the operation starts). Each call is one transaction, rolled back on a server error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_exception_handler(OperationalError, self.database_unavailable)
        self.add_exception_handler(InterfaceError, self.database_unavailable)
        self.add_exception_handler(Exception, self.server_error)

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        patterns = [*patterns, re_path(r"^", lambda request, **kwargs: self.no_endpoint(request), name="no-endpoint")]
        for pattern in patterns:
            assert isinstance(pattern, URLPattern), pattern  # django-ninja's are all plain patterns
            pattern.callback = self._json_errors(pattern.callback)
        return patterns, app_name, namespace

    def _json_errors(self, view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def call(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                with transaction.atomic():
                    response = view(request, *args, **kwargs)
                    if response.status_code >= 500:
                        transaction.set_rollback(True)
            except (OperationalError, InterfaceError) as exc:  # connecting, before django-ninja's handlers
                return self.database_unavailable(request, exc)
            except Http404:  # django-ninja's API root (its operations answer their own)
                return self.no_endpoint(request)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                detail = f"{request.method} is not allowed here; use {allowed}."
                response = self.create_response(request, {"detail": detail}, status=405)
                response["Allow"] = allowed
            return response

        # The call opens its own transaction and answers errors inside it: ATOMIC_REQUESTS' transaction
        # opens before the view, so a database out of reach would escape as Django's HTML error page.
        return transaction.non_atomic_requests(call)

    def no_endpoint(self, request: HttpRequest) -> HttpResponse:
        return self.create_response(request, {"detail": f"No endpoint at {request.path}."}, status=404)

    def database_unavailable(self, request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        """The database is out of reach, or cancelled the query: try again shortly."""
        logger.warning("Database unavailable: %s %s: %s", request.method, request.path, exc)
        detail = "The database is unavailable just now; try again shortly."
        response = self.create_response(request, {"detail": detail}, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response

    def server_error(self, request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        """A bug: logged (and mailed to the admins) as Django logs a page's, answered in JSON."""
        extra = {"status_code": 500, "request": request}
        logger.error("Internal Server Error: %s", request.path, exc_info=True, extra=extra)  # in its except block
        signals.got_request_exception.send(sender=None, request=request)  # error trackers (and the test client)
        detail = "Something went wrong on our side; it has been logged."
        return self.create_response(request, {"detail": detail}, status=500)


api = JsonErrorsAPI(
    title="MarOps API",
    version="1",
    description="Who owns each workflow, and who is accountable when an AI agent gets a decision wrong.",
    auth=BearerToken(),
    urls_namespace="api",
    parser=OnceEachParser(),
)


class ErrorOut(Schema):
    """A refusal or failure: 400, 401, 403, 404, 405, 409, 500, 503."""

    detail: str = Field(description="What went wrong, in a sentence.")


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(description='Where: ["body", field], ["query", parameter] or ["path", parameter].')
    msg: str = Field(description="What is wrong with it.")
    type: str | None = Field(None, description="The kind of error, when the schema check found it.")


class InvalidOut(Schema):
    """422: each field or parameter that is wrong, and why."""

    detail: list[FieldErrorOut]


def answers(ok: dict[int, Any], *refusals: int) -> dict[int, Any]:
    """An operation's documented answers: `ok`, the refusals every operation may give (401 without a
    valid token, 403 for a group that may not, 422 for a bad parameter or payload, 503 when the
    database is out of reach), and its own `refusals` (400 for a body that is not JSON, 404, 409)."""
    codes = sorted({401, 403, 422, 503, *refusals})
    return ok | {code: InvalidOut if code == 422 else ErrorOut for code in codes}


def _text(value: str, *, multiline: bool) -> str:
    if problem := text_problem(value, multiline=multiline):
        raise PydanticCustomError("text", problem)
    return value


# One line (names, e-mails, reasons kept in a 100-character column) or several (descriptions), by the
# rule forms and CSV imports use. The pattern documents the same rule in the OpenAPI document.
Line = Annotated[str, AfterValidator(functools.partial(_text, multiline=False))]
Text = Annotated[str, AfterValidator(functools.partial(_text, multiline=True))]
LINE: JsonDict = {"pattern": r"^[^\x00-\x1f\x7f-\x9f\ud800-\udfff]*$"}
TEXT: JsonDict = {"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]*$"}


class Page(Schema):
    """Lists come a page at a time: the body stays a list, and the headers say what else there is."""

    page: int = Field(1, ge=1, le=1_000_000, description="Which page, from 1.")
    per_page: int = Field(PAGE_SIZE, ge=1, le=500, description="How many items a page holds (at most 500).")


Row = TypeVar("Row", bound=Model)


def paged(request: HttpRequest, response: HttpResponse, items: QuerySet[Row], page: Page) -> QuerySet[Row]:
    """One page of `items` (a queryset). `X-Total-Count` says how many there are in all, and a `Link`
    header (rel="next", rel="prev") gives the neighbouring pages, as GitHub's API does."""
    total = items.count()
    start = (page.page - 1) * page.per_page
    response["X-Total-Count"] = str(total)

    def url(number: int) -> str:
        query = request.GET.copy()
        query["page"], query["per_page"] = str(number), str(page.per_page)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    last = max(1, math.ceil(total / page.per_page))
    links = [f'<{url(page.page + 1)}>; rel="next"'] if page.page < last else []
    if page.page > 1:
        links.append(f'<{url(min(page.page - 1, last))}>; rel="prev"')  # past the end: the last page
    if links:
        response["Link"] = ", ".join(links)
    return items[start : start + page.per_page]


# Services name model fields; the API's payload names them differently.
PAYLOAD_NAMES = {
    "step": "step_id",
    "agent": "agent_id",
    "accountable_owner": "accountable_owner_email",
    "owner": "owner_email",
}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    detail = [
        {"loc": ["body", PAYLOAD_NAMES.get(field, field)], "msg": " ".join(messages)}
        for field, messages in errors.items()
    ]
    return api.create_response(request, {"detail": detail}, status=422)


class PersonOut(Schema):
    id: int
    name: str
    email: str


class StepOut(Schema):
    id: int
    order: int
    name: str
    platform: str = Field(..., alias="platform.name")
    mode: str
    agent: str | None = Field(None, alias="agent.name")
    decision: str
    is_buyer_facing: bool


class WorkflowOut(Schema):
    id: int
    name: str
    is_critical: bool
    status: str
    owner: PersonOut | None


class WorkflowDetailOut(WorkflowOut):
    description: str
    steps: list[StepOut]


class AccountableOut(Schema):
    step_id: int
    workflow: str
    accountable: PersonOut | None
    reason: str = Field(description="Why nobody can be named; empty when somebody is.")
    at: datetime.datetime | None = Field(description="The moment the answer is for (UTC); null: now.")


class AsOf(Schema):
    at: datetime.datetime | None = Field(
        None, description="A past moment (ISO 8601, e.g. 2026-11-29T14:02:00Z) to answer as of; default: now."
    )


class IncidentIn(Schema):
    agent_id: int | None = Field(
        None, ge=1, le=BIGINT_MAX, description="The agent; may be left out when step_id is given."
    )
    step_id: int | None = Field(
        None, ge=1, le=BIGINT_MAX, description="The step, where known; its agent is the incident's."
    )
    summary: Line = Field(..., min_length=1, max_length=200, json_schema_extra=LINE)
    description: Text = Field(..., min_length=1, max_length=20_000, json_schema_extra=TEXT)
    severity: Severity
    occurred_at: datetime.datetime | None = Field(
        None, description="Defaults to now; not before 2000, not in the future."
    )
    is_buyer_facing: bool = True
    harm_category: HarmCategory = HarmCategory.OTHER
    affected: Line = Field("", max_length=300, json_schema_extra=LINE)


class IncidentOut(Schema):
    id: int
    summary: str
    agent_id: int
    step_id: int | None
    severity: str
    occurred_at: datetime.datetime
    status: str = Field(..., alias="review.status")
    accountable: PersonOut | None = Field(
        None, alias="accountable", description="Who is accountable now (named at logging, changed only by the review)."
    )
    accountability_reason: str = Field(..., alias="accountable_reason", description="Why nobody is accountable now.")
    accountable_when_logged: PersonOut | None = Field(
        None, description="History: who the step's workflow owner was when the incident was logged."
    )
    root_cause: str = Field(..., alias="review.root_cause")
    review_due_on: datetime.date = Field(..., alias="review.due_on")


class ResolveIn(Schema):
    root_cause: RootCause
    accountable_owner_email: Line = Field(..., min_length=3, max_length=254, json_schema_extra=LINE)
    analysis: Text = Field("", max_length=20_000, json_schema_extra=TEXT)
    # At most what the review's history keeps as a change reason (a 100-character column).
    owner_change_reason: Line = Field(
        "",
        max_length=100,
        json_schema_extra=LINE,
        description="Why the person named so far is no longer accountable: needed when the review names another.",
    )
    expected_version: int | None = Field(
        None,
        ge=0,
        le=INT_MAX,
        description="The review's version you read; a newer one means someone else changed it (409).",
    )


class OwnerIn(Schema):
    owner_email: Line | None = Field(
        ..., min_length=3, max_length=254, json_schema_extra=LINE, description="The new owner; null: no owner."
    )


class PauseIn(Schema):
    reason: Text = Field(..., min_length=1, max_length=1000, json_schema_extra=TEXT)


class AgentOut(Schema):
    id: int
    name: str
    status: str
    allowed_mode: str


class FlagOut(Schema):
    id: int
    kind: str
    subject: str = Field(..., alias="subject_key")
    message: str
    opened_at: datetime.datetime


@api.get(
    "/workflows",
    response=answers({200: list[WorkflowOut]}),
    tags=["workflows"],
    auth=BearerToken("workflows.view_workflow", "read workflows"),
)
def list_workflows(
    request: ApiRequest, response: HttpResponse, page: Query[Page], critical: bool | None = None
) -> QuerySet[Workflow]:
    workflows = workflows_by_name()
    if critical is not None:
        workflows = workflows.filter(is_critical=critical)
    return paged(request, response, workflows, page)


@api.get(
    "/workflows/{workflow_id}",
    response=answers({200: WorkflowDetailOut}, 404),
    tags=["workflows"],
    auth=BearerToken("workflows.view_workflow", "read workflows"),
)
def get_workflow(request: ApiRequest, workflow_id: int) -> Workflow:
    return get_object_or_404(workflow_list(), pk=workflow_id)


@api.put(
    "/workflows/{workflow_id}/owner",
    response=answers({200: WorkflowOut}, 400, 404),
    tags=["workflows"],
    auth=BearerToken("workflows.change_workflow", "change workflows"),
)
def set_workflow_owner(request: ApiRequest, workflow_id: int, payload: OwnerIn) -> Workflow:
    """Give the workflow its one owner (or none, which is flagged). History records the token's user."""
    workflow = get_object_or_404(workflows_by_name(include_deleted=True), pk=workflow_id)
    owner = None
    if payload.owner_email is not None:
        owner = person_by_email(payload.owner_email)
        if owner is None:
            raise ValidationError({"owner_email": f"{payload.owner_email} matches no person."})
    # The user comes from the request (BearerToken sets request.user); simple-history's attribute, unknown to the stubs.
    workflow._change_reason = VIA_API  # type: ignore[attr-defined]
    return workflow_assign_owner(workflow=workflow, owner=owner)


@api.get(
    "/steps/{step_id}/accountable",
    response=answers({200: AccountableOut}, 404),
    tags=["accountability"],
    auth=BearerToken("workflows.view_step", "read steps"),
)
def accountable_for_step(request: ApiRequest, step_id: int, moment: Query[AsOf]) -> dict[str, Any]:
    """The one person accountable for the step (its workflow's owner), or why nobody can be named; with
    `at`, as of that moment, from the recorded history of owners, seats and people."""
    step = get_object_or_404(steps_with_owner(), pk=step_id)
    at = moment.at
    if at is None:
        result = step_accountable(step)
    else:
        at = _past_moment(at)
        result = step_accountable_at(step, at)
    answer = {"step_id": step.pk, "workflow": step.workflow.name, "accountable": result.person}
    return answer | {"reason": result.reason, "at": at}


def _in_utc(moment: datetime.datetime) -> datetime.datetime:
    """`moment` in UTC (without an offset: in the server's time zone). A moment at the edge of the
    calendar (year 1 with an offset) cannot be moved: ValueError."""
    try:
        return (timezone.make_aware(moment) if timezone.is_naive(moment) else moment).astimezone(datetime.UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("That moment cannot be read.") from exc


def _past_moment(at: datetime.datetime) -> datetime.datetime:
    """`at` in UTC, refused if it is still to come."""
    try:
        at = _in_utc(at)
    except ValueError as exc:
        raise _query_error("at", str(exc)) from exc
    if at > timezone.now():
        raise _query_error("at", "That is in the future: ask about a moment that has passed.")
    return at


def _query_error(name: str, message: str) -> ParamError:
    """A 422 naming the query parameter, shaped as django-ninja shapes its own."""
    return ParamError([{"type": "value_error", "loc": ["query", name], "msg": message}])


@api.post(
    "/incidents",
    response=answers({201: IncidentOut}, 400),
    tags=["incidents"],
    auth=BearerToken("governance.add_incident", "log incidents"),
)
def log_incident(request: ApiRequest, payload: IncidentIn) -> Status[Incident]:
    """Log an incident; the answer names the accountable person, or says why nobody can be named."""
    if payload.agent_id is None and payload.step_id is None:
        raise ValidationError({"agent_id": "Give agent_id, or step_id (the agent is then the step's)."})
    step = None
    if payload.step_id is not None:
        step = step_for_incident(payload.step_id)
        if step is None:
            raise ValidationError({"step_id": f"No step {payload.step_id}."})
    if payload.agent_id is None and step is not None and step.agent_id is None:  # no agent_id: there is a step
        raise ValidationError({"agent_id": f"No agent acts in the step “{step.name}”: give agent_id."})
    # Usually the step's own agent, already in hand; the service refuses any other.
    agent = step.agent if step and payload.agent_id in (None, step.agent_id) else None
    # Without the step's agent in hand, agent_id was given (not None).
    agent = agent or agent_get(payload.agent_id)  # type: ignore[arg-type]
    if agent is None:
        raise ValidationError({"agent_id": f"No agent {payload.agent_id}."})
    incident = incident_create(
        reporter=request.auth,
        agent=agent,
        step=step,
        summary=payload.summary,
        description=payload.description,
        severity=payload.severity,
        occurred_at=payload.occurred_at or timezone.now(),  # checked there, as the page's, and stored in UTC
        is_buyer_facing=payload.is_buyer_facing,
        harm_category=payload.harm_category,
        affected=payload.affected,
    )
    return Status(201, incident)  # its review and people are in hand: no need to read them back


@api.get(
    "/incidents",
    response=answers({200: list[IncidentOut]}),
    tags=["incidents"],
    auth=BearerToken("governance.view_incident", "read incidents"),
)
def list_incidents(
    request: ApiRequest, response: HttpResponse, page: Query[Page], open_only: bool = True
) -> QuerySet[Incident]:
    incidents = incident_list().order_by("-occurred_at", "-pk")
    if open_only:
        incidents = incidents.exclude(review__status=ReviewStatus.RESOLVED)
    return paged(request, response, incidents, page)


@api.get(
    "/incidents/{incident_id}",
    response=answers({200: IncidentOut}, 404),
    tags=["incidents"],
    auth=BearerToken("governance.view_incident", "read incidents"),
)
def get_incident(request: ApiRequest, incident_id: int) -> Incident:
    try:
        return incident_get(incident_id)
    except Incident.DoesNotExist as exc:
        raise HttpError(404, f"No incident {incident_id}.") from exc


@api.post(
    "/incidents/{incident_id}/resolve",
    response=answers({200: IncidentOut}, 400, 404, 409),
    tags=["incidents"],
    auth=BearerToken("governance.change_review", "review incidents"),
)
def resolve_incident(request: ApiRequest, incident_id: int, payload: ResolveIn) -> Incident:
    """Resolve the incident's review with its root cause and exactly one accountable owner."""
    try:
        incident = incident_get(incident_id)
    except Incident.DoesNotExist as exc:
        raise HttpError(404, f"No incident {incident_id}.") from exc
    owner = person_by_email(payload.accountable_owner_email)
    if owner is None:
        raise ValidationError({"accountable_owner_email": f"{payload.accountable_owner_email} matches no person."})
    review = incident.review
    if payload.expected_version is not None and payload.expected_version != review.version:
        raise HttpError(409, "Someone else changed this review since you read it; read it again.")
    try:  # the same one step as the review form's Resolve button: both or neither
        review_submit(
            review=review,
            expected_version=review.version,
            root_cause=payload.root_cause,
            analysis=payload.analysis or review.analysis,
            accountable_owner=owner,
            owner_change_reason=payload.owner_change_reason,
            resolve=True,
            by=request.auth,
        )
    except ReviewConflict as exc:
        raise HttpError(409, exc.messages[0]) from exc
    return incident_get(incident_id)


@api.post(
    "/agents/{agent_id}/pause",
    response=answers({200: AgentOut}, 400, 404),
    tags=["agents"],
    auth=BearerToken("governance.add_killswitchevent", "pause agents"),
)
def pause_agent(request: ApiRequest, agent_id: int, payload: PauseIn) -> Agent:
    """Pull the plug on an agent; who, when and why are recorded."""
    agent = get_object_or_404(Agent, pk=agent_id)
    agent_pause(agent=agent, reason=payload.reason, by=request.auth)
    agent.refresh_from_db()
    return agent


@api.get(
    "/agents",
    response=answers({200: list[AgentOut]}),
    tags=["agents"],
    auth=BearerToken("workflows.view_agent", "read agents"),
)
def list_agents(request: ApiRequest, response: HttpResponse, page: Query[Page]) -> QuerySet[Agent]:
    return paged(request, response, agents_by_name(), page)


@api.get(
    "/flags",
    response=answers({200: list[FlagOut]}),
    tags=["ownership"],
    auth=BearerToken("workflows.view_ownershipflag", "read ownership flags"),
)
def open_flags(request: ApiRequest, response: HttpResponse, page: Query[Page]) -> QuerySet[OwnershipFlag]:
    return paged(request, response, flag_list().order_by("-opened_at", "-pk"), page)
