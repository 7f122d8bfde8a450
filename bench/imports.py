"""`make bench`, the imports: a 100,000-row workflow inventory and a 20,000-seat chart, each against the
raw SQL that writes the same rows, in the same run, in interleaved pairs (bench/measure.py).

The raw SQL is exactly the writes the import sends (its INSERT, UPDATE and DELETE statements with their
values, captured while it runs), replayed on their own: what is left of the import's time is reading
the file, checking every row and reading what it checks against. Each run happens in a transaction
that is rolled back, so runs can repeat on the same data and neither side pays for the commit.

`python bench/imports.py` runs this part alone, on its own scratch database (BENCH_IMPORTS_DATABASE_URL,
default marops_bench_imports), with only the catalogue and one owner in it.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/imports.py` runs this part alone

from bench.measure import Comparison, compare, format_row  # noqa: E402

WRITES = ("INSERT", "UPDATE", "DELETE")
INVENTORY_WORKFLOWS, INVENTORY_STEPS = 10_000, 10  # 100,000 rows
CHART_SEATS = 20_000


def inventory_csv(owner_email: str) -> str:
    header = "workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles\n"
    rows = [
        f"Imported workflow {w:05},{'true' if w % 50 == 0 else 'false'},{owner_email},{s},Step {s},"
        f"Import platform {s % 7},{'ai_assisted' if s % 3 == 0 else 'human'},"
        f"{f'Import bot {w % 40}' if s % 3 == 0 else ''},Decide {w}.{s},{'true' if s % 2 else 'false'},"
        "campaign-manager;platform-owner"
        for w in range(INVENTORY_WORKFLOWS)
        for s in range(1, INVENTORY_STEPS + 1)
    ]
    return header + "\n".join(rows) + "\n"


def chart_csv() -> str:
    """A wide, deep chart: four reports a seat, a dotted line on every tenth, a new person on every
    fourth (a planned hire), a salary on every seat."""
    header = (
        "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,"
        "level,salary\n"
    )
    rows = ["s0,Chief Marketing Officer,,,,,cmo,executive,C-level,250000"]
    for i in range(1, CHART_SEATS):
        person = f"Person {i},person{i}@import-bench.example" if i % 4 == 0 else ","
        dotted = "s0" if i % 10 == 0 and (i - 1) // 4 != 0 else ""
        rows.append(
            f"s{i},Seat {i},{person},s{(i - 1) // 4},{dotted},workflow-architect;data-steward,marops,manager,"
            f"{50_000 + i}"
        )
    return header + "\n".join(rows) + "\n"


IMPORT_PAIRS = 3  # interleaved: import, replay, import, replay, import, replay


def _measure(run: Callable[[], object]) -> tuple[Comparison, int]:
    """The import against the time of its writes replayed as raw SQL, in interleaved pairs (each replay
    right after the import whose writes it replays), every run rolled back; and the number of write
    statements."""
    from django.db import connection, transaction

    writes: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(WRITES):
            writes.append((sql, params))
        return execute(sql, params, many, context)

    def import_once() -> None:
        writes.clear()
        with transaction.atomic(), connection.execute_wrapper(capture):
            run()
            transaction.set_rollback(True)

    def replay_once() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in writes:
                cursor.execute(sql, params)
            transaction.set_rollback(True)

    figure = compare(import_once, replay_once, repeat=IMPORT_PAIRS, warmup=0)
    return figure, len(writes)


def imports_bench() -> dict:
    """Both imports against their raw SQL (bench/measure.py's Comparison in "figure"). Needs the role
    catalogue and one active person."""
    from roles.csv_io import chart_import_csv
    from roles.models import Person
    from workflows.csv_io import inventory_import_csv

    owner = Person.objects.filter(is_active=True, is_planned=False).order_by("pk").first()
    inventory = inventory_csv(owner.email)
    chart = chart_csv()
    results = {}
    for name, rows, text, run in [
        ("inventory", INVENTORY_WORKFLOWS * INVENTORY_STEPS, inventory, lambda: inventory_import_csv(text=inventory)),
        ("chart", CHART_SEATS, chart, lambda: chart_import_csv(text=chart, scenario="Import bench")),
    ]:
        figure, statements = _measure(run)
        results[f"{name}_import"] = {
            "rows": rows,
            "file_kb": round(len(text.encode()) / 1024),
            "figure": figure,
            "write_statements": statements,
            "goal": "<= 5x",
        }
    return results


def print_imports(results: dict) -> None:
    for name, label in [
        ("inventory_import", "inventory import, 100,000 rows"),
        ("chart_import", "chart import, 20,000 seats"),
    ]:
        print(format_row(f"{label} / raw SQL", results[name]["figure"], "<= 5x"))


def main() -> None:
    url = os.environ.get("BENCH_IMPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marops_bench_imports")
    os.environ.update(BENCH_DATABASE_URL=url)
    from bench import run  # sets the environment the bench runs in

    run.recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    from roles.models import Person

    call_command("migrate", verbosity=0)
    Person.objects.create(name="Bench owner", email="owner@import-bench.example", level="manager")
    results = imports_bench()
    print_imports(results)
    print({name: figures | {"figure": figures["figure"].as_dict()} for name, figures in results.items()})


if __name__ == "__main__":
    main()
