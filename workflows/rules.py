"""Rules that need workflows as well as the chart. Registered into roles' chart rules."""

from roles.rules import ChartFacts, Finding, FindingSeverity

from .models import Workflow


def platform_organised(facts: ChartFacts) -> list[Finding]:
    """“The MarOps Org Chart for the AI Era”: “Platform expertise sits inside roles defined by the
    workflow they own, not the tool they manage.” A position defined by a platform whose holder owns no workflow."""
    platform_positions = [p for p in facts.positions if any(role.is_platform_role for role in p.role_list())]
    if not platform_positions:
        return []
    holders = {p.person_id for p in platform_positions if p.person_id is not None}
    # Only the platform seats' holders: one index lookup each, not a scan of every workflow's owner.
    owners = set(
        Workflow.objects.filter(owner_id__in=holders, archived_at__isnull=True)
        .order_by()
        .values_list("owner_id", flat=True)
        .distinct()
    )
    findings = []
    for position in platform_positions:
        if position.person_id in owners:
            continue
        tools = ", ".join(platform.name for platform in position.expertise_list()) or "a platform"
        holder = position.person.name if position.person is not None else "This vacancy"
        findings.append(
            Finding(
                "platform-organised",
                FindingSeverity.MEDIUM,
                f"{position.title} is defined by {tools}; {holder} owns no workflow.",
                "Organise around workflows and decisions, not platforms: give this seat a workflow to "
                "own, or fold the platform expertise into a role such as Workflow Architect.",
                (position,),
            )
        )
    return findings
