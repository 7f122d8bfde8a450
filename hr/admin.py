from django.contrib import admin

from .models import ColumnMapping, PeopleImport, TitleRule


@admin.register(TitleRule)
class TitleRuleAdmin(admin.ModelAdmin):
    list_display = ["title", "role", "platform", "team", "created_by", "created_at"]
    search_fields = ["title"]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ["signature", "fmt", "updated_by", "updated_at"]


@admin.register(PeopleImport)
class PeopleImportAdmin(admin.ModelAdmin):
    list_display = ["pk", "filename", "fmt", "status", "created_by", "created_at"]
    exclude = ["content"]
