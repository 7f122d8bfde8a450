"""An HR system's export on its way into the organisation, and what the product learnt from earlier ones:
the column mapping a user confirmed for a header row, and the role a job title means."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from core.db import choices_constraint
from roles.choices import Team

from .choices import ImportStatus, ImportTarget


class ColumnMapping(models.Model):
    """The mapping a user confirmed for one header row, proposed again for the next file with that header."""

    signature = models.CharField(max_length=64, unique=True, help_text="Hash of the normalised header row.")
    fmt = models.CharField("format", max_length=20)
    mapping = models.JSONField(default=dict)  # field -> header ("" for not in the file)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.fmt} mapping {self.signature[:8]}"


class TitleRule(models.Model):
    """A remembered correction: this job title means this role (or no role: a seat outside marketing)."""

    title = models.CharField(max_length=150, help_text="The job title, normalised.")
    role = models.ForeignKey("roles.Role", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    platform = models.ForeignKey(
        "workflows.Platform", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.CharField(max_length=30, choices=Team.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(Lower("title"), name="hr_titlerule_unique_title"),
            models.CheckConstraint(condition=~models.Q(title=""), name="hr_titlerule_title_given"),
            models.CheckConstraint(
                condition=models.Q(team="") | models.Q(team__in=Team.values), name="hr_titlerule_team_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.role or 'no role'}"


class PeopleImport(models.Model):
    """One upload going through mapping → roles → preview → apply. Only its uploader and staff see it."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()  # the file as uploaded (CSV in any supported encoding, or XLSX)
    fmt = models.CharField("format", max_length=20)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # field -> header
    overrides = models.JSONField(default=dict, blank=True)  # title -> {"role": key or "", "platform": key or ""}
    target = models.CharField(max_length=20, choices=ImportTarget.choices, default=ImportTarget.SCENARIO)
    scenario_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    plan = models.JSONField(default=dict, blank=True)  # the preview (hr.plan.Plan.to_json)
    problems = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}]
    chart = models.ForeignKey("roles.Chart", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # who asked for the apply: the history's user for everything it wrote
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            choices_constraint("status", ImportStatus, "hr_peopleimport"),
            choices_constraint("target", ImportTarget, "hr_peopleimport"),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="hr_peopleimport_done_lte_total"
            ),
        ]

    def __str__(self) -> str:
        return f"People import {self.pk} ({self.filename}, {self.status})"

    @property
    def is_previewing(self) -> bool:
        return self.status == ImportStatus.PREVIEWING

    @property
    def is_previewed(self) -> bool:
        return self.status == ImportStatus.PREVIEWED

    @property
    def is_applying(self) -> bool:
        return self.status == ImportStatus.APPLYING

    @property
    def is_applied(self) -> bool:
        return self.status == ImportStatus.APPLIED

    @property
    def is_failed(self) -> bool:
        return self.status == ImportStatus.FAILED

    @property
    def can_apply(self) -> bool:
        """Previewed without problems: the apply form shows."""
        return self.status == ImportStatus.PREVIEWED and not self.problems

    @property
    def is_busy(self) -> bool:
        return self.status in {ImportStatus.PREVIEWING, ImportStatus.APPLYING}

    @property
    def progress_text(self) -> str:
        if not self.total:
            return "Reading the file…"
        verb = "Checked" if self.status == ImportStatus.PREVIEWING else "Written"
        return f"{verb} {self.done:,} of {self.total:,} people…"
