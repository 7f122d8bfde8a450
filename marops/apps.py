from django.apps import AppConfig


class MaropsConfig(AppConfig):
    name = "marops"
    verbose_name = "MarOps"
