import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import DataSource, KnowledgeAsset, OutputAudit
from roles.models import Person
from tests.conftest import make_user
from workflows.models import Agent

pytestmark = pytest.mark.django_db


def test_staff_register_a_data_source_and_a_bad_score_is_refused_with_the_field(client, demo):
    client.force_login(make_user("s", "MarOps staff"))
    url = reverse("governance:data-source-list")
    bad = client.post(url, {"name": "Webinar attendees", "quality_score": 140, "is_allowed": "on"})
    assert bad.status_code == 422
    assert "Quality score: Ensure this value is less than or equal to 100." in bad.content.decode()
    assert not DataSource.objects.filter(name="Webinar attendees").exists()
    agent = Agent.objects.get(name="Chat Concierge")
    ok = client.post(url, {"name": "Webinar attendees", "quality_score": 80, "agents": [agent.pk]})
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "Chat Concierge is active and reads “Webinar attendees”, which is not allowed into AI workflows." in page


def test_executives_and_leaders_read_the_registers_but_cannot_change_them(client, demo):
    asset = KnowledgeAsset.objects.first()
    for group in ["Executives", "Leaders"]:
        client.force_login(make_user(f"u-{group}", group))
        assert client.get(reverse("governance:knowledge-asset-list")).status_code == 200
        assert client.post(reverse("governance:data-source-list"), {"name": "X"}).status_code == 403
        assert client.post(reverse("governance:output-audit-add", args=[asset.pk]), {}).status_code == 403


def test_recording_an_output_audit_clears_the_stale_audit_finding(client, demo):
    client.force_login(make_user("s", "MarOps staff"))
    asset = KnowledgeAsset.objects.get(name="Product and pricing knowledge base")
    page = client.get(reverse("governance:knowledge-asset-list")).content.decode()
    assert "“Product and pricing knowledge base v7” was last audited on" in page
    auditor = Person.objects.get(name="Mia Chen")
    client.post(
        reverse("governance:output-audit-add", args=[asset.pk]),
        {
            "audited_on": timezone.localdate().isoformat(),
            "accuracy_score": 93,
            "brand_score": 95,
            "sample_size": 80,
            "auditor": auditor.pk,
        },
    )
    assert OutputAudit.objects.filter(asset=asset, sample_size=80).exists()
    page = client.get(reverse("governance:knowledge-asset-list")).content.decode()
    assert "“Product and pricing knowledge base v7” was last audited on" not in page
