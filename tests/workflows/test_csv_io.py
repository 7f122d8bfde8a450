"""The workflow inventory spreadsheet: import, re-import, refusal of bad rows, export."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import IncidentFactory, PersonFactory
from workflows.csv_io import InventoryImportError, inventory_export_csv, inventory_import_csv
from workflows.models import Agent, Platform, Step, Workflow
from workflows.services import workflow_archive

pytestmark = pytest.mark.django_db
HEADER = "workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles\n"


@pytest.fixture
def dana():
    return PersonFactory(name="Dana", email="dana@example.com")


SHEET = HEADER + (
    "Lead routing,true,dana@example.com,1,Capture form,Marketo,human,,Which program,false,platform-owner\n"
    "Lead routing,true,dana@example.com,2,Qualify in chat,Drift,ai_autonomous,Chat bot,Qualified or not,true,\n"
    "Webinars,false,,1,Invite,Marketo,human,,Who is invited,false,Marketing coordinator;campaign-manager\n"
)


def test_importing_creates_workflows_steps_platforms_and_agents(dana):
    summary = inventory_import_csv(text=SHEET)
    assert summary.created == ["Lead routing", "Webinars"] and summary.steps == 3
    assert sorted(summary.new_platforms) == ["Drift", "Marketo"] and summary.new_agents == ["Chat bot"]
    routing = Workflow.objects.get(name="Lead routing")
    assert routing.owner == dana and routing.is_critical
    chat = routing.steps.get(order=2)
    assert chat.agent.name == "Chat bot" and chat.mode == "ai_autonomous" and chat.is_buyer_facing
    assert Agent.objects.get(name="Chat bot").allowed_mode == "autonomous"
    webinar_roles = Workflow.objects.get(name="Webinars").steps.get().roles.values_list("key", flat=True)
    assert sorted(webinar_roles) == ["campaign-manager", "marketing-coordinator"]
    assert Workflow.objects.get(name="Webinars").owner is None


def test_reimporting_replaces_owner_critical_flag_and_steps_and_keeps_incident_links(dana):
    inventory_import_csv(text=SHEET)
    incident = IncidentFactory(step=Step.objects.get(workflow__name="Lead routing", order=2))
    edited = HEADER + (
        "lead routing,false,,2,Qualify in chat (v2),Drift,ai_assisted,Chat bot,Qualified or not,true,\n"
        "Lead routing,false,,3,Route,Salesforce,human,,Which rep,true,\n"
    )
    summary = inventory_import_csv(text=edited)
    assert summary.replaced == ["lead routing"]
    routing = Workflow.objects.get(name="Lead routing")
    assert routing.owner is None and not routing.is_critical
    assert list(routing.steps.order_by("order").values_list("order", "name")) == [
        (2, "Qualify in chat (v2)"),
        (3, "Route"),
    ]
    incident.refresh_from_db()
    assert incident.step.name == "Qualify in chat (v2)"
    assert Workflow.objects.count() == 2


def test_every_bad_row_is_listed_and_nothing_is_written(dana):
    Agent.objects.create(name="Copy bot", allowed_mode="assisted")
    bad = HEADER + (
        "Lead routing,true,dana@example.com,1,Capture,Marketo,human,,Which program,false,\n"  # 2 fine
        "Lead routing,true,nobody@example.com,2,Chat,Drift,ai_autonomous,Chat bot,x,true,\n"  # 3 owner unknown
        "Webinars,maybe,,1,Invite,Marketo,human,,x,false,\n"  # 4 critical not bool
        "Webinars,false,,2,Draft,OpenAI,ai_assisted,,x,true,\n"  # 5 AI without agent
        "Webinars,false,,3,Write,OpenAI,ai_autonomous,Copy bot,x,true,\n"  # 6 governance
        "Webinars,false,,4,Send,,robot,,x,false,wizard\n"  # 7 no platform, bad mode, unknown role
        "Webinars,false,,1,Again,Marketo,human,,x,false,\n"  # 8 duplicate order? (row 4 had errors, so not)
        ",false,,1,Orphan,Marketo,human,,x,false,\n"  # 9 no workflow
    )
    with pytest.raises(InventoryImportError) as refused:
        inventory_import_csv(text=bad)
    reasons = [(e.row, e.reason) for e in refused.value.errors]
    assert (3, "owner_email nobody@example.com matches no person") in reasons
    assert (3, "owner_email differs from row 2 for the same workflow") in reasons
    assert (4, "critical “maybe” is not true or false") in reasons
    assert (5, "mode ai_assisted needs an agent") in reasons
    assert (6, "governance allows Copy bot “Assisted only”, not ai_autonomous") in reasons
    assert (7, "platform is empty: every step runs on a platform") in reasons
    assert (7, "mode “robot” is not human, ai_assisted or ai_autonomous") in reasons
    assert (7, "unknown role “wizard”") in reasons
    assert (9, "workflow is empty") in reasons
    assert not Workflow.objects.exists() and not Platform.objects.exists()


def test_a_reimport_that_drops_a_step_with_incidents_is_refused(dana):
    inventory_import_csv(text=SHEET)
    IncidentFactory(step=Step.objects.get(workflow__name="Lead routing", order=2))
    with pytest.raises(InventoryImportError, match="step 2 “Qualify in chat” has incidents"):
        inventory_import_csv(text=HEADER + "Lead routing,true,dana@example.com,1,Capture,Marketo,human,,x,false,\n")
    assert Step.objects.filter(workflow__name="Lead routing").count() == 2


def test_the_demo_inventory_exports_and_imports_back_unchanged(demo):
    text = inventory_export_csv()
    assert text.startswith(HEADER)
    inventory_import_csv(text=text)
    assert inventory_export_csv() == text


def test_the_commands_import_and_export(tmp_path, capsys, dana):
    path = tmp_path / "inventory.csv"
    path.write_text(SHEET)
    call_command("import_workflows", str(path))
    out = capsys.readouterr().out
    assert "Imported 3 steps: 2 workflows created, 0 replaced." in out and "new agent: Chat bot" in out
    call_command("export_workflows")
    assert capsys.readouterr().out == inventory_export_csv()
    path.write_text(HEADER + "X,true,,1,Step,Marketo,human,Bot,x,false,\n")
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_workflows", str(path))
    assert "row 2: a human step has no agent" in capsys.readouterr().err


def test_a_formula_in_any_cell_leaves_neutralised_and_comes_back_as_it_was(client, dana):
    from django.urls import reverse

    from tests.conftest import make_user

    sheet = HEADER + (
        '"=HYPERLINK(""http://evil.example/x"",""click"")",false,,1,+Capture,@Marketo,human,,-which,false,\n'
    )
    inventory_import_csv(text=sheet)
    step = Step.objects.select_related("workflow", "platform").get()
    assert (step.workflow.name, step.name, step.platform.name, step.decision) == (
        '=HYPERLINK("http://evil.example/x","click")',
        "+Capture",
        "@Marketo",
        "-which",
    )
    client.force_login(make_user("e", "Executives"))
    exported = client.get(reverse("workflows:inventory-export")).content.decode()
    assert exported == inventory_export_csv()
    assert exported.splitlines()[1] == (
        '"\'=HYPERLINK(""http://evil.example/x"",""click"")",false,,1,\'+Capture,\'@Marketo,human,,\'-which,false,'
    )
    inventory_import_csv(text=exported)
    assert inventory_export_csv() == exported
    assert Step.objects.get().name == "+Capture"


def test_nul_bytes_huge_step_orders_and_multiline_names_are_row_errors_and_nothing_changes(dana):
    inventory_import_csv(text=SHEET)
    before = inventory_export_csv()
    bad = HEADER + (
        "Lead routing,true,dana@example.com,1,Cap\x00ture,Marketo,human,,x,false,\n"  # 2: NUL
        "Lead routing,true,dana@example.com,2147483648,Chat,Drift,human,,x,false,\n"  # 3: order too big
        '"Two\nlines",false,,1,Invite,Marketo,human,,x,false,\n'  # 4-5: a name on two lines
        "Webinars,false,,1,Invite,Marketo\x1b,human,,x,false,\n"  # 6: escape character
        'Webinars,false,,2,Invite,Marketo,human,,"a decision\non two lines is fine",false,\n'  # 7-8: fine
    )
    with pytest.raises(InventoryImportError) as refused:
        inventory_import_csv(text=bad)
    assert [(e.row, e.reason) for e in refused.value.errors] == [
        (2, "step_name contains a NUL character"),
        (3, "step_order must be at most 2,147,483,647"),
        (5, "workflow must be on one line"),
        (6, "platform contains the control character U+001B"),
    ]
    assert inventory_export_csv() == before


def sheet(workflows: int, steps: int, prefix: str = "W") -> str:
    rows = [
        f"{prefix}{w:03},{'true' if w % 2 else 'false'},dana@example.com,{s},Step {s},Platform {s % 7},"
        f"{'ai_assisted' if s % 3 == 0 else 'human'},{f'Bot {s % 5}' if s % 3 == 0 else ''},decide {s},"
        f"{'true' if s % 2 else 'false'},campaign-manager;platform-owner"
        for w in range(workflows)
        for s in range(1, steps + 1)
    ]
    return HEADER + "\n".join(rows) + "\n"


@pytest.mark.parametrize("workflows,steps", [(2, 3), (40, 12)])
def test_an_import_and_a_reimport_take_the_same_queries_whatever_their_size(
    workflows, steps, dana, django_assert_max_num_queries
):
    with django_assert_max_num_queries(32):
        summary = inventory_import_csv(text=sheet(workflows, steps))
    assert (len(summary.created), summary.steps) == (workflows, workflows * steps)
    # A re-import that changes every step, drops the last of each and adds a new one.
    changed = (
        sheet(workflows, steps).replace("decide", "choose").replace(f",{steps},Step {steps},", f",{steps + 1},New,")
    )
    with django_assert_max_num_queries(32):
        again = inventory_import_csv(text=changed)
    assert (len(again.replaced), again.steps) == (workflows, workflows * steps)
    assert inventory_export_csv() == changed
    assert Step.history.filter(history_type="-").count() == workflows
    assert Step.history.filter(history_type="~", history_change_reason="inventory import").count() == workflows * (
        steps - 1
    )


def test_a_reimport_keeps_step_ids_and_records_roles_in_history(dana):
    inventory_import_csv(text=SHEET)
    chat = Step.objects.get(workflow__name="Lead routing", order=2)
    inventory_import_csv(
        text=SHEET.replace(
            "Qualify in chat,Drift,ai_autonomous,Chat bot,Qualified or not,true,",
            "Qualify in chat,Drift,ai_autonomous,Chat bot,Qualified or not,true,data-steward",
        )
    )
    chat.refresh_from_db()
    assert list(chat.roles.values_list("key", flat=True)) == ["data-steward"]
    latest = chat.history.latest()
    assert (latest.history_type, [r.role.key for r in latest.roles.all()]) == ("~", ["data-steward"])


def test_a_deleted_workflow_is_neither_exported_nor_changed_by_an_import(dana):
    inventory_import_csv(text=SHEET)
    webinars = workflow_archive(workflow=Workflow.objects.get(name="Webinars"))
    assert "Webinars" not in inventory_export_csv() and "Lead routing" in inventory_export_csv()

    with pytest.raises(InventoryImportError) as refused:
        inventory_import_csv(text=HEADER + "webinars,true,dana@example.com,1,Invite,Marketo,human,,Who,false,\n")
    assert [str(e) for e in refused.value.errors] == [
        "row 2: workflow “webinars” was deleted and is kept as history; give the new one another name"
    ]
    webinars.refresh_from_db()
    assert webinars.owner is None and not webinars.is_critical and webinars.is_archived
