"""The chart rule of workflows (`platform-organised`) reads who owns a workflow and the seats' platform
expertise: writes to them raise the findings version too (roles/migrations/0007_findings_version.py)."""

from django.db import migrations

from roles.findings_version import findings_version_triggers

TABLES = {
    "workflows_workflow": "(OLD.owner_id, OLD.archived_at) IS DISTINCT FROM (NEW.owner_id, NEW.archived_at)",
    "workflows_platform": "OLD.* IS DISTINCT FROM NEW.*",
    "workflows_platform_experts": "OLD.* IS DISTINCT FROM NEW.*",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, changed in TABLES.items():
            schema_editor.execute(findings_version_triggers(table, changed)[0])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, changed in TABLES.items():
            schema_editor.execute(findings_version_triggers(table, changed)[1])


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0007_findings_version"),
        ("workflows", "0008_workflow_archive_and_daily_digest"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
