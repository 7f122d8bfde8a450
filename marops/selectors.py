"""The dashboard's headline figures, read from the three apps in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from governance.choices import ReviewStatus
from governance.models import Review
from roles.models import Role
from roles.selectors import chart_live
from workflows.choices import AgentStatus
from workflows.models import Agent, OwnershipFlag, Workflow


@dataclass(frozen=True)
class DashboardSummary:
    workflows: int
    owned: int
    critical: int
    critical_owned: int
    open_flags: int
    open_reviews: int
    overdue_reviews: int
    active_agents: int
    paused_agents: int
    missing_core_roles: list[Role]

    @property
    def owned_percent(self) -> int:
        return round(100 * self.owned / self.workflows) if self.workflows else 0


def dashboard_summary() -> DashboardSummary:
    wf = Workflow.objects.aggregate(
        workflows=Count("id"),
        owned=Count("id", filter=Q(owner__isnull=False)),
        critical=Count("id", filter=Q(is_critical=True)),
        critical_owned=Count("id", filter=Q(is_critical=True, owner__isnull=False)),
    )
    reviews = Review.objects.exclude(status=ReviewStatus.RESOLVED).aggregate(
        open_reviews=Count("id"), overdue_reviews=Count("id", filter=Q(due_on__lt=timezone.localdate()))
    )
    agents = Agent.objects.aggregate(
        active_agents=Count("id", filter=Q(status=AgentStatus.ACTIVE)),
        paused_agents=Count("id", filter=Q(status=AgentStatus.PAUSED)),
    )
    live = chart_live()
    missing = Role.objects.filter(is_core=True)
    if live is not None:
        missing = missing.exclude(positions__chart=live)
    return DashboardSummary(
        **wf,
        **reviews,
        **agents,
        open_flags=OwnershipFlag.objects.filter(resolved_at__isnull=True).count(),
        missing_core_roles=list(missing),
    )
