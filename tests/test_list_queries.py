"""Every list page reads in the same number of queries whatever the data holds (issue 18): counted with
a few rows of everything, then with more than a page of each (the pager shown), and the same again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import DataSource, KnowledgeAsset
from tests.conftest import make_user
from tests.factories import (
    AgentFactory,
    PersonFactory,
    ReviewFactory,
    StepFactory,
    WorkflowFactory,
    marops_person,
)
from workflows.scan import ownership_scan

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    ("governance:incident-list", {}),
    ("governance:incident-list", {"show": "all"}),
    ("governance:incident-list", {"show": "overdue", "severity": "medium"}),
    ("governance:test", {}),
    ("governance:test", {"show": "failing"}),
    ("governance:data-source-list", {}),
    ("governance:knowledge-asset-list", {}),
    ("workflows:workflow-list", {}),
    ("workflows:workflow-list", {"q": "Workflow", "critical": "1"}),
    ("workflows:owned-by-me", {}),
    ("workflows:agent-list", {}),
    ("workflows:platform-list", {}),
    ("workflows:flag-list", {}),
    ("roles:person-list", {}),
    ("roles:chart-list", {}),
]
MOST_QUERIES = 25  # any list page, at any size


def add_rows(n: int, start: int) -> None:
    """n more of everything a list page shows: workflows (half owned by a MarOps person, the rest by
    someone without a seat or by nobody), each with a buyer-facing AI step, an incident with its
    review, a data source and a knowledge asset naming the agent; then the scan's flags."""
    for i in range(start, start + n):
        owner = marops_person() if i % 2 else (PersonFactory() if i % 3 else None)
        workflow = WorkflowFactory(name=f"Workflow {i:04}", owner=owner, is_critical=i % 5 == 0)
        step = StepFactory(workflow=workflow, order=1)
        ReviewFactory(incident__step=step, incident__agent=step.agent, incident__severity="medium")
        source = DataSource.objects.create(name=f"Source {i:04}", steward=owner)
        source.agents.add(step.agent)
        asset = KnowledgeAsset.objects.create(name=f"Asset {i:04}", kind="prompt", owner=owner or PersonFactory())
        asset.agents.add(step.agent)
        AgentFactory()  # an agent in no workflow: a flag of its own
    ownership_scan()


def queries(client, name: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), params)
    assert response.status_code == 200, (name, params, response.status_code)
    return len(captured)


def test_every_list_page_reads_as_many_queries_with_three_rows_as_with_more_than_a_page(client):
    user = make_user("lists", "Leaders")
    add_rows(3, start=0)
    user.person = marops_person(user=user)  # owned-by-me shows this person's workflows
    WorkflowFactory(name="Workflow mine", owner=user.person)
    client.force_login(user)
    small = {(name, str(params)): queries(client, name, params) for name, params in LIST_PAGES}

    add_rows(105, start=3)  # more than a page of 100 of each
    for i in range(105):
        WorkflowFactory(name=f"Workflow mine {i:03}", owner=user.person)
    large = {(name, str(params)): queries(client, name, params) for name, params in LIST_PAGES}

    grew = {page: (small[page], large[page]) for page in small if large[page] > small[page]}
    assert not grew, f"list pages whose queries grew with the data (3 rows, then 108): {grew}"
    too_many = {page: count for page, count in large.items() if count > MOST_QUERIES}
    assert not too_many, f"list pages reading more than {MOST_QUERIES} queries: {too_many}"


def test_a_page_deep_in_the_lists_reads_as_many_queries_as_the_first(client, django_assert_max_num_queries):
    client.force_login(make_user("lists", "Leaders"))
    add_rows(210, start=0)  # three pages of workflows, incidents and flags
    for name in ("governance:incident-list", "workflows:workflow-list", "workflows:flag-list", "governance:test"):
        first = queries(client, name, {"show": "all"} if name == "governance:incident-list" else {})
        with django_assert_max_num_queries(first):
            page = client.get(reverse(name), {"page": 3, **({"show": "all"} if "incident" in name else {})})
        assert page.status_code == 200 and "Page 3 of" in page.content.decode(), name
