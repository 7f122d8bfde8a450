"""The house rules that import-linter cannot see: views and the API write only through services."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITES = {"save", "delete", "create", "update", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
PAGES = ["roles/views.py", "workflows/views.py", "governance/views.py", "marops/views.py", "marops/api.py"]


def orm_writes(source: str) -> list[str]:
    """Each call of an ORM write method (`x.save()`, `X.objects.update(…)`, …), as "line: call"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            found.append(f"{node.lineno}: {ast.unparse(node.func)}()")
    return found


@pytest.mark.parametrize("path", PAGES)
def test_views_and_the_api_write_only_through_services(path):
    assert orm_writes((ROOT / path).read_text()) == [], f"{path} writes through the ORM: call a service instead"


def test_the_check_finds_a_write():
    assert orm_writes("def view(request):\n    form.save()\n    Incident.objects.filter(pk=1).delete()\n") == [
        "2: form.save()",
        "3: Incident.objects.filter(pk=1).delete()",
    ]
