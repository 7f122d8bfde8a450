import pytest
from django.urls import reverse

from tests.conftest import make_user
from workflows.models import Agent, Platform, Step, Workflow

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def routing(demo):
    return Workflow.objects.get(name="Lead routing")


def step_post(**overrides):
    values = {
        "name": "Draft reply",
        "order": "",
        "platform": Platform.objects.get(name="OpenAI").pk,
        "mode": "ai_assisted",
        "agent": Agent.objects.get(name="Campaign Copy Assistant").pk,
        "decision": "What the reply says",
        "is_buyer_facing": "on",
        "roles": [],
    }
    return values | overrides


def test_a_leader_adds_a_step_with_htmx_and_gets_the_refreshed_swimlane(client, routing):
    client.force_login(make_user("l", "Leaders"))
    response = client.post(reverse("workflows:step-create", args=[routing.pk]), step_post(), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="workspace"' in html and "<html" not in html
    assert "Draft reply" in html and 'hx-swap-oob="true"' in html
    assert routing.steps.get(order=6).agent.name == "Campaign Copy Assistant"


def test_a_refused_step_is_explained_in_the_editor_and_nothing_is_saved(client, routing):
    client.force_login(make_user("l", "Leaders"))
    response = client.post(reverse("workflows:step-create", args=[routing.pk]), step_post(mode="ai_autonomous"), **HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#editor"
    assert "Governance allows Campaign Copy Assistant “Assisted only”" in html
    assert routing.steps.count() == 5
    plain = client.post(reverse("workflows:step-create", args=[routing.pk]), step_post(agent="", platform=""))
    assert "<html" in plain.content.decode()
    assert (
        "needs the agent acting in it" in plain.content.decode()
        and "Every step runs on a platform" in plain.content.decode()
    )


def test_the_owner_picker_offers_marops_first_and_warns_about_outsiders(client, routing):
    client.force_login(make_user("l", "Leaders"))
    page = client.get(reverse("workflows:workflow-detail", args=[routing.pk])).content.decode()
    marops = page.index("MarOps team (live chart)")
    assert (
        marops
        < page.index("Dana Whitfield")
        < page.index("Everyone else (raises a finding)")
        < page.index("Sofia Alvarez")
    )
    from roles.models import Person

    sofia = Person.objects.get(name="Sofia Alvarez")
    response = client.post(reverse("workflows:workflow-owner", args=[routing.pk]), {"owner": sofia.pk}, follow=True)
    assert (
        "Saved, and flagged: The owner of “Lead routing”, Sofia Alvarez, holds no MarOps seat in the live chart. "
        "Nobody is accountable for its steps." in response.content.decode()
    )
    assert routing.flags.filter(kind="owner-outside-marops", resolved_at__isnull=True).exists()  # at once, no scan
    routing.refresh_from_db()
    assert routing.owner == sofia


def test_executives_and_staff_cannot_change_workflows(client, routing):
    step = routing.steps.first()
    writes = [
        (reverse("workflows:workflow-create"), {"name": "Mine", "status": "active"}),
        (reverse("workflows:workflow-owner", args=[routing.pk]), {"owner": ""}),
        (reverse("workflows:workflow-edit", args=[routing.pk]), {"workflow-name": "X", "workflow-status": "active"}),
        (reverse("workflows:step-create", args=[routing.pk]), step_post()),
        (reverse("workflows:step-edit", args=[step.pk]), step_post()),
        (reverse("workflows:step-delete", args=[step.pk]), {}),
        (reverse("workflows:platform-create"), {"name": "HubSpot", "category": "crm"}),
        (reverse("workflows:inventory-import"), {}),
    ]
    for group in ["Executives", "MarOps staff"]:
        client.force_login(make_user(f"u-{group}", group))
        for url, data in writes:
            assert client.post(url, data).status_code == 403, (group, url)
        page = client.get(reverse("workflows:workflow-detail", args=[routing.pk])).content.decode()
        assert "Add a step" not in page and "Assign owner" not in page
    routing.refresh_from_db()
    assert routing.owner.name == "Tom Nguyen" and routing.steps.count() == 5


def test_the_list_shows_inventory_progress_and_the_critical_range(client, demo):
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("workflows:workflow-list")).content.decode()
    assert "(the article's 5–7)" in page
    Workflow.objects.filter(name__in=["Lead routing", "Lead nurture"]).update(is_critical=False)
    page = client.get(reverse("workflows:workflow-list")).content.decode()
    assert (
        "Only 3 workflows are marked critical; “The MarOps Org Chart for the AI Era” picks the 5–7 most important."
        in page
    )


def test_owned_by_me(client, demo):
    client.login(username="staff", password="marops-demo")  # Mia Chen owns Lead nurture
    page = client.get(reverse("workflows:owned-by-me")).content.decode()
    assert "Lead nurture" in page and "Lead routing" not in page
    client.force_login(make_user("nobody", "Executives"))
    assert "not linked to a person" in client.get(reverse("workflows:owned-by-me")).content.decode()


def test_platforms_show_live_experts_and_the_workflows_through_them_with_owners(client, demo):
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("workflows:platform-list")).content.decode()
    salesforce = page[page.index("<td>Salesforce</td>") :]
    salesforce = salesforce[: salesforce.index("</tr>")]
    assert "Tom Nguyen" in salesforce and "Lead routing</a> (Tom Nguyen)" in salesforce
    assert salesforce.count("Tom Nguyen") == 2  # once as expert (live chart only), once as owner


def test_a_platform_names_its_first_ten_workflows_and_counts_the_rest(client, demo, django_assert_max_num_queries):
    from tests.factories import StepFactory

    platform = Platform.objects.create(name="Braze", category="other")
    for i in range(12):
        workflow = Workflow.objects.create(name=f"Journey {i:02}")
        StepFactory(workflow=workflow, platform=platform, order=1)
        StepFactory(workflow=workflow, platform=platform, order=2)
    client.force_login(make_user("e", "Executives"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("workflows:platform-list")).content.decode()
    braze = page[page.index("<td>Braze</td>") :]
    braze = braze[: braze.index("</tr>")]
    assert braze.count("Journey") == 10 and "Journey 09" in braze and "Journey 10" not in braze
    assert "and 2 more" in braze and '<td class="num">24</td>' in braze


def test_the_flags_page_links_each_flag_to_its_fix(client, demo):
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("workflows:flag-list")).content.decode()
    routing = Workflow.objects.get(name="Lead routing")
    assert f'href="/workflows/{routing.pk}/">Assign a MarOps owner</a>' in page
    assert "Put Intent Signal Agent in a workflow step, or pause or retire it" in page


def test_the_flags_page_shows_100_a_page(client, demo):
    from workflows.models import OwnershipFlag

    workflows = Workflow.objects.bulk_create(Workflow(name=f"Gap {i}") for i in range(120))
    OwnershipFlag.objects.bulk_create(
        OwnershipFlag(kind="workflow-without-owner", subject_key=f"workflow:{w.pk}", message="Gap", workflow=w)
        for w in workflows
    )
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("workflows:flag-list")).content.decode()
    assert page.count('data-testid="flag"') == 100 and "Page 1 of 2" in page and 'href="?page=2"' in page
    rest = client.get(reverse("workflows:flag-list"), {"page": 2}).content.decode()
    assert rest.count('data-testid="flag"') == OwnershipFlag.objects.filter(resolved_at__isnull=True).count() - 100


def test_the_workflow_list_takes_a_fixed_number_of_queries(client, demo, django_assert_max_num_queries):
    client.force_login(make_user("e", "Executives"))
    for i in range(30):
        Workflow.objects.create(name=f"Extra {i}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("workflows:workflow-list")).status_code == 200


def test_a_step_with_incidents_cannot_be_removed_through_the_page(client, routing):
    client.force_login(make_user("l", "Leaders"))
    step = Step.objects.get(workflow=routing, order=2)  # the demo logged an incident on it
    response = client.post(reverse("workflows:step-delete", args=[step.pk]), **HTMX)
    assert "has incidents logged against it" in response.content.decode()
    assert Step.objects.filter(pk=step.pk).exists()


def test_the_inventory_import_page_lists_bad_rows_then_imports(client, demo, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user("l", "Leaders"))
    header = b"workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles\n"
    with django_capture_on_commit_callbacks(execute=True):  # the upload's job runs once it is committed
        bad = client.post(
            reverse("workflows:inventory-import"),
            {"file": SimpleUploadedFile("i.csv", header + b"Webinars,true,,1,Invite,Marketo,robot,,x,false,\n")},
        )
    assert bad.status_code == 302
    assert "Row 2: mode “robot” is not human" in client.get(bad["Location"]).content.decode()
    assert not Workflow.objects.filter(name="Webinars").exists()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            reverse("workflows:inventory-import"),
            {"file": SimpleUploadedFile("i.csv", header + b"Webinars,false,,1,Invite,Marketo,human,,x,false,\n")},
        )
    assert ok.status_code == 302 and Workflow.objects.filter(name="Webinars").exists()
    assert "Imported 1 steps: 1 workflows created, 0 replaced." in client.get(ok["Location"]).content.decode()


def test_the_list_pages_by_name_finds_by_name_and_counts_them_all(client, demo, django_assert_max_num_queries):
    Workflow.objects.bulk_create(Workflow(name=f"Region {i:03} webinar") for i in range(150))
    client.force_login(make_user("e", "Executives"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("workflows:workflow-list")).content.decode()
    assert "Page 1 of 2" in page and "Next →" in page and "7 / 157" in page  # the demo's 7 are mapped
    found = client.get(reverse("workflows:workflow-list"), {"q": "region 14"}).content.decode()
    assert found.count("webinar</a>") == 10 and "Page 1" not in found
    assert client.get(reverse("workflows:workflow-list"), {"q": "web\x00inar"}).status_code == 200  # NUL: no 500
    assert (
        "No workflow is called anything like “zzz”."
        in client.get(reverse("workflows:workflow-list"), {"q": "zzz"}).content.decode()
    )


def test_the_flags_page_shows_one_kind_when_asked(client, demo):
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("workflows:flag-list"), {"kind": "owner-inactive"}).content.decode()
    assert 'data-kind="owner-inactive"' in page and 'data-kind="owner-outside-marops"' not in page
    assert "Only “Owner inactive”." in page
    everything = client.get(reverse("workflows:flag-list"), {"kind": "nonsense"}).content.decode()
    assert 'data-kind="owner-outside-marops"' in everything and "Only “" not in everything
