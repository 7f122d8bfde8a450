"""Rules for text and numbers that every entry point shares: forms, CSV imports and the API call these,
so a name that one accepts the others accept too (and a value PostgreSQL cannot store is refused with a
message instead of a 500)."""

import unicodedata

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
        if unicodedata.category(char) == "Cc":
            return f"contains the control character U+{ord(char):04X}"
    return None


def int_problem(value: int, *, low: int = 0, high: int = INT_MAX) -> str | None:
    """Why `value` does not fit the column, or None."""
    if value < low:
        return f"must be at least {low}"
    if value > high:
        return f"must be at most {high:,}"
    return None
