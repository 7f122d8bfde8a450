import pytest

from roles.rules import chart_findings
from tests.factories import ChartFactory, PersonFactory, PositionFactory, WorkflowFactory, role
from workflows.rules import platform_organised

pytestmark = pytest.mark.django_db


def chart_with_platform_admin(owner_of_a_workflow: bool):
    chart = ChartFactory()
    root = PositionFactory(chart=chart, title="CMO", roles=[role("cmo")])
    admin = PositionFactory(
        chart=chart,
        title="Marketo Admin",
        reports_to=root,
        roles=[role("platform-owner")],
        person=PersonFactory(name="Marco"),
    )
    if owner_of_a_workflow:
        WorkflowFactory(owner=admin.person)
    return chart


def test_a_platform_seat_whose_holder_owns_no_workflow_trips_platform_organised():
    chart = chart_with_platform_admin(owner_of_a_workflow=False)
    [finding] = [f for f in chart_findings(chart) if f.rule == "platform-organised"]
    assert finding.message == "Marketo Admin is defined by a platform; Marco owns no workflow."
    assert finding.position_titles == "Marketo Admin"


def test_a_platform_seat_whose_holder_owns_a_workflow_does_not():
    from roles.rules import chart_facts

    chart = chart_with_platform_admin(owner_of_a_workflow=True)
    assert platform_organised(chart_facts(chart)) == []


def test_a_deleted_workflow_does_not_count_as_owned():
    from workflows.models import Workflow
    from workflows.services import workflow_archive

    chart = chart_with_platform_admin(owner_of_a_workflow=True)
    workflow_archive(workflow=Workflow.objects.get())  # what deleting a workflow does
    [finding] = [f for f in chart_findings(chart) if f.rule == "platform-organised"]
    assert finding.message == "Marketo Admin is defined by a platform; Marco owns no workflow."
