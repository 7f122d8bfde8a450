from typing import TypeGuard


def is_id(value: object) -> TypeGuard[str | int]:
    """True for a database id given as text ("12"); False for "", "abc" or "²" (which isdigit() accepts)."""
    text = str(value or "")
    return text.isascii() and text.isdecimal() and len(text) < 19
