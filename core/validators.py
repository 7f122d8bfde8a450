"""Rules for text and numbers that every entry point shares: forms, CSV imports and the API call these,
so a name that one accepts the others accept too (and a value PostgreSQL cannot store is refused with a
message instead of a 500)."""

import datetime
import unicodedata
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.utils import pretty_name

# PostgreSQL's integer columns (IntegerField, PositiveIntegerField) and smallint ones.
INT_MAX = 2_147_483_647
SMALLINT_MAX = 32_767


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None. NUL can never be stored (PostgreSQL refuses it);
    other control characters (and, for a one-line name, line breaks) would break headers, CSV and
    layouts."""
    for char in value:
        if char == "\x00":
            return "contains a NUL character"
        if multiline and char in "\n\r\t":
            continue
        if char in "\n\r":
            return "must be on one line"
        category = unicodedata.category(char)
        if category == "Cc":
            return f"contains the control character U+{ord(char):04X}"
        if category == "Cs":  # JSON may carry half of a UTF-16 pair; UTF-8 (and PostgreSQL) cannot hold it
            return f"contains an unpaired surrogate U+{ord(char):04X}"
    return None


def int_problem(value: int, *, low: int = 0, high: int = INT_MAX) -> str | None:
    """Why `value` does not fit the column, or None."""
    if value < low:
        return f"must be at least {low}"
    if value > high:
        return f"must be at most {high:,}"
    return None


BIGINT_MAX = 9_223_372_036_854_775_807  # PostgreSQL's bigint: the ids (BigAutoField)

# The years MarOps records. Earlier dates are typing slips (no AI agent made a decision before 2000),
# and the calendar's edges (years 1 and 9999) overflow once moved to UTC or by a deadline counted from them.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2099


def date_problem(value: datetime.date, *, earliest: int = EARLIEST_YEAR) -> str | None:
    """Why `value` (a date or a moment) is outside the years MarOps records, or None. A date about a
    person's life (a start date) may reach further back: pass its `earliest` year."""
    if value.year < earliest:
        return f"is before {earliest}"
    if value.year > LATEST_YEAR:
        return f"is after {LATEST_YEAR}"
    return None


def field_message(label: str, problem: str) -> str:
    """A refusal that names its field, whether shown beside it or alone in a message at the top of a page."""
    return f"“{label}” {problem}."


def text_errors(lines: Mapping[str, str], texts: Mapping[str, str] | None = None) -> dict[str, str]:
    """For a service: the problems of its one-line `lines` and multi-line `texts` (field name -> value),
    keyed by field, ready for `ValidationError(errors)`."""
    values = [(name, value, False) for name, value in lines.items()]
    values += [(name, value, True) for name, value in (texts or {}).items()]
    return {
        name: field_message(pretty_name(name), problem)
        for name, value, multiline in values
        if (problem := text_problem(value, multiline=multiline))
    }


class InputRules(forms.BaseForm):
    """A form mixin (`class StepForm(InputRules, forms.Form)`): every text, whole-number and date field is
    checked by the rules above after its own checks, each refusal naming the field, so no value the
    database cannot hold or a page cannot show reaches a service. Text is one line unless its widget is
    a Textarea. `service_checks` names fields whose service checks them in the API's words."""

    service_checks: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # Django's own NUL check does not name the field; ours does
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def clean(self) -> dict[str, Any]:
        super().clean()
        for name, value in list(self.cleaned_data.items()):
            field = self.fields[name]
            if name not in self.service_checks and (problem := _field_problem(field, value)):
                self.add_error(name, field_message(str(field.label or pretty_name(name)), problem))
        return self.cleaned_data


def _field_problem(field: forms.Field, value: Any) -> str | None:
    if isinstance(field, forms.CharField) and isinstance(value, str):
        return text_problem(value, multiline=isinstance(field.widget, forms.Textarea))
    if isinstance(field, forms.IntegerField) and isinstance(value, int):
        return int_problem(value, low=-INT_MAX - 1)
    if isinstance(field, forms.DateField | forms.DateTimeField) and isinstance(value, datetime.date):
        # A form field may set `earliest_year` (a start date reaches back further than any incident).
        return date_problem(value, earliest=getattr(field, "earliest_year", EARLIEST_YEAR))
    return None
