"""The incident log reads newest first, a page at a time (issue 18): an index in that order, so a page
of a million incidents is read from the index instead of sorting the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0008_kill_switch_history_is_kept")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS governance_incident_newest_first "
            "ON governance_incident (occurred_at DESC, id DESC)",
            "DROP INDEX IF EXISTS governance_incident_newest_first",
        ),
    ]
