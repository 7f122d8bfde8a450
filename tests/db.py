"""Helpers for tests that try to break an invariant behind the ORM's back."""

import contextlib

import pytest
from django.db import IntegrityError, connection, transaction


def raw_sql(sql: str, params=()) -> None:
    """Run SQL directly, with foreign keys checked at once rather than at commit."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql, params)


@contextlib.contextmanager
def refused_by_database():
    """The block must fail with an IntegrityError; the surrounding test transaction survives."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield
