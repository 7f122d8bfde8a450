"""The three groups of docs/design.md and what each may do.

Leaders edit charts, workflows, owners and agents. MarOps staff log and review incidents and
maintain agents, data sources and knowledge assets. Executives read everything and change nothing.
Everyone in a group may view every model of the three apps.

`groups_sync` takes an app registry so that data migrations can pass their historical one and
`seed_demo` the current one. A later issue that adds models adds a migration calling it again.
"""

from django.apps.registry import Apps
from django.contrib.auth import backends
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.db.models import Model, Q

APPS = ["roles", "workflows", "governance", "marops"]
ALL = ("add", "change", "delete", "view")

# group → app label → model → the actions it may take
GROUPS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "Leaders": {
        "roles": dict.fromkeys(["person", "chart", "position", "positionrole"], ALL),
        "workflows": dict.fromkeys(["platform", "workflow", "step"], ALL)
        | {"agent": (*ALL, "resume", "retire"), "ownershipflag": ("view", "change")},
        "governance": {"policydecision": ("add", "view"), "killswitchevent": ("add", "view")},
        "marops": {"migrationplan": ("add", "change", "view")},
        # Only Leaders see webhooks (their secrets sign what MarOps sends): the app is not in APPS.
        "webhooks": {"endpoint": ALL, "delivery": ("view", "change")},
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


def groups_sync(apps: Apps, *, strict: bool = True) -> None:
    """Create the groups and grant them their permissions (adding, never removing).

    Data migrations pass strict=False: a migration's historical registry may not have the
    permissions that later migrations add, so it grants those that exist, and the migration that
    adds a permission calls it again. `seed_demo` and the tests run it strictly, so a misspelt
    grant still fails loudly."""
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        had_models = getattr(app_config, "models_module", None)
        app_config.models_module = had_models or True  # type: ignore[assignment]  # create_permissions asks only if it is set
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = had_models

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_all = Permission.objects.filter(content_type__app_label__in=APPS, codename__startswith="view_")
    for group_name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*view_all)
        for app_label, models in grants.items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]  # e.g. resume_agent
                perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                if strict and perms.count() != len(codenames):
                    raise LookupError(f"Missing permissions for {app_label}.{model}: {codenames}")
                group.permissions.add(*perms)


class ModelBackend(backends.ModelBackend):
    """Django's, but reading what a user may do (their own permissions and their groups') in one query
    instead of two, once per request: every signed-in page asks."""

    def get_all_permissions(self, user_obj: User | AnonymousUser, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        cached: set[str] | None = getattr(user_obj, "_perm_cache", None)
        if cached is None:
            rows = (
                Permission.objects.filter(Q(group__user=user_obj) | Q(user=user_obj))
                .values_list("content_type__app_label", "codename")
                .distinct()
            )
            cached = {f"{app_label}.{codename}" for app_label, codename in rows}
            user_obj._perm_cache = cached  # type: ignore[attr-defined]  # ModelBackend's own cache, read by has_perm
        return cached
