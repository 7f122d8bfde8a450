"""Downloads are saved under the right name, whatever the chart is called (RFC 6266: an ASCII fallback
and the UTF-8 name), and no name can break the response's headers."""

import email.message
import email.utils

import pytest
from django.urls import reverse

from roles.models import Chart
from tests.factories import PositionFactory

pytestmark = pytest.mark.django_db


def saved_as(response) -> str:
    """The file name a browser saves the download under: RFC 6266 says to prefer `filename*` (RFC 5987,
    UTF-8) to `filename` when both are given."""
    message = email.message.Message()
    message["Content-Disposition"] = response["Content-Disposition"]
    assert message.get_content_disposition() == "attachment"
    names = [value for key, value in message.get_params(header="content-disposition") if key == "filename"]
    extended = [email.utils.collapse_rfc2231_value(value) for value in names if isinstance(value, tuple)]
    return (extended or names)[0]


@pytest.mark.parametrize(("route", "extension"), [("roles:chart-export-csv", "csv"), ("roles:chart-export-svg", "svg")])
def test_the_demo_target_chart_downloads_under_its_own_name(leader_client, demo, route, extension):
    chart = Chart.objects.get(name="Halcyon — 2026 target")
    response = leader_client.get(reverse(route, args=[chart.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="Halcyon - 2026 target.{extension}"; '
        f"filename*=UTF-8''Halcyon%20%E2%80%94%202026%20target.{extension}"
    )
    assert saved_as(response) == f"Halcyon — 2026 target.{extension}"


def test_the_chart_svg_is_a_download_not_a_page(leader_client, demo):
    chart = Chart.objects.get(name="Halcyon — 2026 target")
    response = leader_client.get(reverse("roles:chart-export-svg", args=[chart.pk]))
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.decode().lstrip().startswith("<svg") or b"<svg" in response.content[:200]


@pytest.mark.parametrize(
    ("name", "fallback", "saved"),
    [
        ('Q3 "stretch" plan', "Q3 -stretch- plan", 'Q3 "stretch" plan'),
        ("Plan\r\nSet-Cookie: session=stolen", "Plan Set-Cookie- session-stolen", "Plan Set-Cookie: session=stolen"),
        ("Équipe données / 2027", "Equipe donnees - 2027", "Équipe données - 2027"),
        ("営業チャート", "download", "営業チャート"),
        ("50% ; filename=evil.exe", "50- - filename-evil.exe", "50% ; filename=evil.exe"),
    ],
)
def test_no_chart_name_breaks_the_header(leader_client, demo, name, fallback, saved):
    """Names like these may come from before the one-line rule, or from the admin: the header stays
    one well-formed field, the fallback is plain ASCII, and the UTF-8 name keeps what can be kept."""
    chart = Chart.objects.create(name=name)
    PositionFactory(chart=chart, title="Head of Marketing Operations")
    for route, extension in [("roles:chart-export-csv", "csv"), ("roles:chart-export-svg", "svg")]:
        response = leader_client.get(reverse(route, args=[chart.pk]))
        header = response["Content-Disposition"]
        assert response.status_code == 200 and "\n" not in header and "\r" not in header
        assert header.startswith(f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''")
        assert header.isascii() and header.count(";") == 2
        assert saved_as(response) == f"{saved}.{extension}"
        assert response.get("Set-Cookie") is None


def test_the_inventory_downloads_as_a_file(leader_client, demo):
    response = leader_client.get(reverse("workflows:inventory-export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename=\"workflow-inventory.csv\"; filename*=UTF-8''workflow-inventory.csv"
    )
    assert saved_as(response) == "workflow-inventory.csv"
