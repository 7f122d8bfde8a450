"""The `demo` fixture copies in a snapshot taken once per session: it must be the demo company exactly
as a fresh `seed_demo()` makes it, and no test may see another test's changes to it."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.db import models, transaction
from django.utils import timezone

from marops.demo import DEMO_PASSWORD, LIVE_CHART, seed_demo
from roles.models import Chart, Person
from workflows.models import OwnershipFlag, Workflow

CHANGED = "Renamed by an earlier test"


def demo_state() -> dict[str, list[tuple]]:
    """Every row of every table, comparable between two databases that gave the rows other ids.

    An id (a foreign key, a history record's object id, a flag's subject) becomes the place of its row
    in primary-key order (seed_demo() creates objects in the same order each time), and each table's
    rows are compared as a sorted list (many-to-many links are added in no fixed order). Times become
    local dates, password hashes whether the demo password matches.
    """
    tables = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    rows = {model: list(model._base_manager.order_by("pk").values()) for model in tables}
    by_name = {model._meta.model_name: model for model in tables}
    place = {model: {row[model._meta.pk.attname]: n for n, row in enumerate(rows[model])} for model in tables}

    def same(model, field, value):
        if value is None:
            return None
        if field.is_relation:
            return ("→", place[field.related_model._meta.concrete_model].get(value, "dangling"))
        history_of = getattr(model, "instance_type", None)
        if history_of and field.attname == history_of._meta.pk.attname:
            return ("history of", place[history_of].get(value, "gone"))
        if isinstance(field, models.DateTimeField):
            return timezone.localtime(value).date()
        if field.attname == "password":
            return check_password(DEMO_PASSWORD, value)
        if model is OwnershipFlag and field.attname == "subject_key":
            kind, pk = re.fullmatch(r"(\w+):(\d+)", value).groups()
            return (kind, place[by_name[kind]][int(pk)])
        return value

    return {
        model._meta.label: sorted(
            (
                tuple(same(model, f, row[f.attname]) for f in model._meta.concrete_fields if not f.primary_key)
                for row in rows[model]
            ),
            key=repr,
        )
        for model in tables
    }


@pytest.fixture(scope="session")
def seeded_demo_state(django_db_setup, django_db_blocker):
    """The state of the migrated database after a fresh seed_demo(), which is then rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        state = demo_state()
        transaction.set_rollback(True)
    return state


def assert_same_state(loaded, seeded):
    assert loaded.keys() == seeded.keys()
    for table in seeded:
        assert loaded[table] == seeded[table], table
    assert len(seeded["roles.Position"]) > 30 and len(seeded["governance.Incident"]) == 5


def test_the_demo_fixture_equals_a_fresh_seed_demo(seeded_demo_state, demo):
    assert_same_state(demo_state(), seeded_demo_state)
    Person.objects.create(name="New hire", email="new.hire@halcyon.example")  # ids do not collide with the demo's


def test_a_test_changes_the_demo(demo):
    Chart.objects.filter(name=LIVE_CHART).update(name=CHANGED)
    Workflow.objects.update(owner=None)
    assert Chart.objects.filter(name=CHANGED).exists()


def test_the_next_test_does_not_see_the_change(seeded_demo_state, demo):
    assert not Chart.objects.filter(name=CHANGED).exists()
    assert_same_state(demo_state(), seeded_demo_state)


# On SQLite the demo fixture runs seed_demo() itself; after a flush, post_migrate and seed_demo() give
# permissions and roles other ids than migrations did, so permissions sort differently and a step's
# roles are added in another order (which one its first history record lists differs).
REBUILT_AFTER_A_FLUSH = {
    "contenttypes.ContentType",
    "auth.Permission",
    "auth.Group_permissions",
    "workflows.HistoricalStep_roles",
}


def assert_same_state_after_a_flush(snapshot, loaded, seeded):
    if snapshot is None:
        loaded, seeded = (
            {t: r for t, r in state.items() if t not in REBUILT_AFTER_A_FLUSH} for state in (loaded, seeded)
        )
    assert_same_state(loaded, seeded)


@pytest.mark.django_db(transaction=True)
def test_in_a_transactional_test_the_demo_fixture_equals_a_fresh_seed_demo(seeded_demo_state, demo_snapshot, demo):
    assert_same_state_after_a_flush(demo_snapshot, demo_state(), seeded_demo_state)
    Person.objects.create(name="New hire", email="new.hire@halcyon.example")


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_changes_the_demo_and_commits(demo):
    Chart.objects.filter(name=LIVE_CHART).update(name=CHANGED)
    Workflow.objects.update(owner=None)
    assert Chart.objects.filter(name=CHANGED).exists()


@pytest.mark.django_db(transaction=True)
def test_the_next_transactional_test_does_not_see_the_change(seeded_demo_state, demo_snapshot, demo):
    assert not Chart.objects.filter(name=CHANGED).exists()
    assert_same_state_after_a_flush(demo_snapshot, demo_state(), seeded_demo_state)
