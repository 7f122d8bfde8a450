"""Small helpers for constraints that every app uses."""

from django.db import models


def choices_constraint(field: str, choices: type[models.Choices], app_model: str) -> models.CheckConstraint:
    """A CheckConstraint that keeps `field` within `choices`, even for raw SQL writes."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": choices.values}),
        name=f"{app_model}_{field}_valid",
    )
