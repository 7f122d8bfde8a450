"""Create the three groups with their permissions (see marops/permissions.py)."""

from django.db import migrations

from core.permissions import groups_sync


def create_groups(apps, schema_editor):
    groups_sync(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("marops", "0001_initial"),
        ("roles", "0002_role_catalogue"),
        ("workflows", "0001_initial"),
        ("governance", "0001_initial"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
