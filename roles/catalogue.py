"""The role catalogue: the four core roles of “The MarOps Org Chart for the AI Era” with their 2026 UK bands, the executives,
and the legacy roles a 2022 platform-organised chart has. Editable afterwards in the admin.

`catalogue_sync` takes the Role model as an argument so that the data migration can pass its
historical model and `seed_demo` the current one.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Role

# key, name, team, band min, band max, core, platform role, minimum level, description
CATALOGUE = [
    ("head-of-marops", "Head of Marketing Operations", "marops", 80_000, 120_000, True, False, "director",
     "Owns the function (also called Marketing AI Lead). Reports to the CMO. Makes the AI governance "
     "call, defends the budget, hires the next three roles. Director or VP level; not delegable to a "
     "coordinator."),
    ("workflow-architect", "Workflow Architect", "marops", 60_000, 85_000, True, False, "",
     "Maps end-to-end workflows across platforms and decides which steps AI executes autonomously, "
     "which AI assists with, and which stay human. Owns the integration layer and writes the runbooks."),
    ("data-steward", "Data Steward", "marops", 55_000, 75_000, True, False, "",
     "Owns the marketing data model, decides what data is allowed into AI workflows, sets entity "
     "rules and audits data quality. Dotted line to the CDO if there is one."),
    ("prompt-knowledge-designer", "Prompt and Knowledge Designer", "marops", 50_000, 70_000, True, False, "",
     "Owns the prompts, knowledge bases and instructions that AI agents use; audits agent outputs for "
     "accuracy and brand consistency. Reports inside MarOps, not Content."),
    ("ceo", "Chief Executive Officer", "executive", 150_000, 250_000, False, False, "c_level", ""),
    ("cmo", "Chief Marketing Officer", "executive", 130_000, 200_000, False, False, "c_level", ""),
    ("cdo", "Chief Data Officer", "data", 130_000, 190_000, False, False, "c_level", ""),
    ("cto", "Chief Technology Officer", "engineering", 140_000, 210_000, False, False, "c_level", ""),
    ("platform-owner", "Platform owner", "marops", 45_000, 65_000, False, True, "",
     "A 2022-style role defined by the tool it manages (e.g. Marketo admin, Salesforce admin)."),
    ("marops-manager", "Marketing operations manager", "marops", 50_000, 70_000, False, False, "",
     "A 2022-style generalist who keeps the marketing systems running."),
    ("marops-specialist", "Marketing operations specialist", "marops", 35_000, 50_000, False, False, "", ""),
    ("analytics-lead", "Analytics lead", "data", 50_000, 75_000, False, False, "",
     "Owns reporting and the analytics stack."),
    ("campaign-manager", "Campaign manager", "demand_gen", 38_000, 55_000, False, False, "", ""),
    ("marketing-coordinator", "Marketing coordinator", "demand_gen", 25_000, 35_000, False, False, "", ""),
    ("content-lead", "Content lead", "content", 50_000, 75_000, False, False, "", ""),
    ("content-marketer", "Content marketer", "content", 32_000, 48_000, False, False, "", ""),
    ("demand-gen-lead", "Demand generation lead", "demand_gen", 65_000, 95_000, False, False, "", ""),
    ("growth-lead", "Growth lead", "growth", 60_000, 90_000, False, False, "", ""),
]



def catalogue_sync(role_model: "type[Role]") -> None:
    """Create the catalogue's roles that are missing. Existing roles, perhaps edited, are left alone."""
    for key, name, team, band_min, band_max, core, platform, min_level, description in CATALOGUE:
        role_model.objects.get_or_create(
            key=key,
            defaults={
                "name": name, "team": team, "band_min": band_min, "band_max": band_max,
                "currency": "GBP", "is_core": core, "is_platform_role": platform,
                "min_level": min_level, "description": description,
            },
        )
