"""The demo company: Halcyon Software, a mid-market B2B SaaS firm whose live marketing org chart
is still organised by platform (2022 shape), with a 2026 target scenario beside it.

`seed_demo()` writes it idempotently: every object is looked up by a natural key (e-mail, name,
chart and title, workflow and step order, incident summary) and brought to the state below, so
running it twice leaves the same data. Times that are relative to "now" are set only when an
object is first created.
"""

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.permissions import groups_sync
from governance.choices import AssetKind, KillSwitchAction, ReviewStatus
from governance.models import (
    CorrectiveAction,
    DataSource,
    Incident,
    KillSwitchEvent,
    KnowledgeAsset,
    OutputAudit,
    PolicyDecision,
    Review,
)
from governance.services import incident_create, review_due_on
from marops.models import MigrationPlan
from roles.catalogue import catalogue_sync
from roles.choices import ChartStatus
from roles.models import Chart, Person, Position, Role
from workflows.accountability import step_accountable
from workflows.choices import AgentStatus
from workflows.models import Agent, Platform, Step, Workflow
from workflows.scan import ownership_scan
from workflows.selectors import agent_accountable

DEMO_PASSWORD = "marops-demo"
LIVE_CHART = "Halcyon — current org (2022 shape)"
TARGET_CHART = "Halcyon — 2026 target"
PAUSED_AGENT = "Send-Time Optimiser"  # the kill switch was pulled on it


@dataclass(frozen=True)
class DemoUser:
    username: str
    group: str | None
    person_email: str | None
    lands_on: str


DEMO_USERS = [
    DemoUser("cmo", "Executives", "claire.donovan@halcyon.example", "the ownership dashboard"),
    DemoUser("leader", "Leaders", "dana.whitfield@halcyon.example", "the org chart"),
    DemoUser("staff", "MarOps staff", "mia.chen@halcyon.example", "the incident log"),
    DemoUser("admin", None, None, "the ownership dashboard (and Django admin)"),
]

# name, e-mail local part, level, active
PEOPLE = [
    ("Evelyn Carter", "evelyn.carter", "c_level", True),
    ("Claire Donovan", "claire.donovan", "c_level", True),
    ("Raj Patel", "raj.patel", "c_level", True),
    ("Hannah Brooks", "hannah.brooks", "c_level", True),
    ("Marcus Lee", "marcus.lee", "director", True),
    ("Sofia Alvarez", "sofia.alvarez", "manager", True),
    ("Oliver Grant", "oliver.grant", "senior_manager", True),
    ("Dana Whitfield", "dana.whitfield", "manager", True),
    ("Marco Rossi", "marco.rossi", "specialist", True),
    ("Tom Nguyen", "tom.nguyen", "specialist", True),
    ("Priya Shah", "priya.shah", "manager", True),
    ("Mia Chen", "mia.chen", "specialist", True),
    ("Nora Quinn", "nora.quinn", "specialist", True),
    ("Jade Morgan", "jade.morgan", "coordinator", True),
    ("Leo Fischer", "leo.fischer", "coordinator", True),
    ("Ethan Price", "ethan.price", "specialist", True),
    ("Sam Okafor", "sam.okafor", "specialist", True),  # new hire, not yet placed in the live chart
    ("Greg Holt", "greg.holt", "manager", False),  # left the company; still owns a workflow
]


def email(local: str) -> str:
    return f"{local}@halcyon.example"


# title, team, level, role keys, person (e-mail local part or None for a vacancy), manager title,
# platforms of expertise, actual salary, dotted-line manager titles
PositionRow = tuple[str, str, str, list[str], str | None, str | None, list[str], int | None, list[str]]
LIVE_POSITIONS: list[PositionRow] = [
    ("Chief Executive Officer", "executive", "c_level", ["ceo"], "evelyn.carter", None, [], None, []),
    ("Chief Marketing Officer", "executive", "c_level", ["cmo"], "claire.donovan", "Chief Executive Officer", [], None, []),
    ("Chief Data Officer", "data", "c_level", ["cdo"], "raj.patel", "Chief Executive Officer", ["Snowflake"], None, []),
    ("Chief Technology Officer", "engineering", "c_level", ["cto"], "hannah.brooks", "Chief Executive Officer", [], None, []),
    ("Demand Generation Director", "demand_gen", "director", ["demand-gen-lead"], "marcus.lee", "Chief Marketing Officer", ["LinkedIn Ads"], 92_000, []),
    ("Content Lead", "content", "manager", ["content-lead"], "sofia.alvarez", "Chief Marketing Officer", ["Contentful"], None, []),
    ("Growth Lead", "growth", "senior_manager", ["growth-lead"], "oliver.grant", "Chief Marketing Officer", [], None, []),
    ("Marketing Operations Manager", "marops", "manager", ["head-of-marops"], "dana.whitfield", "Demand Generation Director", ["Marketo"], 72_000, []),
    ("Marketo Admin", "marops", "specialist", ["platform-owner"], "marco.rossi", "Marketing Operations Manager", ["Marketo"], 52_000, []),
    ("Salesforce Admin", "sales_ops", "specialist", ["platform-owner"], "tom.nguyen", "Marketing Operations Manager", ["Salesforce"], 55_000, []),
    ("Analytics Lead", "data", "manager", ["analytics-lead"], "priya.shah", "Demand Generation Director", ["Google Analytics 4", "Snowflake"], 68_000, []),
    ("Marketing Operations Specialist", "marops", "specialist", ["marops-specialist"], "mia.chen", "Marketing Operations Manager", ["Marketo", "Segment"], None, []),
    ("Campaign Manager", "demand_gen", "specialist", ["campaign-manager"], "nora.quinn", "Demand Generation Director", ["Marketo"], None, []),
    ("Campaign Coordinator (EMEA)", "demand_gen", "coordinator", ["marketing-coordinator"], "jade.morgan", "Campaign Manager", [], None, []),
    ("Campaign Coordinator (North America)", "demand_gen", "coordinator", ["marketing-coordinator"], "leo.fischer", "Campaign Manager", [], None, []),
    ("Campaign Coordinator (APAC)", "demand_gen", "coordinator", ["marketing-coordinator"], None, "Campaign Manager", [], None, []),
    ("Content Marketer", "content", "specialist", ["content-marketer"], "ethan.price", "Content Lead", ["Contentful"], None, []),
]

TARGET_POSITIONS: list[PositionRow] = [
    ("Chief Executive Officer", "executive", "c_level", ["ceo"], "evelyn.carter", None, [], None, []),
    ("Chief Marketing Officer", "executive", "c_level", ["cmo"], "claire.donovan", "Chief Executive Officer", [], None, []),
    ("Chief Data Officer", "data", "c_level", ["cdo"], "raj.patel", "Chief Executive Officer", ["Snowflake"], None, []),
    ("Chief Technology Officer", "engineering", "c_level", ["cto"], "hannah.brooks", "Chief Executive Officer", [], None, []),
    ("Head of Marketing Operations", "marops", "director", ["head-of-marops"], "dana.whitfield", "Chief Marketing Officer", ["Marketo"], None, []),
    ("Workflow Architect", "marops", "senior_manager", ["workflow-architect"], "marco.rossi", "Head of Marketing Operations", ["Marketo"], None, []),
    ("Workflow Architect (CRM)", "marops", "specialist", ["workflow-architect"], "tom.nguyen", "Head of Marketing Operations", ["Salesforce"], None, []),
    ("Data Steward", "marops", "manager", ["data-steward"], "priya.shah", "Head of Marketing Operations", ["Google Analytics 4", "Snowflake"], None, ["Chief Data Officer"]),
    ("Prompt and Knowledge Designer", "marops", "specialist", ["prompt-knowledge-designer"], None, "Head of Marketing Operations", [], None, []),
    ("Marketing Operations Specialist", "marops", "specialist", ["marops-specialist"], "mia.chen", "Workflow Architect", ["Marketo", "Segment"], None, []),
    ("Marketing Operations Analyst", "marops", "specialist", ["marops-specialist"], "sam.okafor", "Data Steward", ["Segment"], None, []),
    ("Demand Generation Director", "demand_gen", "director", ["demand-gen-lead"], "marcus.lee", "Chief Marketing Officer", ["LinkedIn Ads"], 92_000, []),
    ("Campaign Manager", "demand_gen", "specialist", ["campaign-manager"], "nora.quinn", "Demand Generation Director", ["Marketo"], None, []),
    ("Campaign Manager (Lifecycle)", "demand_gen", "specialist", ["campaign-manager"], "leo.fischer", "Demand Generation Director", [], None, []),
    ("Campaign Coordinator", "demand_gen", "coordinator", ["marketing-coordinator"], "jade.morgan", "Campaign Manager", [], None, []),
    ("Content Lead", "content", "manager", ["content-lead"], "sofia.alvarez", "Chief Marketing Officer", ["Contentful"], None, []),
    ("Content Marketer", "content", "specialist", ["content-marketer"], "ethan.price", "Content Lead", ["Contentful"], None, []),
    ("Growth Lead", "growth", "senior_manager", ["growth-lead"], "oliver.grant", "Chief Marketing Officer", [], None, []),
]

# The seats of the 2026 target that are today's seats renamed (same key, so comparing the two
# charts shows a move or a change, not a removal and an addition).
TARGET_SEAT_WAS = {
    "Head of Marketing Operations": "Marketing Operations Manager",
    "Workflow Architect": "Marketo Admin",
    "Workflow Architect (CRM)": "Salesforce Admin",
    "Data Steward": "Analytics Lead",
    "Campaign Coordinator": "Campaign Coordinator (EMEA)",
    "Campaign Manager (Lifecycle)": "Campaign Coordinator (North America)",
}


def seat_key(title: str) -> str:
    return slugify(TARGET_SEAT_WAS.get(title, title))


PLATFORMS = [
    ("Marketo", "marketing_automation"),
    ("Salesforce", "crm"),
    ("Google Analytics 4", "analytics"),
    ("Segment", "cdp"),
    ("Contentful", "cms"),
    ("OpenAI", "ai_service"),
    ("Snowflake", "data_warehouse"),
    ("LinkedIn Ads", "advertising"),
    ("Drift", "sales_engagement"),
]

# name, vendor, model, allowed mode, purpose
AGENTS = [
    ("Lead Qualification Agent", "OpenAI", "gpt-4.1", "autonomous",
     "Scores inbound leads, decides MQL status and proposes the sales owner."),
    ("Chat Concierge", "Drift", "Drift AI chat", "autonomous",
     "Answers website visitors, qualifies them and books meetings with sales."),
    ("Campaign Copy Assistant", "Anthropic", "claude-sonnet", "assisted",
     "Drafts email, landing page and follow-up copy for a human to approve."),
    ("Attribution Analyst", "Snowflake", "Cortex", "autonomous",
     "Runs the multi-touch attribution model and assigns pipeline credit per channel."),
    ("Content Brief Generator", "OpenAI", "gpt-4.1-mini", "assisted",
     "Turns keyword research and sales notes into content briefs."),
    ("Send-Time Optimiser", "Adobe", "Marketo Predictive", "autonomous",
     "Chooses when each contact receives an email."),
    ("Intent Signal Agent", "6sense", "Intent model", "assisted",
     "Surfaces accounts showing buying intent. Bought last year; no workflow uses it yet."),
]

# name, critical, owner (e-mail local part or None), description, steps:
#   (name, platform, mode, agent, decision, buyer-facing, role keys)
WORKFLOWS = [
    ("Lead routing", True, "tom.nguyen",
     "From an inbound form fill or chat to the right sales rep, fast.", [
         ("Capture inbound form fill", "Marketo", "human", None, "Which program the lead joins", False, ["platform-owner"]),
         ("Qualify visitor in website chat", "Drift", "ai_autonomous", "Chat Concierge", "Whether the visitor is qualified and offered a meeting", True, []),
         ("Score and qualify lead", "Marketo", "ai_autonomous", "Lead Qualification Agent", "MQL or not, and the lead score", False, ["platform-owner"]),
         ("Route to sales owner", "Salesforce", "ai_assisted", "Lead Qualification Agent", "Which rep or queue gets the lead", True, ["platform-owner"]),
         ("SDR first touch", "Salesforce", "human", None, "Whether sales accepts the lead", True, []),
     ]),
    ("Campaign launch", True, "dana.whitfield",
     "From a campaign brief to a live, QA'd multi-channel program.", [
         ("Brief and audience selection", "Salesforce", "human", None, "Target segment and offer", False, ["campaign-manager", "demand-gen-lead"]),
         ("Draft email and landing copy", "OpenAI", "ai_assisted", "Campaign Copy Assistant", "Copy variants put up for approval", False, ["campaign-manager"]),
         ("Build program", "Marketo", "human", None, "Program structure and tokens", False, ["platform-owner", "marketing-coordinator"]),
         ("Optimise send time", "Marketo", "ai_autonomous", "Send-Time Optimiser", "When each contact receives the email", True, []),
         ("Launch and QA", "Marketo", "human", None, "Go or no-go", True, ["marketing-coordinator"]),
     ]),
    ("Attribution reporting", True, "priya.shah",
     "Which channels created pipeline, reported monthly to the board.", [
         ("Collect touchpoints", "Segment", "human", None, "Which events count as touches", False, ["analytics-lead"]),
         ("Model multi-touch attribution", "Snowflake", "ai_autonomous", "Attribution Analyst", "Credit per channel and campaign", False, ["analytics-lead"]),
         ("Publish pipeline dashboard", "Google Analytics 4", "human", None, "What the board sees", False, ["analytics-lead"]),
     ]),
    ("Content production", True, "sofia.alvarez",
     "From a content idea to a published, personalised web page.", [
         ("Generate content brief", "OpenAI", "ai_assisted", "Content Brief Generator", "Angle, outline and sources", False, ["content-lead"]),
         ("Write and edit", "Contentful", "human", None, "Final wording", False, ["content-marketer"]),
         ("Publish to website", "Contentful", "human", None, "Publish or hold", True, ["content-lead"]),
         ("Personalise page for visitor", "Contentful", "ai_autonomous", "Campaign Copy Assistant", "Which variant each visitor sees", True, []),
     ]),
    ("Lead nurture", True, "mia.chen",
     "Keeps not-yet-ready leads warm until they are.", [
         ("Enrol in nurture track", "Marketo", "ai_assisted", "Lead Qualification Agent", "Which nurture track", False, ["platform-owner"]),
         ("Send nurture emails", "Marketo", "ai_autonomous", "Send-Time Optimiser", "When each email goes out", True, []),
         ("Hand back to sales at threshold", "Salesforce", "human", None, "Whether the lead is sales-ready again", True, ["platform-owner"]),
     ]),
    ("Event follow-up", False, None,
     "After a webinar or trade show: who gets what message, and when.", [
         ("Import attendee list", "Salesforce", "human", None, "Which attendees are imported", False, ["marketing-coordinator"]),
         ("Draft personalised follow-up", "OpenAI", "ai_assisted", "Campaign Copy Assistant", "Message per attendee segment", True, ["campaign-manager"]),
         ("Send follow-up", "Marketo", "human", None, "Send or hold", True, ["marketing-coordinator"]),
     ]),
    ("Data enrichment and hygiene", False, "greg.holt",
     "Deduplicates and enriches CRM records every week.", [
         ("Deduplicate records", "Salesforce", "human", None, "Which record survives a merge", False, ["platform-owner"]),
         ("Enrich firmographics", "Segment", "ai_assisted", "Lead Qualification Agent", "Which firmographic values to accept", False, ["analytics-lead"]),
     ]),
]

# name, allowed, entity rules, days since audit, score, steward, agents that read it
DATA_SOURCES = [
    ("Salesforce contacts and accounts", True, "Contacts and accounts only; no opportunity notes.", 40, 82, "priya.shah",
     ["Lead Qualification Agent", "Chat Concierge"]),
    ("Marketo activity log", True, "Email and web activity of the last 18 months.", 120, 74, "priya.shah",
     ["Lead Qualification Agent", "Send-Time Optimiser"]),
    ("Segment website events", True, "Anonymous and identified page views; no form field values.", 15, 88, "priya.shah",
     ["Chat Concierge", "Attribution Analyst"]),
    ("Purchased trade-show list (2023)", False, "Not allowed: consent unclear and job titles unreliable.", 200, 41, "priya.shah",
     ["Lead Qualification Agent"]),
]

# name, kind, version, owner, agents, audits: (days ago, accuracy, brand, sample size, auditor)
KNOWLEDGE_ASSETS = [
    ("Chat Concierge system prompt", AssetKind.PROMPT, 3, "mia.chen", ["Chat Concierge"],
     [(20, 91, 87, 150, "mia.chen")]),
    ("Product and pricing knowledge base", AssetKind.KNOWLEDGE_BASE, 7, "sofia.alvarez",
     ["Chat Concierge", "Campaign Copy Assistant"], [(120, 78, 90, 60, "ethan.price")]),
    ("Brand voice instructions", AssetKind.INSTRUCTION, 2, "ethan.price",
     ["Campaign Copy Assistant", "Content Brief Generator"], []),
]

# agent, allowed mode, decided by, days ago, rationale
POLICY_DECISIONS = [
    ("Chat Concierge", "autonomous", "dana.whitfield", 60,
     "Answers are drawn only from the pricing knowledge base, which is audited; meetings can be cancelled."),
    ("Campaign Copy Assistant", "assisted", "dana.whitfield", 45,
     "Copy reaches buyers under our name; a person approves every variant."),
    ("Lead Qualification Agent", "autonomous", "dana.whitfield", 90,
     "Routing is reversible within the hour and monitored by Sales ops."),
]

# summary, agent, (workflow, step order) or None, days ago, severity, buyer-facing, harm,
# affected, description, review: (status, root cause, owner, analysis, actions) or None
INCIDENTS = [
    ("Chat Concierge quoted a retired pricing tier", "Chat Concierge", ("Lead routing", 2), 2, "high", True,
     "wrong_information", "Prospect at Brightline Logistics (enterprise trial)",
     "The chat told a prospect the 'Growth' plan still exists at £49 per seat; it was retired in June.",
     None),
    ("Enterprise leads routed to the SMB queue", "Lead Qualification Agent", ("Lead routing", 4), 20, "critical", True,
     "misrouted", "14 enterprise inbound leads; two sales reps",
     "For three days, leads with more than 1,000 employees went to the SMB queue and waited 48 hours.",
     ("resolved", "data", "tom.nguyen",
      "Employee counts from the purchased 2023 list overwrote enrichment data; the agent trusted them.",
      [("Block the purchased list from AI workflows", "priya.shah", 15, True),
       ("Add a routing regression check to the weekly QA", "marco.rossi", 10, True)])),
    ("Follow-up email used the old product name", "Campaign Copy Assistant", ("Event follow-up", 2), 6, "medium", True,
     "brand", "420 webinar attendees",
     "The approved follow-up called the product 'Halcyon Insights', renamed last quarter.", None),
    ("Attribution double-counted webinar touches", "Attribution Analyst", ("Attribution reporting", 2), 16, "low", False,
     "reporting", "Monthly board pipeline report",
     "Webinar registrations and attendances were both credited, inflating webinar-sourced pipeline by 18%.",
     ("in_review", "workflow_design", "priya.shah",
      "The model was allowed to run autonomously before the touchpoint definitions were signed off.",
      [("Sign off the touchpoint definitions", "priya.shah", -2, False)])),
    ("Emails sent to APAC contacts at 3am", "Send-Time Optimiser", None, 3, "medium", True,
     "brand", "About 2,300 APAC contacts",
     "After the time-zone field mapping broke, emails went out in the middle of the night in Sydney.", None),
]


M = TypeVar("M", bound=models.Model)


def _upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any], create_only: dict[str, Any] | None = None) -> M:
    """Find by `lookup`; create with `values` (and `create_only`), or save only what differs.

    Unlike update_or_create, a second run with nothing changed writes nothing (so auto_now
    timestamps stay put)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values, **(create_only or {}))
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj


def _upsert_people() -> dict[str, Person]:
    people = {}
    for name, local, level, active in PEOPLE:
        person = _upsert(
            Person, {"email": email(local)}, {"name": name, "level": level, "is_active": active}
        )
        people[local] = person
    return people


def _upsert_users(people: dict[str, Person]) -> dict[str, User]:
    users = {}
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=demo.username)
        user.is_staff = user.is_superuser = demo.group is None
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        if demo.person_email:
            person = next(p for p in people.values() if p.email == demo.person_email)
            user.first_name, _, user.last_name = person.name.partition(" ")
            user.email = person.email
        user.save()
        user.groups.set([Group.objects.get(name=demo.group)] if demo.group else [])
        if demo.person_email:
            Person.objects.filter(user=user).exclude(email=demo.person_email).update(user=None)
            Person.objects.filter(email=demo.person_email).update(user=user)
        users[demo.username] = user
    return users


def _upsert_chart(
    name: str, status: str, rows: list[PositionRow], people: dict[str, Person], platforms: dict[str, Platform],
    description: str, based_on: Chart | None = None,
) -> Chart:
    chart, _ = Chart.objects.get_or_create(name=name, defaults={"status": status})
    another_live = Chart.objects.filter(status=ChartStatus.LIVE).exclude(pk=chart.pk).exists()
    # Never unseat a chart the users adopted (nor leave the organisation without a live chart).
    keep = chart.status == ChartStatus.LIVE or (status == ChartStatus.LIVE and another_live)
    if not keep:
        chart = _upsert(Chart, {"pk": chart.pk}, {"status": status})
    chart = _upsert(Chart, {"pk": chart.pk}, {"description": description, "based_on": based_on})
    roles = {role.key: role for role in Role.objects.all()}
    wanted_titles = [row[0] for row in rows]
    by_title: dict[str, Position] = {}
    for title, team, level, role_keys, holder, manager, expertise, salary, _dotted in rows:
        person = people[holder] if holder else None
        if person is not None:
            # A person holds one seat per chart: free the seat they hold under another title.
            chart.positions.filter(person=person).exclude(title=title).update(person=None)
        position = _upsert(
            Position, {"chart": chart, "title": title},
            {"team": team, "level": level, "salary": salary, "person": person, "key": seat_key(title),
             "reports_to": by_title[manager] if manager else None},
        )
        position.roles.set([roles[key] for key in role_keys])
        position.platform_expertise.set([platforms[p] for p in expertise])
        by_title[title] = position
    for title, *_rest, dotted in rows:
        by_title[title].dotted_lines.set([by_title[t] for t in dotted])
    # Seats the demo does not have (added by users): remove them, deepest first.
    parent_of = dict(chart.positions.values_list("id", "reports_to_id"))

    def depth(pk: int) -> int:
        return 0 if (parent := parent_of[pk]) is None else 1 + depth(parent)

    extra = chart.positions.exclude(title__in=wanted_titles).values_list("id", flat=True)
    for pk in sorted(extra, key=depth, reverse=True):
        Position.objects.filter(pk=pk).delete()
    return chart


def _upsert_workflows(people: dict[str, Person], platforms: dict[str, Platform], agents: dict[str, Agent]) -> dict[str, Workflow]:
    roles = {role.key: role for role in Role.objects.all()}
    workflows = {}
    for name, critical, owner, description, steps in WORKFLOWS:
        workflow = _upsert(
            Workflow, {"name": name},
            {"is_critical": critical, "owner": people[owner] if owner else None,
             "description": description, "status": "active"},
        )
        workflow.steps.filter(order__gt=len(steps)).delete()
        for order, (step_name, platform, mode, agent, decision, buyer_facing, role_keys) in enumerate(steps, 1):
            step = _upsert(
                Step, {"workflow": workflow, "order": order},
                {"name": step_name, "platform": platforms[platform], "mode": mode,
                 "agent": agents[agent] if agent else None, "decision": decision,
                 "is_buyer_facing": buyer_facing},
            )
            step.roles.set([roles[key] for key in role_keys])
        workflows[name] = workflow
    return workflows


def _upsert_governance(people: dict[str, Person], agents: dict[str, Agent], users: dict[str, User], today: datetime.date) -> None:
    for name, allowed, rules, audit_days, score, steward, readers in DATA_SOURCES:
        source = _upsert(
            DataSource, {"name": name},
            {"is_allowed": allowed, "entity_rules": rules, "quality_score": score, "steward": people[steward]},
            create_only={"last_audit_on": today - datetime.timedelta(days=audit_days)},
        )
        source.agents.set([agents[a] for a in readers])
    for name, kind, version, owner, used_by, audits in KNOWLEDGE_ASSETS:
        asset = _upsert(KnowledgeAsset, {"name": name, "version": version}, {"kind": kind, "owner": people[owner]})
        asset.agents.set([agents[a] for a in used_by])
        if not asset.audits.exists():
            for days, accuracy, brand, sample, auditor in audits:
                OutputAudit.objects.create(
                    asset=asset, audited_on=today - datetime.timedelta(days=days), accuracy_score=accuracy,
                    brand_score=brand, sample_size=sample, auditor=people[auditor],
                )
    for agent, mode, by, days, rationale in POLICY_DECISIONS:
        PolicyDecision.objects.get_or_create(
            agent=agents[agent], allowed_mode=mode, decided_by=people[by], rationale=rationale,
            defaults={"decided_on": today - datetime.timedelta(days=days)},
        )
    paused = agents[PAUSED_AGENT]
    if not paused.kill_switch_events.exists():
        KillSwitchEvent.objects.create(
            agent=paused, action=KillSwitchAction.PAUSE, by=users["staff"],
            reason="Sending at 3am local time to APAC contacts since the time-zone field mapping broke.",
        )


def _upsert_incidents(
    people: dict[str, Person], agents: dict[str, Agent], workflows: dict[str, Workflow], users: dict[str, User],
    now: datetime.datetime,
) -> None:
    for (summary, agent_name, where, days, severity, buyer_facing, harm, affected, description,
         review_state) in INCIDENTS:
        agent = agents[agent_name]
        step = workflows[where[0]].steps.get(order=where[1]) if where else None
        incident = Incident.objects.filter(summary=summary).first()
        if incident is None:
            occurred_at = now - datetime.timedelta(days=days)
            incident = incident_create(
                reporter=users["staff"], agent=agent, step=step, summary=summary, description=description,
                severity=severity, occurred_at=occurred_at, is_buyer_facing=buyer_facing,
                harm_category=harm, affected=affected,
            )
            # Logged the day it happened, so review deadlines (and overdue ones) look real.
            Review.objects.filter(incident=incident).update(
                due_on=review_due_on(severity=severity, logged_on=occurred_at.date())
            )
            # Logged long ago, too: the notifications' catch-up (incidents of the last day nobody was told
            # about) must not announce the demo's history to its made-up people.
            Incident.objects.filter(pk=incident.pk).update(created_at=occurred_at)
            incident.refresh_from_db()
        else:
            accountability = step_accountable(step) if step else agent_accountable(agent)
            Incident.objects.filter(pk=incident.pk).update(
                agent=agent, step=step, severity=severity, is_buyer_facing=buyer_facing,
                harm_category=harm, affected=affected, description=description,
                accountable_when_logged=accountability.person, accountability_reason=accountability.reason,
            )
        review = incident.review
        if review_state:
            status, cause, owner, analysis, actions = review_state
            values = {"root_cause": cause, "analysis": analysis, "accountable_owner": people[owner], "status": status}
            if status == ReviewStatus.RESOLVED and review.resolved_at is None:
                values |= {"resolved_at": incident.occurred_at + datetime.timedelta(days=4), "resolved_by": users["leader"]}
            review = _upsert(Review, {"pk": review.pk}, values)
            for text, assignee, due_in, done in actions:
                _upsert(
                    CorrectiveAction, {"review": review, "description": text},
                    {"assignee": people[assignee], "is_done": done},
                    create_only={"due_on": incident.occurred_at.date() + datetime.timedelta(days=abs(due_in))},
                )


def _history_from_last_year(*, since: datetime.datetime) -> None:
    """The company existed before its incidents: the first records of the people, seats, workflows and
    steps this run created (and the charts' creation) are dated a year back, so "who was accountable when it occurred" has an
    answer for the demo's incidents (a re-run that creates nothing changes nothing)."""
    year_ago = since - datetime.timedelta(days=365)
    Chart.objects.filter(created_at__gte=since).update(created_at=year_ago)  # live since then
    for model in (Person, Position, Workflow, Step):
        model.history.filter(history_type="+", history_date__gte=since).update(history_date=year_ago)


def _upsert_plan(target: Chart, today: datetime.date) -> None:
    """The move started two months ago and takes nine; dates set once, so a re-run keeps them."""
    if MigrationPlan.objects.exists():
        return
    start = today - datetime.timedelta(days=61)
    MigrationPlan.objects.create(
        started_on=start, target_chart=target,
        map_workflows_by=start + datetime.timedelta(days=90),
        assign_owners_by=start + datetime.timedelta(days=180),
        add_roles_by=start + datetime.timedelta(days=270),
    )


@transaction.atomic
def seed_demo() -> list[DemoUser]:
    """Create or refresh the demo company. Returns the demo logins."""
    now = timezone.now()
    # The catalogue and groups come from migrations; restore them if the database was flushed.
    catalogue_sync(Role)
    groups_sync(django_apps)
    people = _upsert_people()
    users = _upsert_users(people)
    platforms: dict[str, Platform] = {}
    for name, category in PLATFORMS:
        platforms[name] = _upsert(Platform, {"name": name}, {"category": category})
    live = _upsert_chart(
        LIVE_CHART, ChartStatus.LIVE, LIVE_POSITIONS, people, platforms,
        "Today's organisation: marketing operations sits under demand gen and is organised by platform.",
    )
    target = _upsert_chart(
        TARGET_CHART, ChartStatus.SCENARIO, TARGET_POSITIONS, people, platforms,
        "The 2026 model: a Head of MarOps reporting to the CMO with the three core roles beneath.",
        based_on=live,
    )
    agents: dict[str, Agent] = {}
    for name, vendor, model_name, allowed, purpose in AGENTS:
        status = AgentStatus.PAUSED if name == PAUSED_AGENT else AgentStatus.ACTIVE
        agents[name] = _upsert(
            Agent, {"name": name},
            {"vendor": vendor, "model_name": model_name, "allowed_mode": allowed,
             "purpose": purpose, "status": status},
        )
    workflows = _upsert_workflows(people, platforms, agents)
    _history_from_last_year(since=now)
    _upsert_governance(people, agents, users, timezone.localdate())
    _upsert_incidents(people, agents, workflows, users, now)
    _upsert_plan(target, timezone.localdate())
    # The seed writes rows directly, not through the services that refresh flags: one scan brings the
    # flags to exactly what the data says (also after a re-run restored it); a second run changes nothing.
    ownership_scan()
    return DEMO_USERS
