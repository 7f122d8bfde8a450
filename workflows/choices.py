from django.db import models


class PlatformCategory(models.TextChoices):
    MARKETING_AUTOMATION = "marketing_automation", "Marketing automation"
    CRM = "crm", "CRM"
    ANALYTICS = "analytics", "Analytics"
    CDP = "cdp", "CDP"
    CMS = "cms", "CMS"
    AI_SERVICE = "ai_service", "AI service"
    DATA_WAREHOUSE = "data_warehouse", "Data warehouse"
    ADVERTISING = "advertising", "Advertising"
    SALES_ENGAGEMENT = "sales_engagement", "Sales engagement"
    OTHER = "other", "Other"


class WorkflowStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class StepMode(models.TextChoices):
    HUMAN = "human", "Human"
    AI_ASSISTED = "ai_assisted", "AI-assisted"
    AI_AUTONOMOUS = "ai_autonomous", "AI-autonomous"


class AgentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    RETIRED = "retired", "Retired"


class AllowedMode(models.TextChoices):
    """The highest mode governance allows an agent (the AI governance call)."""

    AUTONOMOUS = "autonomous", "Autonomous"
    ASSISTED = "assisted", "Assisted only"
    PROHIBITED = "prohibited", "Prohibited"


# Which step modes each governance call permits.
MODES_ALLOWED: dict[str, set[StepMode]] = {
    AllowedMode.AUTONOMOUS: {StepMode.AI_ASSISTED, StepMode.AI_AUTONOMOUS},
    AllowedMode.ASSISTED: {StepMode.AI_ASSISTED},
    AllowedMode.PROHIBITED: set(),
}


class FlagKind(models.TextChoices):
    WORKFLOW_WITHOUT_OWNER = "workflow-without-owner", "Workflow without owner"
    OWNER_OUTSIDE_MAROPS = "owner-outside-marops", "Owner outside MarOps"
    OWNER_INACTIVE = "owner-inactive", "Owner inactive"
    AGENT_IN_NO_WORKFLOW = "agent-in-no-workflow", "Agent acting in no workflow"
    NO_SINGLE_ACCOUNTABLE = "no-single-accountable", "Buyer-facing AI step with no single accountable person"
    INCIDENT_WITHOUT_OWNER = "incident-without-owner", "Incident with nobody accountable"


# The kinds the periodic scan opens and resolves; the others (incident flags) close with their cause.
SCAN_KINDS = {
    FlagKind.WORKFLOW_WITHOUT_OWNER,
    FlagKind.OWNER_OUTSIDE_MAROPS,
    FlagKind.OWNER_INACTIVE,
    FlagKind.AGENT_IN_NO_WORKFLOW,
    FlagKind.NO_SINGLE_ACCOUNTABLE,
}
