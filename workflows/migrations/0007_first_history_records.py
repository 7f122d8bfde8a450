"""Every workflow and step gets a first history record (a workflow's dated when it was created, a
step's now), so who was accountable at a past moment is defined from then on."""

from django.db import migrations

from core.history_start import give_first_records


def first_records(apps, schema_editor):
    give_first_records(apps, "workflows", "Workflow", dated_by="created_at")
    give_first_records(apps, "workflows", "Step", m2m=["roles"])


class Migration(migrations.Migration):

    dependencies = [
        ('roles', '0005_first_history_records'),
        ('workflows', '0006_workflow_and_step_history'),
    ]

    operations = [
        migrations.RunPython(first_records, migrations.RunPython.noop),
    ]
