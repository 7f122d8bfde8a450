"""The three groups of DESIGN.md and what each may do.

Leaders edit charts, workflows, owners and agents. MarOps staff log and review incidents and
maintain agents, data sources and knowledge assets. Executives read everything and change nothing.
Everyone in a group may view every model.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ["roles", "workflows", "governance", "marops"]
ALL = ("add", "change", "delete", "view")

GROUPS = {
    "Leaders": {
        "roles": {m: ALL for m in ["person", "chart", "position", "positionrole"]},
        "workflows": {m: ALL for m in ["platform", "workflow", "step", "agent"]}
        | {"ownershipflag": ("view", "change")},
        "governance": {"policydecision": ("add", "view"), "killswitchevent": ("add", "view")},
    },
    "MarOps staff": {
        "workflows": {"agent": ("add", "change", "view")},
        "governance": {
            "incident": ("add", "change", "view"),
            "review": ("add", "change", "view"),
            "correctiveaction": ALL,
            "killswitchevent": ("add", "view"),
            "datasource": ALL,
            "knowledgeasset": ALL,
            "outputaudit": ALL,
        },
    },
    "Executives": {},
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_all = Permission.objects.filter(content_type__app_label__in=APPS, codename__startswith="view_")
    for group_name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*view_all)
        for app_label, models in grants.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                assert perms.count() == len(codenames), (app_label, model, codenames)
                group.permissions.add(*perms)


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
