"""Someone leaves: everything they hold is handed on, in one transaction, and they are deactivated.

This sits in governance because it is the lowest app that sees everything a person can hold: seats
(roles), workflows (workflows), reviews, corrective actions, knowledge assets and data sources (here)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from core.events import publish
from core.validators import text_errors
from roles.choices import ChartStatus
from roles.models import Departure, Person, Position
from roles.services import person_set_active, position_assign_person
from workflows.selectors import accountability_test_score
from workflows.services import workflow_assign_owner

from .selectors import PersonHoldings, person_holdings
from .services import ReviewConflict, corrective_action_assign, data_source_save, knowledge_asset_save, review_save

REASON_LENGTH = 300  # Departure.reason
HISTORY_REASON_LENGTH = 100  # django-simple-history's history_change_reason column


@dataclass(frozen=True)
class Handoff:
    """One thing the leaver holds: `key` names it in the form and in errors ("workflow-12")."""

    key: str
    kind: str
    label: str
    obj: object
    proposed: Person | None
    vacancy_allowed: bool = False  # a seat may be left vacant (to hire into); anything else needs a holder


def successor_proposed(holdings: PersonHoldings) -> Person | None:
    """The holder of the leaver's manager's seat in the live chart, or else the holder of another live
    seat with one of the same core roles: the person most likely to take the work on."""
    person = holdings.person
    for seat in holdings.live_seats:
        manager = seat.reports_to.person if seat.reports_to is not None else None
        if manager is not None and manager.is_active and manager.pk != person.pk:
            return manager
    peers = (
        Position.objects.filter(
            chart__status=ChartStatus.LIVE,
            roles__is_core=True,
            roles__positions__person=person,
            person__is_active=True,
        )
        .exclude(person=person)
        .select_related("person")
        .order_by("title", "pk")
        .first()
    )
    return peers.person if peers is not None else None


def leaver_handoffs(holdings: PersonHoldings) -> list[Handoff]:
    """Everything the leaver holds that needs a new holder, each with its proposed successor."""
    successor = successor_proposed(holdings)
    items = [Handoff(f"workflow-{w.pk}", "Workflow", w.name, w, successor) for w in holdings.workflows]
    items += [Handoff(f"review-{r.pk}", "Open review", r.incident.summary, r, successor) for r in holdings.open_reviews]
    items += [Handoff(f"action-{a.pk}", "Corrective action", str(a), a, successor) for a in holdings.actions]
    items += [Handoff(f"asset-{a.pk}", "Knowledge asset", str(a), a, successor) for a in holdings.assets]
    items += [Handoff(f"source-{s.pk}", "Data source", s.name, s, successor) for s in holdings.sources]
    items += [Handoff(f"seat-{p.pk}", "Seat", p.title, p, None, vacancy_allowed=True) for p in holdings.live_seats]
    return items


def successor_choices(person: Person) -> QuerySet[Person]:
    """Who may take things over: anyone active and real, except the leaver."""
    return Person.objects.filter(is_active=True, is_planned=False).exclude(pk=person.pk).order_by("name")


def _history_reason(text: str) -> str:
    return text if len(text) <= HISTORY_REASON_LENGTH else text[: HISTORY_REASON_LENGTH - 1] + "…"


def _check_holder(successor: Person) -> None:
    """For registers whose own save does not ask: only an active, real person can hold something."""
    if not successor.is_active or successor.is_planned:
        raise ValidationError(f"{successor.name} is not an active member of the organisation.")


def _hand_on(item: Handoff, successor: Person | None, *, leaver: Person, by: User, reason: str) -> None:
    why = _history_reason(f"{leaver.name} left, handed to {successor.name if successor else 'nobody'}: {reason}")
    obj = item.obj
    if item.key.startswith("workflow-"):
        obj._change_reason, obj._history_user = why, by  # type: ignore[attr-defined]  # read by simple-history
        workflow_assign_owner(workflow=obj, owner=successor)  # type: ignore[arg-type]
    elif item.key.startswith("review-"):
        review = obj
        review_save(
            review=review,  # type: ignore[arg-type]
            expected_version=review.version,  # type: ignore[attr-defined]
            root_cause=review.root_cause,  # type: ignore[attr-defined]
            analysis=review.analysis,  # type: ignore[attr-defined]
            accountable_owner=successor,
            owner_change_reason=why,
            by=by,
        )
    elif item.key.startswith("action-"):
        assert successor is not None
        corrective_action_assign(action=obj, assignee=successor, by=by, reason=why)  # type: ignore[arg-type]
    elif item.key.startswith("asset-"):
        assert successor is not None
        _check_holder(successor)
        knowledge_asset_save(asset=obj, data={"owner": successor})  # type: ignore[arg-type]
    elif item.key.startswith("source-"):
        assert successor is not None
        _check_holder(successor)
        data_source_save(source=obj, data={"steward": successor})  # type: ignore[arg-type]
    else:
        obj._change_reason, obj._history_user = why, by  # type: ignore[attr-defined]
        position_assign_person(position=obj, person=successor)  # type: ignore[arg-type]


@transaction.atomic
def person_leave(*, person: Person, successors: Mapping[str, Person | None], by: User, reason: str) -> Departure:
    """Record that `person` left: hand each thing they hold to its successor (`successors[key]`, keys
    from `leaver_handoffs`; a seat may go to nobody, a vacancy), deactivate them, and keep a departure
    record of who handed what to whom and why. All or nothing: one refusal changes nothing."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    reason = reason.strip()
    errors = text_errors({"reason": reason})
    if not reason and "reason" not in errors:
        errors["reason"] = "Say why (for example “left the company on 30 November”): the history keeps it."
    elif len(reason) > REASON_LENGTH:
        errors["reason"] = f"Keep the reason within {REASON_LENGTH} characters."
    if not person.is_active or person.is_planned:
        errors["person"] = f"{person.name} is not an active member of the organisation."
    items = leaver_handoffs(person_holdings(person))
    for item in items:
        successor = successors.get(item.key)
        if successor is None and not item.vacancy_allowed:
            errors[item.key] = f"Choose who takes over {item.kind.lower()} “{item.label}”."
        elif successor is not None and successor.pk == person.pk:
            errors[item.key] = f"{person.name} is the one leaving: choose someone else for “{item.label}”."
    if errors:
        raise ValidationError(errors)
    handoffs = []
    for item in items:
        successor = successors.get(item.key)
        try:
            _hand_on(item, successor, leaver=person, by=by, reason=reason)
        except (ValidationError, ReviewConflict) as exc:
            raise ValidationError({item.key: f"{item.kind} “{item.label}”: {' '.join(exc.messages)}"}) from exc
        handoffs.append(
            {
                "kind": item.kind,
                "label": item.label,
                "to_id": successor.pk if successor else None,
                "to": successor.name if successor else "",
            }
        )
    person_set_active(person=person, is_active=False, by=by, reason=_history_reason(f"Left: {reason}"))
    departure = Departure.objects.create(person=person, recorded_by=by, reason=reason, handoffs=handoffs)
    publish("person.left", person_id=person.pk, departure_id=departure.pk, handoffs=len(handoffs))
    return departure


class _Rollback(Exception):
    pass


def leaver_test_scores(
    *, person: Person, successors: Mapping[str, Person | None], by: User
) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The Test's score now, and as it would be after `person_leave` with these successors (None if it
    would be refused). "After" runs the real handoff inside a savepoint and undoes it, so there is one
    definition of what leaving does and one of the Test."""
    before = accountability_test_score()
    after = None
    try:
        with transaction.atomic():
            person_leave(person=person, successors=successors, by=by, reason="Preview")
            after = accountability_test_score()
            raise _Rollback
    except (_Rollback, ValidationError):
        pass
    return before, after
