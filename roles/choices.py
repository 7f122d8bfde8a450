from django.db import models


class Level(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    SPECIALIST = "specialist", "Specialist"
    MANAGER = "manager", "Manager"
    SENIOR_MANAGER = "senior_manager", "Senior manager"
    DIRECTOR = "director", "Director"
    VP = "vp", "VP"
    C_LEVEL = "c_level", "C-level"


# Seniority order: a higher number is more senior.
LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values, start=1)}


def level_rank(level: str) -> int:
    return LEVEL_RANK[level]


class Team(models.TextChoices):
    MAROPS = "marops", "MarOps"
    CONTENT = "content", "Content"
    DEMAND_GEN = "demand_gen", "Demand gen"
    GROWTH = "growth", "Growth"
    DATA = "data", "Data"
    EXECUTIVE = "executive", "Executive"
    SALES_OPS = "sales_ops", "Sales ops"
    PRODUCT_MARKETING = "product_marketing", "Product marketing"
    ENGINEERING = "engineering", "Engineering"
    # Outside marketing: seats an HR import brings in (a sales director, a finance analyst) that hold no
    # catalogue role but take part in the reporting lines.
    MARKETING = "other_marketing", "Other marketing"
    SALES = "sales", "Sales"
    FINANCE = "finance", "Finance"
    PEOPLE = "people", "People (HR)"
    OTHER = "other", "Other"


class ChartStatus(models.TextChoices):
    LIVE = "live", "Live"
    SCENARIO = "scenario", "Scenario"
    ARCHIVED = "archived", "Archived (former live chart)"


class CoreRole(models.TextChoices):
    """The four core MarOps roles of the 2026 model; their keys are fixed."""

    HEAD_OF_MAROPS = "head-of-marops", "Head of Marketing Operations"
    WORKFLOW_ARCHITECT = "workflow-architect", "Workflow Architect"
    DATA_STEWARD = "data-steward", "Data Steward"
    PROMPT_KNOWLEDGE_DESIGNER = "prompt-knowledge-designer", "Prompt and Knowledge Designer"
