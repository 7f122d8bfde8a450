"""`make bench`, the HR import (issue 14): previewing and applying an export of 5,000 people (times the scale),
each against the raw SQL that writes the same rows, interleaved (bench/measure.py), with the number of
queries each takes at two sizes (the same whatever the size: the import is set-based).

The raw SQL is exactly the writes the apply sends (its INSERT, UPDATE and DELETE statements with their values,
captured while it runs), replayed on their own, as bench/imports.py does for the chart CSV. The apply is a
sync of the live chart (the demo's: its people who are not in the file leave), whose writes all name their
rows, so the replay does exactly the same work; every run is rolled back, so runs repeat on the same data and
neither side pays for the commit.

    measure(scale=1) -> dict   # for bench/run.py
    python bench/people_import.py [--scale N]   # alone, on BENCH_DATABASE_URL (default marops_bench_hr)
"""

import csv
import io
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/people_import.py` runs this part alone

from bench.measure import Comparison, compare, format_row  # noqa: E402

PEOPLE = 5_000
SMALL = 500  # the second size, for the query count
PAIRS = 3  # interleaved: import, replay, import, replay, import, replay
WRITES = ("INSERT", "UPDATE", "DELETE")
TITLES = [
    "Campaign Manager",
    "Marketo Admin",
    "Account Executive",
    "Content Marketer",
    "Software Engineer",
    "Marketing Coordinator",
    "Financial Analyst",
    "Growth Marketing Manager",
    "Marketing Operations Specialist",
    "Sales Development Representative",
]
DEPARTMENTS = ["Demand Generation", "Marketing Operations", "Sales", "Content", "Engineering", "Marketing", "Finance"]


def hr_file(people: int) -> bytes:
    """A BambooHR-shaped export: a CEO, then five reports a manager, a salary and a start date on every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Employee #",
            "First Name",
            "Last Name",
            "Work Email",
            "Job Title",
            "Department",
            "Supervisor EID",
            "Hire Date",
            "Pay rate",
        ]
    )
    # the top is the live chart's own (the demo's CEO), as in a real sync
    writer.writerow(
        ["E0", "Evelyn", "Carter", "evelyn.carter@halcyon.example", "Chief Executive Officer", "Executive", "", "", ""]
    )
    for n in range(1, people):
        writer.writerow(
            [
                f"E{n}",
                f"Person{n}",
                f"Bench{n % 97}",
                f"e{n}@hr-bench.example",
                TITLES[n % len(TITLES)],
                DEPARTMENTS[n % len(DEPARTMENTS)],
                f"E{(n - 1) // 5}",
                f"20{10 + n % 15}-0{1 + n % 9}-1{n % 9}",
                f"{40_000 + n}.00 GBP",
            ]
        )
    return out.getvalue().encode()


def _people_import(content: bytes) -> Any:
    from hr.formats import detect_format, propose_mapping, read_table
    from hr.models import PeopleImport

    table = read_table(content, "bench.csv")
    fmt = detect_format(table.headers)
    return PeopleImport(
        filename="bench.csv",
        content=content,
        fmt=fmt,
        headers=table.headers,
        mapping=propose_mapping(table.headers, fmt),
    )


def _run(content: bytes, scenario: str) -> tuple[Any, Any]:
    """The preview and the apply of `content`, as functions (each rolled back by the caller)."""
    from hr.apply import apply_rows
    from hr.plan import build_plan, people_import_rows

    people_import = _people_import(content)

    def preview() -> None:
        plan = build_plan(people_import)
        if plan.problems:
            raise SystemExit(f"the bench file has problems: {plan.problems[:3]}")

    def apply() -> None:
        rows, _ = people_import_rows(people_import)
        apply_rows(rows, target="live", scenario_name="", overrides={}, by=None, reason="HR import bench")

    return preview, apply


def _counted(run: Any) -> tuple[int, list[tuple[str, Any]]]:
    """Queries `run` takes (rolled back), and its writes."""
    from django.db import connection, transaction

    queries: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(capture):
        run()
        transaction.set_rollback(True)
    return len(queries), [(sql, params) for sql, params in queries if sql.lstrip().upper().startswith(WRITES)]


def measure(scale: int = 1) -> dict[str, Any]:
    """Preview and apply of an HR export of 5,000 x `scale` people against the raw SQL of the same writes.
    Needs a live chart (the demo's will do) and the role catalogue."""
    from django.db import connection, transaction

    people = PEOPLE * scale
    content = hr_file(people)
    preview, apply = _run(content, "HR import bench")
    _, writes = _counted(apply)  # also a warm-up

    def replay() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in writes:
                cursor.execute(sql, params)
            transaction.set_rollback(True)

    def rolled_back(run: Any) -> Any:
        def once() -> None:
            with transaction.atomic():
                run()
                transaction.set_rollback(True)

        return once

    preview_figure = compare(rolled_back(preview), replay, repeat=PAIRS, warmup=0)
    apply_figure = compare(rolled_back(apply), replay, repeat=PAIRS, warmup=0)
    small_preview, small_apply = _run(hr_file(SMALL), "HR import bench (small)")
    queries = {
        "preview": {people: _counted(preview)[0], SMALL: _counted(small_preview)[0]},
        "apply": {people: _counted(apply)[0], SMALL: _counted(small_apply)[0]},
    }
    return {
        "people": people,
        "file_kb": round(len(content) / 1024),
        "write_statements": len(writes),
        "preview": preview_figure,
        "apply": apply_figure,
        "queries": queries,
        "fixed_queries": all(len(set(sizes.values())) == 1 for sizes in queries.values()),
        "goal": "<= 5x",
    }


def print_people_import(results: dict[str, Any]) -> None:
    people = results["people"]
    for name in ("preview", "apply"):
        print(format_row(f"HR import {name}, {people:,} people / raw SQL", results[name], "<= 5x"))
    for name, sizes in results["queries"].items():
        counts = ", ".join(
            f"{count} at {int(size):,}" for size, count in sorted(sizes.items(), key=lambda s: int(s[0]))
        )
        print(f"  {name} queries: {counts}")


def as_json(results: dict[str, Any]) -> dict[str, Any]:
    return {key: value.as_dict() if isinstance(value, Comparison) else value for key, value in results.items()} | {
        "queries": {name: {str(k): v for k, v in sizes.items()} for name, sizes in results["queries"].items()}
    }


def main() -> None:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE") or 1))
    parser.add_argument("--json-to", help="write the figures as JSON to this file (make bench reads them)")
    args = parser.parse_args()
    scale = args.scale
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marops_bench_hr")
    os.environ.update(BENCH_DATABASE_URL=url)
    from bench import run  # sets the environment the bench runs in

    run.recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    from marops.demo import seed_demo

    call_command("migrate", verbosity=0)
    seed_demo()
    results = measure(scale)
    if args.json_to:
        Path(args.json_to).write_text(json.dumps(as_json(results)))
    else:
        print_people_import(results)
        print(json.dumps(as_json(results), indent=1))


if __name__ == "__main__":
    main()
