"""Seed the role catalogue (see roles/catalogue.py)."""

from django.db import migrations

from roles.catalogue import catalogue_sync


def create_catalogue(apps, schema_editor):
    catalogue_sync(apps.get_model("roles", "Role"))


class Migration(migrations.Migration):
    dependencies = [("roles", "0001_initial")]
    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]
