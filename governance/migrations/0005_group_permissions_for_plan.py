"""Grant Leaders the migration plan (marops.MigrationPlan)."""

from django.db import migrations

from core.permissions import groups_sync


def sync(apps, schema_editor):
    groups_sync(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_group_permissions_for_governance"),
        ("marops", "0003_migration_plan"),
    ]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
