"""The house rules that import-linter cannot see: views and the API write only through services."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WRITES = {"save", "delete", "create", "update", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
PAGES = [
    "roles/views.py",
    "workflows/views.py",
    "governance/views.py",
    "marops/views.py",
    "marops/api.py",
    "webhooks/views.py",
    "hr/views.py",
]


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


APPS = {"roles", "workflows", "governance"}
PROJECT_READERS = ["marops/api.py", "marops/views.py", "marops/dashboard.py"]


def app_model_queries(source: str) -> list[str]:
    """Each `Model.objects` of a model imported from an app's models, as "line: Model.objects"."""
    tree = ast.parse(source)
    models = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APPS
        if node.module.endswith(".models")
        for alias in node.names
    }
    return [
        f"{node.lineno}: {node.value.id}.objects"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
        if isinstance(node.value, ast.Name) and node.value.id in models
    ]


@pytest.mark.parametrize("path", PROJECT_READERS)
def test_the_project_reads_the_apps_through_their_selectors(path):
    assert app_model_queries((ROOT / path).read_text()) == [], f"{path} queries an app's model: call its selector"


def test_the_read_check_finds_a_query():
    source = (
        "from workflows.models import Step\nfrom marops.models import Plan\nStep.objects.get()\nPlan.objects.get()\n"
    )
    assert app_model_queries(source) == ["3: Step.objects"]
