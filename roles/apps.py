from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"
    verbose_name = "People, roles and org charts"
