"""The refresh's diff runs as a prepared statement with its generic plan, planned once per connection,
and the flags stay exactly those the scan finds, whatever workflow each assignment touches."""

import pytest
from django.db import connection

from tests.factories import ChartFactory, PersonFactory, PositionFactory, StepFactory, WorkflowFactory
from workflows.models import OwnershipFlag
from workflows.scan import ownership_scan
from workflows.services import workflow_assign_owner

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def open_flags() -> list[tuple[str, str]]:
    return sorted(OwnershipFlag.objects.filter(resolved_at__isnull=True).values_list("kind", "subject_key"))


def diff_plans() -> tuple[int, int]:
    """(generic, custom) plans PostgreSQL made for the prepared diff on this connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE '%%workflows_ownershipflag%%'"
        )
        generic, custom = cursor.fetchone()
    return int(generic), int(custom)


def test_assignments_reuse_one_generic_plan_and_keep_every_flag_right():
    dana = PersonFactory(name="Dana")
    PositionFactory(chart=ChartFactory(status="live"), person=dana, team="marops")
    outsider = PersonFactory(name="Oli")
    steps = [StepFactory(workflow=WorkflowFactory(owner=None)) for _ in range(3)]
    ownership_scan()
    assert len(open_flags()) == 6  # each workflow without owner, and its buyer-facing AI step

    for owner in (dana, outsider, None, dana):
        for step in steps:
            workflow_assign_owner(workflow=step.workflow, owner=owner)
            expected = open_flags()
            assert not ownership_scan().changed, f"the refresh left flags the scan had to change ({owner})"
            assert open_flags() == expected

    assert open_flags() == []  # Dana (a MarOps seat) owns them all again
    generic, custom = diff_plans()
    # One prepared statement: the first scan's second pass (opening the six flags) planned it for its ids,
    # and every refresh after reused the generic plan.
    assert (generic, custom) == (12, 1)
