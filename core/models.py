"""The ground's one table: a CSV import waiting for, or done by, the worker."""

from django.conf import settings
from django.db import models

from core.db import choices_constraint


class ImportKind(models.TextChoices):
    CHART = "chart", "Chart"
    INVENTORY = "inventory", "Workflow inventory"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for the worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Nothing imported"


class ImportJob(models.Model):
    """An uploaded file and what became of it. The web request stores it and answers at once; a Celery
    task (core.tasks.run_import) validates and applies it, all or nothing, writing its progress here."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    # The file as UTF-8 bytes: a text column cannot hold the NUL byte a bad file may carry, and the
    # importer must see it to name its row.
    content = models.BinaryField()
    params = models.JSONField(default=dict, blank=True)  # what the form added (the scenario's name)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # {"message", "lines", "link", "link_text"}
    errors = models.JSONField(default=list, blank=True)  # [{"row", "reason"}], every bad row
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            choices_constraint("kind", ImportKind, "core_importjob"),
            choices_constraint("status", ImportStatus, "core_importjob"),
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")), name="core_importjob_done_lte_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def succeeded(self) -> bool:
        return self.status == ImportStatus.DONE

    @property
    def progress_text(self) -> str:
        if self.status == ImportStatus.QUEUED:
            return "Waiting for the worker…"
        if not self.total:
            return "Reading the file…"
        if self.done < self.total:
            return f"Checked {self.done:,} of {self.total:,} rows…"
        return f"Checked all {self.total:,} rows; importing them…"
