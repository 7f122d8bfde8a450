from django.apps import AppConfig


class HrConfig(AppConfig):
    name = "hr"
    verbose_name = "People in from HR systems"
