"""Every person (and every seat without one) gets a first history record, so who was accountable at a
past moment is defined from now on (workflows.accountability.step_accountable_at)."""

from django.db import migrations

from core.history_start import give_first_records


def first_records(apps, schema_editor):
    give_first_records(apps, "roles", "Person")  # no created_at: the record is dated now
    give_first_records(apps, "roles", "Position", m2m=["roles", "dotted_lines"])


class Migration(migrations.Migration):

    dependencies = [
        ('roles', '0004_person_planned_and_history'),
    ]

    operations = [
        migrations.RunPython(first_records, migrations.RunPython.noop),
    ]
