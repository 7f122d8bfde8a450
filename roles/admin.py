from django.contrib import admin

from .models import Chart, Person, Position, PositionRole, Role


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "level", "is_active", "user"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user"]


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


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "chart", "person", "reports_to", "team", "level", "salary"]
    list_filter = ["chart", "team", "level"]
    search_fields = ["title", "person__name", "person__email"]
    list_select_related = ["chart", "person", "reports_to"]
    autocomplete_fields = ["person", "reports_to", "dotted_lines"]
    inlines = [PositionRoleInline]
