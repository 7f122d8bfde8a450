"""Reads for governance pages, each in a fixed number of queries."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import ReviewStatus
from .models import DataSource, Incident, KnowledgeAsset


def incident_list() -> QuerySet[Incident]:
    return Incident.objects.select_related(
        "agent", "step__workflow", "accountable_person", "review__accountable_owner", "reporter"
    )


def incident_get(pk: int) -> Incident:
    return incident_list().prefetch_related("review__actions__assignee").get(pk=pk)


def review_is_overdue(incident: Incident) -> bool:
    review = incident.review
    return review.status != ReviewStatus.RESOLVED and review.due_on < timezone.localdate()


def data_source_list() -> QuerySet[DataSource]:
    return DataSource.objects.select_related("steward").annotate(
        agent_count=Count("agents"),
        active_reader_count=Count("agents", filter=Q(agents__status="active")),
    )


def knowledge_asset_list() -> QuerySet[KnowledgeAsset]:
    return KnowledgeAsset.objects.select_related("owner").prefetch_related("agents", "audits")
