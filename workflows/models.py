from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from core.db import choices_constraint
from core.history import HistoricalRecords
from roles.models import Person, Position, Role

from .choices import AgentStatus, AllowedMode, FlagKind, PlatformCategory, StepMode, WorkflowStatus


class Platform(models.Model):
    """A tool the work runs through: Marketo, Salesforce, an AI service…"""

    name = models.CharField(max_length=120)
    category = models.CharField(max_length=30, choices=PlatformCategory.choices)
    experts = models.ManyToManyField(
        Position,
        blank=True,
        related_name="platform_expertise",
        help_text="Positions with expertise in this platform (experts serve workflow owners).",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="workflows_platform_unique_name"),
            choices_constraint("category", PlatformCategory, "workflows_platform"),
        ]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """An AI agent that makes or assists decisions inside workflow steps."""

    name = models.CharField(max_length=120)
    purpose = models.TextField(blank=True)
    vendor = models.CharField(max_length=120, blank=True)
    model_name = models.CharField("model", max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=AgentStatus.choices, default=AgentStatus.ACTIVE)
    allowed_mode = models.CharField(
        "highest mode allowed",
        max_length=20,
        choices=AllowedMode.choices,
        default=AllowedMode.ASSISTED,
        help_text="Set by the latest AI governance call (governance.PolicyDecision).",
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("resume_agent", "Can resume a paused agent (a Leader's decision)"),
            ("retire_agent", "Can retire an agent that acts in no workflow (a Leader's decision)"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="workflows_agent_unique_name"),
            choices_constraint("status", AgentStatus, "workflows_agent"),
            choices_constraint("allowed_mode", AllowedMode, "workflows_agent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == AgentStatus.ACTIVE

    @property
    def is_paused(self) -> bool:
        return self.status == AgentStatus.PAUSED

    @property
    def is_retired(self) -> bool:
        return self.status == AgentStatus.RETIRED


class Workflow(models.Model):
    """An end-to-end piece of marketing work, owned by exactly one person (or, flagged, none)."""

    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_workflows")
    is_critical = models.BooleanField("critical", default=False, help_text="One of the 5–7 most important workflows.")
    status = models.CharField(max_length=20, choices=WorkflowStatus.choices, default=WorkflowStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was deleted: a deleted workflow is archived (retired for good, read-only), so its "
        "steps, flags, incidents and history stay.",
    )
    # Who changed the owner (or anything else), when, and how: the system of record keeps it.
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="workflows_workflow_unique_name"),
            choices_constraint("status", WorkflowStatus, "workflows_workflow"),
            # An archived workflow is out of use for good: retired, so every list, the scan and the Test
            # leave it out exactly as they leave out a retired one.
            models.CheckConstraint(
                condition=models.Q(archived_at__isnull=True) | models.Q(status=WorkflowStatus.RETIRED),
                name="workflows_workflow_archived_is_retired",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Deleting a workflow archives it (workflows.services.workflow_archive): its steps, flags,
        incidents and history are the system of record's, and stay. Nothing is deleted."""
        from .services import workflow_archive  # services import this module

        workflow_archive(workflow=self)
        return 0, {}

    @property
    def is_active(self) -> bool:
        """In use; a draft or retired workflow shows its status beside its name."""
        return self.status == WorkflowStatus.ACTIVE

    @property
    def is_archived(self) -> bool:
        """Deleted by a user: kept, read-only, out of every list (see `delete`)."""
        return self.archived_at is not None

    @property
    def is_editable(self) -> bool:
        return not self.is_archived

    # Both read prefetched steps (see selectors.workflow_list), so a list costs no extra query.
    @property
    def platform_names(self) -> list[str]:
        return list(dict.fromkeys(step.platform.name for step in self.steps.all()))

    @property
    def ai_step_count(self) -> int:
        return sum(1 for step in self.steps.all() if step.mode != StepMode.HUMAN)


class Step(models.Model):
    """One ordered step of a workflow: where it runs, who or what decides, and whether buyers see it."""

    # PROTECT: a workflow is archived, never deleted with its steps (Workflow.delete).
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveIntegerField()
    name = models.CharField(max_length=150)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="steps")
    mode = models.CharField(max_length=20, choices=StepMode.choices, default=StepMode.HUMAN)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="steps")
    decision = models.TextField(blank=True, help_text="The decision made in this step.")
    is_buyer_facing = models.BooleanField("buyer-facing", default=False)
    roles = models.ManyToManyField(
        Role, blank=True, related_name="steps", help_text="The human roles that touch this step."
    )
    history = HistoricalRecords(m2m_fields=[roles])

    class Meta:
        ordering = ["workflow", "order"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "order"], name="workflows_step_unique_order"),
            # An AI step must name the agent acting in it.
            models.CheckConstraint(
                condition=models.Q(mode=StepMode.HUMAN) | models.Q(agent__isnull=False),
                name="workflows_step_ai_mode_needs_agent",
            ),
            choices_constraint("mode", StepMode, "workflows_step"),
        ]

    def __str__(self) -> str:
        return f"{self.workflow.name} · {self.order}. {self.name}"


@dataclass(frozen=True)
class Remedy:
    """What to do about a flag: a link's text and where it goes."""

    label: str
    url: str


class OwnershipFlag(models.Model):
    """A finding of the ownership scan, open until its cause is gone.

    `subject_key` ("workflow:12", "step:40", "agent:3") names what the flag is about, so the
    database can keep at most one open flag per subject and kind.
    """

    kind = models.CharField(max_length=40, choices=FlagKind.choices)
    subject_key = models.CharField(max_length=60)
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, null=True, blank=True, related_name="flags")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, null=True, blank=True, related_name="flags")
    message = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the Head of MarOps' digest e-mail first listed this flag."
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["resolved_at", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key"],
                condition=models.Q(resolved_at__isnull=True),
                name="workflows_ownershipflag_one_open_per_subject_and_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(workflow__isnull=False)
                | models.Q(step__isnull=False)
                | models.Q(agent__isnull=False),
                name="workflows_ownershipflag_has_subject",
            ),
            choices_constraint("kind", FlagKind, "workflows_ownershipflag"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_key}"

    @property
    def incident_id(self) -> int | None:
        """The incident an incident flag is about (its subject is "incident:<id>"); None for other kinds."""
        if self.kind != FlagKind.INCIDENT_WITHOUT_OWNER:
            return None
        return int(self.subject_key.removeprefix("incident:"))

    @property
    def remedy(self) -> Remedy | None:
        """Where the flag gets fixed: the incident's review, the workflow's owner, or the agent; None if nowhere."""
        if self.incident_id is not None:
            url = reverse("governance:incident-detail", args=[self.incident_id])
            return Remedy("Name the accountable owner in the review", url)
        if self.workflow_id is not None:
            url = reverse("workflows:workflow-detail", args=[self.workflow_id])
            if self.kind == FlagKind.NO_SINGLE_ACCOUNTABLE:
                return Remedy(f"Give “{self.workflow}” an active owner", url)
            if self.kind == FlagKind.OWNER_OUTSIDE_MAROPS:
                return Remedy("Assign a MarOps owner", url)
            return Remedy("Assign an owner", url)
        if self.agent_id is not None:
            url = reverse("governance:agent-detail", args=[self.agent_id])
            return Remedy(f"Put {self.agent} in a workflow step, or pause or retire it", url)
        return None


class FlagDigest(models.Model):
    """The Head of MarOps' digest of one day: at most one per day, whatever the number of workers, beat
    runs or retries (the unique day decides). Beat asks every few minutes; the first run after the digest
    hour sends it, so a digest missed while Redis or the worker was down goes out when they return."""

    day = models.DateField(unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    flags = models.PositiveIntegerField(default=0, help_text="How many new flags it listed (0: no e-mail needed).")

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Flag digest of {self.day} ({self.flags} flags)"
