"""Indexes in the order the lists read (issue 18): the open flags newest first, and the workflows that
are not archived by name, so a page of a million-row table comes from its index, not a sort."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workflows", "0009_findings_version")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS workflows_ownershipflag_open_newest_first "
            "ON workflows_ownershipflag (opened_at DESC, id DESC) WHERE resolved_at IS NULL",
            "DROP INDEX IF EXISTS workflows_ownershipflag_open_newest_first",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS workflows_workflow_listed_by_name "
            "ON workflows_workflow (name, id) WHERE archived_at IS NULL",
            "DROP INDEX IF EXISTS workflows_workflow_listed_by_name",
        ),
    ]
