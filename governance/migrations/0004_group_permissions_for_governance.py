"""Grant the groups the permissions added since 0002 (resume_agent for Leaders)."""

from django.db import migrations

from core.permissions import groups_sync


def sync(apps, schema_editor):
    groups_sync(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_incident_history"),
        ("workflows", "0004_agent_resume_permission"),
    ]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
