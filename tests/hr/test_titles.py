"""Job titles → catalogue roles: a table of real-world marketing titles, and the titles outside marketing."""

import pytest
from django.contrib.auth.models import User

from hr.models import TitleRule
from hr.titles import level_from_title, match_title, remember, team_from_department

# title, department, expected role key (None: no role), expected platform, minimum confidence
TITLES = [
    ("Marketo Admin", "Marketing", "platform-owner", "Marketo", 0.85),
    ("Marketo Administrator", "Marketing Operations", "platform-owner", "Marketo", 0.85),
    ("Sr. Marketo Developer", "Marketing", "platform-owner", "Marketo", 0.85),
    ("HubSpot Specialist", "Marketing", "platform-owner", "HubSpot", 0.85),
    ("HubSpot Admin", "", "platform-owner", "HubSpot", 0.85),
    ("Salesforce Administrator", "Sales Operations", "platform-owner", "Salesforce", 0.85),
    ("SFDC Admin", "Revenue Operations", "platform-owner", "Salesforce", 0.85),
    ("Pardot Specialist", "Marketing", "platform-owner", "Pardot", 0.85),
    ("Eloqua Campaign Specialist", "Marketing", "platform-owner", "Eloqua", 0.85),
    ("Marketing Ops Manager", "Marketing", "marops-manager", None, 0.85),
    ("Marketing Operations Manager", "Marketing", "marops-manager", None, 0.85),
    ("Sr. Marketing Operations Manager", "Marketing", "marops-manager", None, 0.85),
    ("MarTech Manager", "Marketing", "marops-manager", None, 0.85),
    ("Marketing Automation Manager", "Marketing", "marops-manager", None, 0.85),
    ("Head of Marketing Operations", "Marketing", "head-of-marops", None, 0.85),
    ("Director of Marketing Operations", "Marketing", "head-of-marops", None, 0.85),
    ("VP, Marketing Operations", "Marketing", "head-of-marops", None, 0.85),
    ("Marketing AI Lead", "Marketing", "head-of-marops", None, 0.85),
    ("Marketing Operations Specialist", "Marketing", "marops-specialist", None, 0.8),
    ("Marketing Operations Analyst", "Marketing", "marops-specialist", None, 0.8),
    ("Marketing Automation Specialist", "Marketing", "marops-specialist", None, 0.8),
    ("Marketing Technologist", "Marketing", "marops-specialist", None, 0.8),
    ("Workflow Architect", "Marketing", "workflow-architect", None, 0.9),
    ("Marketing Automation Architect", "Marketing", "workflow-architect", None, 0.85),
    ("MarTech Architect", "Marketing", "workflow-architect", None, 0.85),
    ("Data Steward", "Marketing", "data-steward", None, 0.9),
    ("Marketing Data Manager", "Marketing", "data-steward", None, 0.8),
    ("Prompt Engineer", "Marketing", "prompt-knowledge-designer", None, 0.8),
    ("Prompt and Knowledge Designer", "Marketing", "prompt-knowledge-designer", None, 0.9),
    ("Head of Demand Generation", "Marketing", "demand-gen-lead", None, 0.85),
    ("Demand Generation Director", "Marketing", "demand-gen-lead", None, 0.85),
    ("VP Demand Gen", "Marketing", "demand-gen-lead", None, 0.85),
    ("Demand Generation Manager", "Marketing", "campaign-manager", None, 0.75),
    ("Campaign Manager", "Marketing", "campaign-manager", None, 0.75),
    ("Field Marketing Manager", "Marketing", "campaign-manager", None, 0.75),
    ("Lifecycle Marketing Manager", "Marketing", "campaign-manager", None, 0.75),
    ("Email Marketing Specialist", "Marketing", "campaign-manager", None, 0.75),
    ("ABM Manager", "Marketing", "campaign-manager", None, 0.75),
    ("Campaign Coordinator (EMEA)", "Marketing", "marketing-coordinator", None, 0.8),
    ("Marketing Coordinator", "Marketing", "marketing-coordinator", None, 0.8),
    ("Events Coordinator", "Marketing", "marketing-coordinator", None, 0.8),
    ("Head of Content", "Marketing", "content-lead", None, 0.8),
    ("Content Marketing Manager", "Marketing", "content-lead", None, 0.8),
    ("Managing Editor", "Content", "content-lead", None, 0.8),
    ("Content Marketer", "Marketing", "content-marketer", None, 0.9),
    ("Senior Copywriter", "Marketing", "content-marketer", None, 0.7),
    ("Content Strategist", "Marketing", "content-marketer", None, 0.7),
    ("Growth Lead", "Marketing", "growth-lead", None, 0.8),
    ("Head of Growth", "Marketing", "growth-lead", None, 0.8),
    ("Growth Marketing Manager", "Marketing", "growth-lead", None, 0.75),
    ("Marketing Analytics Manager", "Marketing", "analytics-lead", None, 0.7),
    ("Marketing Data Analyst", "Marketing", "analytics-lead", None, 0.7),
    ("Chief Marketing Officer", "Marketing", "cmo", None, 0.9),
    ("CMO", "Executive", "cmo", None, 0.9),
    ("Chief Executive Officer", "Executive", "ceo", None, 0.9),
    ("Chief Data Officer", "Data", "cdo", None, 0.9),
    ("CTO", "Engineering", "cto", None, 0.9),
]

OUTSIDE = [
    # title, department, team
    ("Account Executive", "Sales", "sales"),
    ("Salesforce Account Executive", "Sales", "sales"),
    ("Sales Director", "Sales", "sales"),
    ("Sales Development Representative", "Sales", "sales"),
    ("Revenue Operations Manager", "Sales Operations", "sales_ops"),
    ("Financial Controller", "Finance", "finance"),
    ("FP&A Analyst", "Finance", "finance"),
    ("Chief Financial Officer", "Finance", "finance"),
    ("Senior Software Engineer", "Engineering", "engineering"),
    ("Engineering Manager", "", "engineering"),
    ("People Partner", "People", "people"),
    ("Recruiter", "", "people"),
    ("Office Manager", "", "other"),
]


@pytest.mark.parametrize(("title", "department", "role", "platform", "confidence"), TITLES)
def test_marketing_titles_match_their_catalogue_role(db, title, department, role, platform, confidence):
    match = match_title(title, department)
    assert (match.role_key, match.platform_key) == (role, platform), match.reason
    assert match.confidence >= confidence
    assert title in match.reason  # the reason quotes the title it read


def test_the_table_has_at_least_forty_real_world_titles():
    assert len(TITLES) >= 40


@pytest.mark.parametrize(("title", "department", "team"), OUTSIDE)
def test_titles_outside_marketing_get_no_role_but_a_team(db, title, department, team):
    match = match_title(title, department)
    assert match.role_key is None
    assert match.team == team
    assert "no catalogue role" in match.reason or "no role" in match.reason


def test_an_unknown_marketing_title_has_no_role_and_low_confidence(db):
    match = match_title("Brand Manager", "Marketing")
    assert match.role_key is None
    assert match.confidence < 0.5
    assert "choose one" in match.reason


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Chief Marketing Officer", "c_level"),
        ("VP Sales", "vp"),
        ("SVP, Marketing", "vp"),
        ("Head of Content", "director"),
        ("Director of Product Marketing", "director"),
        ("Senior Product Marketing Manager", "senior_manager"),
        ("Sr. Manager, Demand Gen", "senior_manager"),
        ("Campaign Manager", "manager"),
        ("Growth Lead", "manager"),
        ("Marketing Coordinator", "coordinator"),
        ("Marketing Assistant", "coordinator"),
        ("Content Marketer", "specialist"),
        ("Marketo Admin", "specialist"),
    ],
)
def test_level_comes_from_the_title(title, level):
    assert level_from_title(title) == level


@pytest.mark.parametrize(
    ("department", "team"),
    [
        ("Marketing Operations", "marops"),
        ("Demand Generation", "demand_gen"),
        ("Product Marketing", "product_marketing"),
        ("Revenue Operations", "sales_ops"),
        ("Sales", "sales"),
        ("Finance & Accounting", "finance"),
        ("Marketing", None),  # says nothing about which marketing team
        ("Demand gen", "demand_gen"),  # a team's label, as MarOps exports it
        ("Other marketing", "other_marketing"),
        ("Marketing (Claire Donovan)", None),  # Workday's supervisory organisation
    ],
)
def test_department_names_map_to_teams(department, team):
    assert team_from_department(department) == team


def test_a_remembered_correction_wins_next_time_with_who_and_when(db):
    user = User.objects.create_user("corrector", first_name="Ada", last_name="Lovelace")
    assert match_title("Revenue Marketing Ninja").role_key is None
    remember("Revenue Marketing  Ninja", "campaign-manager", "HubSpot", user)
    match = match_title("revenue marketing ninja", "Marketing")
    assert (match.role_key, match.platform_key, match.confidence) == ("campaign-manager", "HubSpot", 1.0)
    assert match.reason.startswith("Remembered: Ada Lovelace set this on ")
    # correcting it again replaces the rule (one rule per title, whatever its case)
    remember("REVENUE MARKETING NINJA", None, None, user)
    assert TitleRule.objects.count() == 1
    assert match_title("Revenue Marketing Ninja").role_key is None


def test_a_title_rule_is_unique_whatever_its_case_in_the_database(db):
    from django.db import IntegrityError, transaction

    user = User.objects.create_user("corrector")
    TitleRule.objects.create(title="marketo admin", created_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        TitleRule.objects.create(title="Marketo Admin", created_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        TitleRule.objects.create(title="", created_by=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        TitleRule.objects.create(title="x", team="nonsense", created_by=user)
