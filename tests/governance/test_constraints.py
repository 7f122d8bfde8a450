"""Invariants of the governance app: above all, a resolved review has exactly one accountable owner."""

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from governance.models import KillSwitchEvent, OutputAudit, Review
from tests.db import raw_sql, refused_by_database
from tests.factories import AgentFactory, PersonFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_resolving_a_review_without_an_owner_is_refused():
    review = ReviewFactory(accountable_owner=None)
    review.status, review.resolved_at = "resolved", timezone.now()
    with refused_by_database():
        review.save()
    review.refresh_from_db()
    assert review.status == "open"


@pytest.mark.postgres
def test_resolving_a_review_without_an_owner_is_refused_in_raw_sql():
    review = ReviewFactory(accountable_owner=None)
    with refused_by_database():
        raw_sql("UPDATE governance_review SET status = 'resolved', resolved_at = now() WHERE id = %s", [review.pk])


def test_removing_the_owner_of_a_resolved_review_is_refused():
    review = ReviewFactory(accountable_owner=PersonFactory(), status="resolved", resolved_at=timezone.now())
    with refused_by_database():
        Review.objects.filter(pk=review.pk).update(accountable_owner=None)


def test_a_review_with_one_owner_can_be_resolved():
    owner = PersonFactory()
    review = ReviewFactory(accountable_owner=owner, status="resolved", resolved_at=timezone.now())
    assert Review.objects.get(pk=review.pk).accountable_owner == owner


def test_one_review_per_incident():
    review = ReviewFactory()
    with refused_by_database():
        ReviewFactory(incident=review.incident)


def test_deleting_the_accountable_owner_of_a_review_is_refused():
    owner = PersonFactory()
    ReviewFactory(accountable_owner=owner)
    with pytest.raises(ProtectedError):
        owner.delete()


@pytest.mark.postgres
def test_deleting_the_accountable_owner_of_a_review_is_refused_in_raw_sql():
    owner = PersonFactory()
    ReviewFactory(accountable_owner=owner)
    with refused_by_database():
        raw_sql("DELETE FROM roles_person WHERE id = %s", [owner.pk])


def test_pulling_the_plug_needs_a_reason():
    with refused_by_database():
        KillSwitchEvent.objects.create(agent=AgentFactory(), action="pause", by=UserFactory(), reason="   ")


def test_audit_scores_stay_between_0_and_100():
    from governance.models import KnowledgeAsset

    asset = KnowledgeAsset.objects.create(name="Prompt", kind="prompt", owner=PersonFactory())
    with refused_by_database():
        OutputAudit.objects.create(
            asset=asset,
            audited_on=timezone.localdate(),
            accuracy_score=140,
            brand_score=80,
            sample_size=10,
            auditor=PersonFactory(),
        )
