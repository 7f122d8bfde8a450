import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError
from django.db.models.functions import Lower

from core.db import choices_constraint
from core.history import HistoricalRecords

from .choices import ChartStatus, Level, Team


class Person(models.Model):
    """Someone in (or around) the marketing organisation; may or may not have a login."""

    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        help_text="The login this person uses, if any.",
    )
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.SPECIALIST)
    start_date = models.DateField("start date", null=True, blank=True)
    is_active = models.BooleanField("active", default=True)
    is_planned = models.BooleanField(
        "planned",
        default=False,
        help_text="A planned hire from a scenario: not in the organisation until the scenario is adopted.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="roles_person_unique_email"),
            choices_constraint("level", Level, "roles_person"),
            # A planned person is not (yet) a real, active member of the organisation.
            models.CheckConstraint(
                condition=models.Q(is_planned=False) | models.Q(is_active=False),
                name="roles_person_planned_is_not_active",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        """What stands in for a photo, on the person's page and in their chart box: the first letters of
        the first and last words of the name (a hyphen splits words; "(interim)" and the like are not words)."""
        words = [w for w in self.name.replace("-", " ").split() if w[:1].isalpha()]
        return "".join(word[0] for word in (words[:1] + words[1:][-1:])).upper() or "?"

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()
        if self.is_planned and self.is_active:
            raise ValidationError(
                {"is_active": "A planned hire becomes active when the scenario that plans them is adopted."}
            )


class Role(models.Model):
    """The role catalogue: the four core MarOps roles, executives and the legacy 2022 roles."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    team = models.CharField(max_length=30, choices=Team.choices)
    band_min = models.PositiveIntegerField("salary band minimum")
    band_max = models.PositiveIntegerField("salary band maximum")
    currency = models.CharField(max_length=3, default="GBP")
    is_core = models.BooleanField(
        "core MarOps role", default=False, help_text="One of the four roles of the 2026 model."
    )
    is_platform_role = models.BooleanField(
        "defined by a platform",
        default=False,
        help_text="A 2022-style role named after the tool it manages (e.g. Marketo admin).",
    )
    min_level = models.CharField(max_length=20, choices=Level.choices, blank=True)

    class Meta:
        ordering = ["-is_core", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(band_min__lte=models.F("band_max")),
                name="roles_role_band_min_lte_max",
            ),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="roles_role_currency_iso"),
            choices_constraint("team", Team, "roles_role"),
            models.CheckConstraint(
                condition=models.Q(min_level="") | models.Q(min_level__in=Level.values),
                name="roles_role_min_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChartQuerySet(models.QuerySet["Chart"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        kept = self.exclude(status=ChartStatus.SCENARIO).first()
        if kept is not None:
            raise ProtectedError(kept.delete_refusal, {kept})
        return super().delete()


class Chart(models.Model):
    """A version of the organisation: the one live chart, a scenario, or a former live chart."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ChartStatus.choices, default=ChartStatus.SCENARIO)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derived_charts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    objects = ChartQuerySet.as_manager()

    class Meta:
        ordering = ["status", "name"]
        constraints = [
            # Exactly one chart is the real organisation; the database refuses a second.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status=ChartStatus.LIVE),
                name="roles_chart_one_live",
            ),
            choices_constraint("status", ChartStatus, "roles_chart"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_live(self) -> bool:
        return self.status == ChartStatus.LIVE

    @property
    def is_scenario(self) -> bool:
        return self.status == ChartStatus.SCENARIO

    @property
    def is_editable(self) -> bool:
        """Former live charts are kept as history and never edited."""
        return self.status != ChartStatus.ARCHIVED

    @property
    def is_deletable(self) -> bool:
        """Only scenarios: the live chart is the organisation, a former live chart its history."""
        return self.status == ChartStatus.SCENARIO

    @property
    def delete_refusal(self) -> str:
        return f"Only scenarios can be deleted; {self.name} is {self.get_status_display()}."

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        if not self.is_deletable:
            raise ProtectedError(self.delete_refusal, {self})
        return super().delete(using=using, keep_parents=keep_parents)


class PositionRole(models.Model):
    """A role held by a position. A role in use cannot be deleted from the catalogue."""

    position = models.ForeignKey("roles.Position", on_delete=models.CASCADE)
    role = models.ForeignKey(Role, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["position", "role"], name="roles_positionrole_unique")]

    def __str__(self) -> str:
        return f"{self.position.title}: {self.role.name}"


def new_position_key() -> str:
    return uuid.uuid4().hex[:12]


class Position(models.Model):
    """A seat in a chart. An empty person is a vacancy to hire or promote into."""

    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="positions")
    title = models.CharField(max_length=150)
    team = models.CharField(max_length=30, choices=Team.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    roles = models.ManyToManyField(Role, through=PositionRole, related_name="positions", blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="positions")
    # RESTRICT, not PROTECT: a manager cannot be deleted while people report to it, but a
    # whole chart (which cascades to all its positions) still can be.
    reports_to = models.ForeignKey("self", on_delete=models.RESTRICT, null=True, blank=True, related_name="reports")
    dotted_lines = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="dotted_reports",
        help_text="Dotted-line managers (e.g. the Data Steward to the CDO).",
    )
    salary = models.PositiveIntegerField(
        null=True, blank=True, help_text="Actual salary, if known; otherwise the role band is used."
    )
    key = models.CharField(
        max_length=64,
        default=new_position_key,
        help_text="Identifies the seat across a chart and its clones (and as position_id in CSV).",
    )
    history = HistoricalRecords(m2m_fields=[roles, dotted_lines])

    class Meta:
        ordering = ["chart", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["chart", "person"],
                condition=models.Q(person__isnull=False),
                name="roles_position_one_per_person_per_chart",
            ),
            models.UniqueConstraint(
                fields=["chart"],
                condition=models.Q(reports_to__isnull=True),
                name="roles_position_one_root_per_chart",
            ),
            models.UniqueConstraint(fields=["chart", "key"], name="roles_position_unique_key_per_chart"),
            models.CheckConstraint(
                condition=~models.Q(reports_to=models.F("id")),
                name="roles_position_not_own_manager",
            ),
            choices_constraint("team", Team, "roles_position"),
            choices_constraint("level", Level, "roles_position"),
        ]
        indexes = [models.Index(fields=["chart", "reports_to"])]

    def __str__(self) -> str:
        holder = self.person.name if self.person is not None else "vacancy"
        return f"{self.title} ({holder})"

    @property
    def is_vacancy(self) -> bool:
        return self.person_id is None

    # `selectors.positions_attach` (and `POSITION_PREFETCH` elsewhere) loads these as `prefetched_*`
    # lists, because Django's usual prefetch builds a related manager and a queryset for every seat (and
    # `.all()` another manager on every read), which cost more than the queries on a 2,000-seat chart.
    # Loaded any other way, a position reads them from the database.
    def _listed(self, relation: str) -> list[Any]:
        cached = self.__dict__.get(f"prefetched_{relation}")
        return cached if cached is not None else list(getattr(self, relation).all())

    def role_list(self) -> list["Role"]:
        return self._listed("roles")

    def dotted_line_list(self) -> list["Position"]:
        return self._listed("dotted_lines")

    def expertise_list(self) -> list[Any]:  # workflows.Platform (roles cannot import workflows)
        return self._listed("platform_expertise")

    def clean(self) -> None:
        if self.reports_to_id is None:
            return
        if self.pk and self.reports_to_id == self.pk:
            raise ValidationError({"reports_to": "A position cannot report to itself."})
        if self.reports_to is not None and self.reports_to.chart_id != self.chart_id:
            raise ValidationError({"reports_to": "The manager must be a position in the same chart."})
        # Cycles need the whole chart; roles.services.position_move checks them.


class Departure(models.Model):
    """Someone left: who recorded it, why, and who took over each thing they held (workflows, reviews,
    actions, assets, data sources, seats), as it was named at that moment. Append-only."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="departures")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300)
    # [{"kind": "Workflow", "label": "Lead routing", "to_id": 7, "to": "Ada Lovelace"}]; "to" empty for a vacancy.
    handoffs = models.JSONField(default=list)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="roles_departure_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.person} left ({self.recorded_at:%d %b %Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ProtectedError("A departure is a record: it is never changed.", {self})
        super().save(*args, **kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        raise ProtectedError("A departure is a record: it is kept.", {self})
