from django.db import migrations

from core.permissions import groups_sync


def sync(apps, schema_editor):
    groups_sync(apps, strict=False)  # Leaders manage webhooks; nobody else sees them


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_endpoints_deliveries_attempts")]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
