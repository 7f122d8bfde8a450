"""The demo company, built once per test session and copied into each test that asks for it.

`seed_demo()` runs hundreds of queries (upserts, history records, the ownership scan); about fifty
tests start from the demo company. On PostgreSQL the session builds it once, inside a transaction it
then rolls back, and keeps every table's rows as `COPY` text; a test gets it back with one `COPY …
FROM STDIN` per table. Foreign keys are `DEFERRABLE INITIALLY DEFERRED`, so the order of the tables
does not matter. `tests/test_demo_snapshot.py` proves the copy equals a fresh `seed_demo()`.

- In a test that runs inside a transaction (the default), the database holds what migrations wrote
  plus whatever the test's other fixtures made; only the rows `seed_demo()` added to the migrated
  database are copied in (and rows it changed are replaced), so those fixtures' rows stay.
- In a `transaction=True` test (the e2e tests), the previous such test's flush has emptied the
  tables and `post_migrate` has refilled content types and permissions under new ids, so every
  table is emptied and refilled with the whole snapshot; pytest-django's flush empties them again
  after the test.

Sequences are never rolled back, so the snapshot's ids stay below anything a later test inserts;
each load still moves every sequence past the snapshot's ids, in case a test reset them. On SQLite
(the laptop fallback), and if the local date has changed since the snapshot (the demo's dates are
relative to today), a load simply runs `seed_demo()`.
"""

import collections
import dataclasses
import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from marops.demo import seed_demo


@dataclasses.dataclass(frozen=True)
class TableCopy:
    table: str
    columns: str  # quoted and comma-separated, the primary key first
    pk: str  # the primary key column
    rows: list[bytes]  # one line of COPY text format per row, starting with its primary key


@dataclasses.dataclass(frozen=True)
class DemoSnapshot:
    taken_on: datetime.date
    whole: list[TableCopy]  # every table after seed_demo()
    added: list[TableCopy]  # the rows seed_demo() wrote to the migrated database
    replaced: list[TableCopy]  # the rows of the migrated database seed_demo() changed or deleted
    sequences: list[tuple[str, int]]  # each sequence and its value after seed_demo()

    @classmethod
    def take(cls) -> "DemoSnapshot | None":
        """Run seed_demo() in a transaction that is rolled back; None where COPY is not available."""
        if connection.vendor != "postgresql":
            return None
        with transaction.atomic():
            before = _copy_tables()
            taken_on = timezone.localdate()
            seed_demo()
            whole = _copy_tables()
            sequences = _sequence_values()
            transaction.set_rollback(True)
        added, replaced = [], []
        for old, new in zip(before, whole, strict=True):
            old_rows, new_rows = collections.Counter(old.rows), collections.Counter(new.rows)
            if new_rows - old_rows:
                added.append(dataclasses.replace(new, rows=list((new_rows - old_rows).elements())))
            if old_rows - new_rows:
                replaced.append(dataclasses.replace(old, rows=list((old_rows - new_rows).elements())))
        return cls(taken_on, whole, added, replaced, sequences)

    def load(self) -> None:
        """Put the demo company into the current test's database, as seed_demo() would."""
        if timezone.localdate() != self.taken_on:
            seed_demo()
        elif connection.in_atomic_block:
            self._load_added()
        else:
            with transaction.atomic():
                self._load_whole()
            ContentType.objects.clear_cache()  # the flush gave content types other ids

    def _load_added(self) -> None:
        with connection.cursor() as cursor:
            for copy in self.replaced:
                keys = [row.split(b"\t", 1)[0].decode() for row in copy.rows]
                cursor.execute(f"DELETE FROM {quote(copy.table)} WHERE {quote(copy.pk)}::text = ANY(%s)", [keys])
            _paste(cursor, self.added)
            self._move_sequences(cursor)

    def _load_whole(self) -> None:
        with connection.cursor() as cursor:
            # DELETE, not TRUNCATE: on a few hundred rows it takes milliseconds, TRUNCATE half a second.
            cursor.execute("; ".join(f"DELETE FROM {quote(copy.table)}" for copy in self.whole))
            _paste(cursor, [copy for copy in self.whole if copy.rows])
            self._move_sequences(cursor)

    def _move_sequences(self, cursor) -> None:
        """Move each sequence past the snapshot's ids (they only ever go back if a test resets them)."""
        if self.sequences:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT setval(%s::regclass, GREATEST(%s, last_value)) FROM {quote(name)}"
                    for name, _ in self.sequences
                ),
                [value for pair in self.sequences for value in pair],
            )


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _tables() -> list[tuple[str, str]]:
    """Every table of the installed apps' models (the ones a flush empties), with its primary key column."""
    existing = set(connection.introspection.table_names())
    tables = {
        model._meta.db_table: model._meta.pk.column
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    }
    return sorted(tables.items())


def _copy_tables() -> list[TableCopy]:
    copies = []
    with connection.cursor() as cursor:
        for table, pk in _tables():
            description = connection.introspection.get_table_description(cursor, table)
            columns = ", ".join(quote(name) for name in [pk] + [f.name for f in description if f.name != pk])
            with cursor.copy(f"COPY {quote(table)} ({columns}) TO STDOUT") as copy:
                data = b"".join(bytes(block) for block in copy)
            copies.append(TableCopy(table, columns, pk, data.splitlines()))
    return copies


def _paste(cursor, copies: list[TableCopy]) -> None:
    for copy in copies:
        with cursor.copy(f"COPY {quote(copy.table)} ({copy.columns}) FROM STDIN") as target:
            target.write(b"\n".join(copy.rows) + b"\n")


def _sequence_values() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
        return cursor.fetchall()
