from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from .choices import ChartStatus
from .models import Chart, Person, Position, PositionRole, Role
from .services import people_changed

# Saves in Django admin change who is accountable as the services do (a person deactivated, a seat of
# the live chart filled, vacated, moved to another team or removed, a chart made or unmade live), so
# they tell the same listeners, inside the admin's transaction: the flags never wait for the scan.
SEAT_FIELDS = {"chart", "person", "team"}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "level", "is_active", "user"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user"]

    def save_model(self, request: HttpRequest, obj: Person, form: "ModelForm[Person]", change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            people_changed([obj.pk])


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key",
        "team",
        "band_min",
        "band_max",
        "currency",
        "is_core",
        "is_platform_role",
        "min_level",
    ]
    list_filter = ["is_core", "is_platform_role", "team"]
    search_fields = ["name", "key", "description"]
    prepopulated_fields = {"key": ["name"]}


class PositionRoleInline(admin.TabularInline):
    model = PositionRole
    extra = 1
    autocomplete_fields = ["role"]


@admin.register(Chart)
class ChartAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "based_on", "created_at", "adopted_at"]
    list_filter = ["status"]
    search_fields = ["name", "description"]

    def save_model(self, request: HttpRequest, obj: Chart, form: "ModelForm[Chart]", change: bool) -> None:
        was_live = change and Chart.objects.filter(pk=obj.pk, status=ChartStatus.LIVE).exists()
        super().save_model(request, obj, form, change)
        if was_live != (obj.status == ChartStatus.LIVE):
            people_changed(None)  # another live chart (or none): anyone's seats may have changed

    def has_change_permission(self, request: HttpRequest, obj: Chart | None = None) -> bool:
        """A former live chart is history, read-only here as on its page."""
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Chart | None = None) -> bool:
        """Only scenarios go (roles.services.chart_delete): the live chart is the organisation, a former
        live chart its history. The bulk action asks this of each chart and deletes none if one is kept."""
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_deletable)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "chart", "person", "reports_to", "team", "level", "salary"]
    list_filter = ["chart", "team", "level"]
    search_fields = ["title", "person__name", "person__email"]
    list_select_related = ["chart", "person", "reports_to"]
    autocomplete_fields = ["person", "reports_to", "dotted_lines"]
    inlines = [PositionRoleInline]

    def has_change_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        """A seat of a former live chart is history, read-only here as on its chart's page."""
        return super().has_change_permission(request, obj) and (obj is None or obj.chart.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Position | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.chart.is_editable)

    def save_model(self, request: HttpRequest, obj: Position, form: "ModelForm[Position]", change: bool) -> None:
        before = Position.objects.filter(pk=obj.pk).values_list("chart__status", "person_id").first()
        was_live, previous_person = before or (None, None)
        super().save_model(request, obj, form, change)
        seat_changed = not change or not SEAT_FIELDS.isdisjoint(form.changed_data)
        if seat_changed and ChartStatus.LIVE in (was_live, obj.chart.status):
            people_changed([previous_person, obj.person_id])

    def delete_model(self, request: HttpRequest, obj: Position) -> None:
        super().delete_model(request, obj)
        if obj.chart.status == ChartStatus.LIVE:
            people_changed([obj.person_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Position]) -> None:
        people = list(queryset.filter(chart__status=ChartStatus.LIVE).values_list("person_id", flat=True))
        super().delete_queryset(request, queryset)
        people_changed(people)
