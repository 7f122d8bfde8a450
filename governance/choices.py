from django.db import models


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class HarmCategory(models.TextChoices):
    WRONG_INFORMATION = "wrong_information", "Wrong information given to a buyer"
    MISROUTED = "misrouted", "Lead or account misrouted"
    BRAND = "brand", "Off-brand or inappropriate output"
    PRIVACY = "privacy", "Privacy or consent breach"
    FINANCIAL = "financial", "Financial loss or wrong spend"
    REPORTING = "reporting", "Wrong reporting or attribution"
    OTHER = "other", "Other"


class RootCause(models.TextChoices):
    PROMPT_KNOWLEDGE = "prompt_knowledge", "Prompt or knowledge"
    DATA = "data", "Data"
    WORKFLOW_DESIGN = "workflow_design", "Workflow design or autonomy level"
    PLATFORM_CONFIGURATION = "platform_configuration", "Platform configuration"
    POLICY = "policy", "Policy"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_REVIEW = "in_review", "In review"
    RESOLVED = "resolved", "Resolved"


class AssetKind(models.TextChoices):
    PROMPT = "prompt", "Prompt"
    KNOWLEDGE_BASE = "knowledge_base", "Knowledge base"
    INSTRUCTION = "instruction", "Instruction"


class KillSwitchAction(models.TextChoices):
    PAUSE = "pause", "Paused"
    RESUME = "resume", "Resumed"
    RETIRE = "retire", "Retired"
