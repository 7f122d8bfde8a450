import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ProtectedError
from django.db.models.functions import Lower
from django.utils import timezone

from core.db import choices_constraint
from core.history import HistoricalRecords
from roles.models import Person
from workflows.choices import AllowedMode
from workflows.models import Agent, Step

from .choices import AssetKind, HarmCategory, KillSwitchAction, ReviewStatus, RootCause, Severity

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]

# The EU AI Act (Article 26(6)) has deployers keep the logs of their high-risk AI systems for at least
# six months. An incident, its review, its corrective actions and their history are kept at least that
# long after the review is resolved; an open review is never deleted.
RETENTION = datetime.timedelta(days=183)


def _append_only(record: models.Model) -> None:
    if not record._state.adding:
        raise ProtectedError(
            f"{record._meta.verbose_name} records are append-only: record a new one instead.", {record}
        )


def score_constraint(field: str, app_model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0, f"{field}__lte": 100}),
        name=f"{app_model}_{field}_0_to_100",
    )


class PolicyDecision(models.Model):
    """The AI governance call for an agent, made by the Head of MarOps."""

    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="policy_decisions")
    allowed_mode = models.CharField(max_length=20, choices=AllowedMode.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="policy_decisions")
    decided_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        constraints = [
            choices_constraint("allowed_mode", AllowedMode, "governance_policydecision"),
            models.CheckConstraint(
                condition=models.Q(rationale__regex=r"\S"),
                name="governance_policydecision_rationale_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.get_allowed_mode_display()} ({self.decided_on})"

    # Append-only: a governance call is history; a new call supersedes it (governance.services.policy_decide).
    def save(self, *args: Any, **kwargs: Any) -> None:
        _append_only(self)
        super().save(*args, **kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        raise ProtectedError("A governance call is kept: record a new call instead.", {self})


class DataSource(models.Model):
    """Data the Data Steward allows (or not) into AI workflows."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    is_allowed = models.BooleanField("allowed into AI workflows", default=False)
    entity_rules = models.TextField(blank=True, help_text="Which entities and fields, under which rules.")
    last_audit_on = models.DateField("last quality audit", null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCORE_VALIDATORS)
    steward = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="stewarded_sources"
    )
    agents = models.ManyToManyField(Agent, blank=True, related_name="data_sources")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="governance_datasource_unique_name"),
            score_constraint("quality_score", "governance_datasource"),
        ]

    def __str__(self) -> str:
        return self.name


class KnowledgeAsset(models.Model):
    """A prompt, knowledge base or instruction set an agent uses; versioned."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    version = models.PositiveIntegerField(default=1)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="knowledge_assets")
    agents = models.ManyToManyField(Agent, blank=True, related_name="knowledge_assets")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="governance_knowledgeasset_unique_version"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="governance_knowledgeasset_version_positive"
            ),
            choices_constraint("kind", AssetKind, "governance_knowledgeasset"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class OutputAudit(models.Model):
    """An audit of an asset's outputs for accuracy and brand consistency."""

    asset = models.ForeignKey(KnowledgeAsset, on_delete=models.CASCADE, related_name="audits")
    audited_on = models.DateField()
    accuracy_score = models.PositiveSmallIntegerField(validators=SCORE_VALIDATORS)
    brand_score = models.PositiveSmallIntegerField("brand-consistency score", validators=SCORE_VALIDATORS)
    sample_size = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    auditor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="output_audits")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-audited_on"]
        constraints = [
            score_constraint("accuracy_score", "governance_outputaudit"),
            score_constraint("brand_score", "governance_outputaudit"),
            models.CheckConstraint(
                condition=models.Q(sample_size__gte=1), name="governance_outputaudit_sample_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset} audited {self.audited_on}"


class KillSwitchEvent(models.Model):
    """Who pulled the plug on an agent (or resumed it), when and why."""

    # PROTECT: the kill switch's record outlives any attempt to delete its agent.
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="kill_switch_events")
    action = models.CharField(max_length=10, choices=KillSwitchAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            choices_constraint("action", KillSwitchAction, "governance_killswitchevent"),
            models.CheckConstraint(
                condition=models.Q(reason__regex=r"\S"), name="governance_killswitchevent_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.get_action_display().lower()} by {self.by}"

    # Append-only: who pulled the plug, when and why is never rewritten nor removed.
    def save(self, *args: Any, **kwargs: Any) -> None:
        _append_only(self)
        super().save(*args, **kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        raise ProtectedError("The kill switch's history is kept: who pulled the plug, when and why.", {self})


class IncidentQuerySet(models.QuerySet["Incident"]):
    def past_retention(self) -> "IncidentQuerySet":
        """Incidents that may be deleted: their review resolved more than RETENTION ago."""
        return self.filter(review__status=ReviewStatus.RESOLVED, review__resolved_at__lte=timezone.now() - RETENTION)

    def delete(self) -> tuple[int, dict[str, int]]:
        kept = self.exclude(pk__in=self.past_retention().values("pk"))
        if kept.exists():
            raise ProtectedError(
                "Incidents are kept at least six months after their review is resolved (EU AI Act, Article 26(6)).",
                set(kept[:10]),
            )
        return super().delete()


class Incident(models.Model):
    """An AI agent got something wrong. Logged in under a minute; reviewed to one owner."""

    summary = models.CharField(max_length=200)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="incidents")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents")
    occurred_at = models.DateTimeField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    is_buyer_facing = models.BooleanField("buyer-facing", default=True)
    description = models.TextField("what happened")
    harm_category = models.CharField(max_length=30, choices=HarmCategory.choices, default=HarmCategory.OTHER)
    affected = models.CharField("who was affected", max_length=300, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_incidents")
    # History: what the accountability test said when the incident was logged. Who is accountable
    # now is the review's `accountable_owner` (see `accountable`), named from this at logging.
    accountable_when_logged = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents_accountable_at_logging",
    )
    accountability_reason = models.TextField(
        blank=True, help_text="Why nobody could be named when the incident was logged, when nobody could."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            choices_constraint("severity", Severity, "governance_incident"),
            choices_constraint("harm_category", HarmCategory, "governance_incident"),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def kept_until(self) -> datetime.datetime | None:
        """The earliest moment it may be deleted; None while its review is open."""
        review = Review.objects.filter(incident=self).only("status", "resolved_at").first()
        if review is None or review.status != ReviewStatus.RESOLVED or review.resolved_at is None:
            return None
        return review.resolved_at + RETENTION

    @property
    def is_past_retention(self) -> bool:
        kept_until = self.kept_until
        return kept_until is not None and kept_until <= timezone.now()

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Its review, corrective actions and their history go with it, so it goes only once the
        retention period is over."""
        if not self.is_past_retention:
            raise ProtectedError(
                f"“{self.summary}” is kept at least six months after its review is resolved "
                "(EU AI Act, Article 26(6)).",
                {self},
            )
        return super().delete(using=using, keep_parents=keep_parents)

    @property
    def accountable(self) -> Person | None:
        """Who is accountable now, the one answer every screen shows: the review's owner, named from
        the step when the incident was logged and changed only by the review (see its timeline)."""
        return self.review.accountable_owner

    @property
    def accountable_reason(self) -> str:
        """Why nobody is accountable now, when nobody is."""
        if self.review.accountable_owner_id is not None:
            return ""
        if self.accountable_when_logged_id is not None:
            return "The review cleared the owner named when the incident was logged and has named nobody since."
        return self.accountability_reason


class Review(models.Model):
    """One per incident. Resolving it needs exactly one accountable owner; the database insists."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    root_cause = models.CharField(max_length=30, choices=RootCause.choices, blank=True)
    analysis = models.TextField(blank=True)
    accountable_owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="accountable_reviews"
    )
    due_on = models.DateField(help_text="Review deadline, from the incident's severity.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on each save; guards concurrent edits.")
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ReviewStatus.RESOLVED)
                | models.Q(accountable_owner__isnull=False, resolved_at__isnull=False),
                name="governance_review_resolved_has_one_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(root_cause="") | models.Q(root_cause__in=RootCause.values),
                name="governance_review_root_cause_valid",
            ),
            choices_constraint("status", ReviewStatus, "governance_review"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.incident}"

    @property
    def is_resolved(self) -> bool:
        return self.status == ReviewStatus.RESOLVED

    @property
    def accepts_actions(self) -> bool:
        """New corrective actions go on an open review; a resolved one's follow-ups are a new incident."""
        return not self.is_resolved

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        raise ProtectedError("A review goes only with its incident (one review per incident).", {self})

    @property
    def is_overdue(self) -> bool:
        """Still open past its deadline (the incident log's "overdue" filter says the same)."""
        return not self.is_resolved and self.due_on < timezone.localdate()


class CorrectiveAction(models.Model):
    """Something to put right, ticked off when done, even after the review is resolved (the timeline
    records each tick)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    assignee = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="corrective_actions")
    due_on = models.DateField()
    is_done = models.BooleanField("done", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:60]

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        raise ProtectedError("A corrective action goes only with its incident; mark it done instead.", {self})
