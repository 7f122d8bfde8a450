"""Governance findings: what the Data Steward, the Prompt and Knowledge Designer and the AI governance
call say, checked against what agents actually do. Each rule is one function named after its key."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from roles.choices import CoreRole
from roles.selectors import people_holding
from workflows.choices import MODES_ALLOWED, AgentStatus, StepMode, WorkflowStatus
from workflows.models import Step

from .models import DataSource, KnowledgeAsset
from .selectors import inactive_holders

AUDIT_MAX_AGE = datetime.timedelta(days=90)


@dataclass(frozen=True)
class GovernanceFinding:
    rule: str
    message: str
    agent_id: int | None = None
    asset_id: int | None = None  # a knowledge asset's findings show on the page of each agent using it


def mode_exceeds_policy() -> list[GovernanceFinding]:
    """A step's mode exceeds what the governance call allows its agent (only those steps are read)."""
    exceeds = Q()
    for allowed, modes in MODES_ALLOWED.items():
        exceeds |= Q(agent__allowed_mode=allowed) & ~Q(mode__in=modes)
    steps = (
        Step.objects.filter(exceeds)
        .exclude(mode=StepMode.HUMAN)
        .exclude(workflow__status=WorkflowStatus.RETIRED)
        .exclude(agent__status=AgentStatus.RETIRED)
        .select_related("agent", "workflow")
    )
    return [
        GovernanceFinding(
            "mode-exceeds-policy",
            f"{step.agent.name} acts {step.get_mode_display()} in “{step.workflow.name}” step {step.order} "
            f"“{step.name}”, but governance allows it “{step.agent.get_allowed_mode_display()}”.",
            step.agent_id,
        )
        for step in steps
        if step.agent is not None  # always: the filter joins the agent
    ]


def disallowed_data_source() -> list[GovernanceFinding]:
    """An active agent reads data the Data Steward has not allowed into AI workflows."""
    findings = []
    for source in DataSource.objects.filter(is_allowed=False).prefetch_related("agents"):
        for agent in source.agents.all():
            if agent.status == AgentStatus.ACTIVE:
                findings.append(
                    GovernanceFinding(
                        "disallowed-data-source",
                        f"{agent.name} is active and reads “{source.name}”, which is not allowed into AI workflows.",
                        agent.pk,
                    )
                )
    return findings


def asset_owner_without_role() -> list[GovernanceFinding]:
    """Prompts and knowledge are owned by the Prompt and Knowledge Designer."""
    designers = set(people_holding(CoreRole.PROMPT_KNOWLEDGE_DESIGNER).values_list("pk", flat=True))
    return [
        GovernanceFinding(
            "asset-owner-without-role",
            f"“{asset}” is owned by {asset.owner.name}, who does not hold the Prompt and Knowledge Designer role.",
            asset_id=asset.pk,
        )
        for asset in KnowledgeAsset.objects.select_related("owner")
        if asset.owner_id not in designers
    ]


def stale_output_audit() -> list[GovernanceFinding]:
    """An asset whose outputs were last audited more than 90 days ago, or never."""
    cutoff = timezone.localdate() - AUDIT_MAX_AGE
    findings = []
    for asset in KnowledgeAsset.objects.annotate(last_audit=Max("audits__audited_on")):
        if asset.last_audit is None:
            message = f"“{asset}” has never had its outputs audited."
            findings.append(GovernanceFinding("stale-output-audit", message, asset_id=asset.pk))
        elif asset.last_audit < cutoff:
            findings.append(
                GovernanceFinding(
                    "stale-output-audit",
                    f"“{asset}” was last audited on {asset.last_audit:%d %b %Y}, more than 90 days ago.",
                    asset_id=asset.pk,
                )
            )
    return findings


def inactive_holder() -> list[GovernanceFinding]:
    """Someone deactivated without "Record a leaver" (in the admin, by an import) still holds open reviews,
    open corrective actions, knowledge assets or data sources: never a silent orphan. (Workflows they own
    are the ownership scan's `owner-inactive`.)"""
    return [
        GovernanceFinding(
            "inactive-holder",
            f"{person.name} is inactive but still holds {held} thing{'s' if held > 1 else ''} (open reviews, "
            "open corrective actions, knowledge assets, data sources): hand them on from their page.",
        )
        for person, held in inactive_holders()
    ]


RULES: list[Callable[[], list[GovernanceFinding]]] = [
    mode_exceeds_policy,
    disallowed_data_source,
    asset_owner_without_role,
    stale_output_audit,
    inactive_holder,
]


def register_governance_rule(rule: Callable[[], list[GovernanceFinding]]) -> Callable[[], list[GovernanceFinding]]:
    """Add a finding of an app above governance (webhooks' `webhook-disabled`), from its AppConfig.ready(),
    so governance imports none of them."""
    if rule not in RULES:
        RULES.append(rule)
    return rule


def governance_findings() -> list[GovernanceFinding]:
    return [finding for rule in RULES for finding in rule()]
