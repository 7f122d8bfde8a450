"""A version of everything the chart rules read, so a chart's findings can be kept between requests.

`roles_findings_version` holds one row: `epoch` (random, so two databases sharing a cache never share a
key) and `n`, raised by the commit of every transaction that wrote a table the rules read. On each such
table, triggers (roles/findings_version.py) note the first write of a transaction:

- at once, in a setting local to the transaction (`marops.findings_changed`): its own reads must not be
  kept, since they see what it may yet roll back;
- and by a row in `roles_findings_pending`, whose deferred trigger raises `n` at commit, once per
  transaction whatever it wrote: the version's row is locked only while committing, so writers do not
  wait on each other any longer than that, and a bulk write costs one trigger per statement.

Writes through the ORM, bulk writes, `QuerySet.update`, the admin, imports and raw SQL all count: the
database itself keeps the version. An app whose chart rule reads its own tables adds the triggers to
them in its own migration (workflows does). PostgreSQL only: elsewhere nothing is kept between requests.
"""

from django.db import migrations

from roles.findings_version import DROP_FUNCTIONS, FUNCTIONS, findings_version_triggers

# What roles' own rules read: the chart (is it live?), its seats and their roles, people and dotted lines.
TABLES = [
    "roles_chart",
    "roles_position",
    "roles_positionrole",
    "roles_role",
    "roles_person",
    "roles_position_dotted_lines",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    for table in TABLES:
        schema_editor.execute(findings_version_triggers(table)[0])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(findings_version_triggers(table)[1])
    schema_editor.execute(DROP_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("roles", "0006_person_start_date_and_departures")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
