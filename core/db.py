"""Small database helpers every app uses: choice constraints and a simple CASE."""

from typing import Any

from django.db import models
from django.db.models import CharField, Func, Value


def choices_constraint(field: str, choices: type[models.Choices], app_model: str) -> models.CheckConstraint:
    """A CheckConstraint that keeps `field` within `choices`, even for raw SQL writes."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": choices.values}),
        name=f"{app_model}_{field}_valid",
    )


class Switch(Func):
    """`CASE value WHEN key THEN result … ELSE default END`: `value` is computed once per row.

    Django's `Case(When(x=…), When(x=…))` repeats the whole of `x` in each `When`; when `x` is itself a
    subquery (who is accountable is one), that is SQL to build and plan several times over."""

    def __init__(self, value: Any, cases: dict[str, Any], default: Any = None, output_field: Any = None) -> None:
        self.keys = list(cases)
        results = [Value(result) if isinstance(result, str) else result for result in cases.values()]
        super().__init__(value, *results, default or Value(None), output_field=output_field or CharField())

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        value, *results, default = self.get_source_expressions()
        sql, params = compiler.compile(value)
        parts, params = [f"CASE {sql}"], list(params)
        for key, result in zip(self.keys, results, strict=True):
            result_sql, result_params = compiler.compile(result)
            parts.append(f"WHEN %s THEN {result_sql}")
            params += [key, *result_params]
        default_sql, default_params = compiler.compile(default)
        return " ".join([*parts, f"ELSE {default_sql} END"]), [*params, *default_params]
