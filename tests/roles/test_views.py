"""The chart editor over HTTP: with and without htmx, for Leaders and for read-only users."""

import pytest
from django.urls import reverse

from roles.models import Chart, Position
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def live(demo):
    return Chart.objects.get(status="live")


def seat(chart, title):
    return Position.objects.get(chart=chart, title=title)


def form_data(position, **changes):
    data = {
        "title": position.title,
        "person": position.person_id or "",
        "roles": [r.pk for r in position.roles.all()],
        "level": position.level,
        "team": position.team,
        "reports_to": position.reports_to_id or "",
        "dotted_lines": [d.pk for d in position.dotted_lines.all()],
        "salary": position.salary or "",
    }
    return data | changes


def test_leaders_see_edit_controls_and_others_do_not(client, live):
    client.force_login(make_user("l", "Leaders"))
    page = client.get(reverse("roles:live-chart")).content.decode()
    assert "Add a report" in page and "Clone into a scenario" in page and 'draggable="true"' in page
    for group in ["Executives", "MarOps staff"]:
        client.force_login(make_user(f"u-{group}", group))
        page = client.get(reverse("roles:live-chart")).content.decode()
        assert "Add a report" not in page and "Clone into a scenario" not in page and "draggable" not in page
        assert "No position holds the Prompt and Knowledge Designer role." in page


def test_forged_writes_from_executives_and_staff_get_403_and_change_nothing(client, live):
    head = seat(live, "Marketing Operations Manager")
    writes = [
        (reverse("roles:position-edit", args=[head.pk]), form_data(head, title="Hacked")),
        (reverse("roles:position-create", args=[live.pk]), form_data(head, title="New")),
        (reverse("roles:position-delete", args=[seat(live, "Content Marketer").pk]), {}),
        (reverse("roles:position-vacate", args=[head.pk]), {}),
        (reverse("roles:chart-clone", args=[live.pk]), {"name": "Mine"}),
        (reverse("roles:chart-adopt", args=[live.pk]), {}),
        (reverse("roles:chart-delete", args=[live.pk]), {}),
        (reverse("roles:chart-import"), {}),
    ]
    before = (Chart.objects.count(), Position.objects.count())
    for group in ["Executives", "MarOps staff"]:
        client.force_login(make_user(f"forger-{group}", group))
        for url, data in writes:
            assert client.post(url, data).status_code == 403, url
    assert (Chart.objects.count(), Position.objects.count()) == before
    assert seat(live, "Marketing Operations Manager").title == "Marketing Operations Manager"


def test_htmx_edit_returns_the_refreshed_workspace_and_closes_the_editor(client, live):
    client.force_login(make_user("l", "Leaders"))
    head = seat(live, "Marketing Operations Manager")
    cmo = seat(live, "Chief Marketing Officer")
    response = client.post(
        reverse("roles:position-edit", args=[head.pk]),
        form_data(head, reports_to=cmo.pk, level="director"),
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="workspace"' in html and 'hx-swap-oob="true"' in html and "<html" not in html
    assert "head-reports-to-cmo" not in html and "head-level" not in html
    head.refresh_from_db()
    assert head.reports_to == cmo and head.level == "director"


def test_a_refused_htmx_edit_says_why_in_the_editor_and_changes_nothing(client, live):
    client.force_login(make_user("l", "Leaders"))
    head = seat(live, "Marketing Operations Manager")
    below = seat(live, "Marketo Admin")
    response = client.post(reverse("roles:position-edit", args=[head.pk]), form_data(head, reports_to=below.pk), **HTMX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#editor" and response["HX-Reswap"] == "outerHTML"
    assert "already reports up to “Marketing Operations Manager”: that would make a reporting cycle" in html
    head.refresh_from_db()
    assert head.reports_to.title == "Demand Generation Director"


def test_without_htmx_an_edit_redirects_and_a_refusal_renders_the_whole_page(client, live):
    client.force_login(make_user("l", "Leaders"))
    head = seat(live, "Marketing Operations Manager")
    ok = client.post(reverse("roles:position-edit", args=[head.pk]), form_data(head, title="Head of Marketing Ops"))
    assert ok.status_code == 302 and ok["Location"] == reverse("roles:chart-detail", args=[live.pk])
    taken = seat(live, "Marketo Admin").person
    refused = client.post(reverse("roles:position-edit", args=[head.pk]), form_data(head, person=taken.pk))
    assert refused.status_code == 200 and "<html" in refused.content.decode()
    assert "Marco Rossi already holds “Marketo Admin”" in refused.content.decode()


def test_getting_the_editor_with_and_without_htmx(client, live):
    client.force_login(make_user("l", "Leaders"))
    url = reverse("roles:position-create", args=[live.pk]) + f"?under={seat(live, 'Chief Marketing Officer').pk}"
    partial = client.get(url, **HTMX).content.decode()
    assert partial.lstrip().startswith("<aside") and "New position under Chief Marketing Officer" in partial
    page = client.get(url).content.decode()
    assert "<html" in page and "New position under Chief Marketing Officer" in page


def test_adding_a_pkd_vacancy_under_the_head_clears_the_missing_role_finding(client, live):
    client.force_login(make_user("l", "Leaders"))
    head = seat(live, "Marketing Operations Manager")
    from roles.models import Role

    data = {
        "title": "Prompt and Knowledge Designer",
        "person": "",
        "level": "specialist",
        "team": "marops",
        "reports_to": head.pk,
        "roles": [Role.objects.get(key="prompt-knowledge-designer").pk],
        "salary": "",
    }
    html = client.post(reverse("roles:position-create", args=[live.pk]), data, **HTMX).content.decode()
    assert "No position holds the Prompt and Knowledge Designer role." not in html
    assert "No position holds the Data Steward role." in html
    assert seat(live, "Prompt and Knowledge Designer").is_vacancy


def test_removing_a_manager_with_reports_is_refused_with_a_reason(client, live):
    client.force_login(make_user("l", "Leaders"))
    response = client.post(reverse("roles:position-delete", args=[seat(live, "Campaign Manager").pk]), **HTMX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#editor"
    assert "still has 3 direct reports" in response.content.decode()


def test_clone_compare_and_adopt_through_the_pages(client, live):
    client.force_login(make_user("l", "Leaders"))
    response = client.post(reverse("roles:chart-clone", args=[live.pk]), {"name": "Q3 plan"})
    scenario = Chart.objects.get(name="Q3 plan")
    assert response["Location"] == reverse("roles:chart-detail", args=[scenario.pk])
    compare = client.get(reverse("roles:chart-compare"), {"a": live.pk, "b": scenario.pk}).content.decode()
    assert "The two charts have the same seats" in compare and "no change" in compare
    client.post(reverse("roles:chart-adopt", args=[scenario.pk]))
    live.refresh_from_db()
    assert live.status == "archived" and Chart.objects.get(status="live") == scenario
    page = client.get(reverse("roles:chart-detail", args=[live.pk])).content.decode()
    assert "read-only" in page and "Add report" not in page


def test_import_page_lists_every_bad_row_and_writes_nothing(client, db, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(make_user("l", "Leaders"))
    upload = SimpleUploadedFile(
        "chart.csv",
        b"position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
        b"1,CMO,,,,,cmo,executive,C-level,\n2,X,,,1,,nope,marops,director,1e5\n",
    )
    with django_capture_on_commit_callbacks(execute=True):  # the upload's job runs once it is committed
        response = client.post(reverse("roles:chart-import"), {"name": "Upload", "file": upload})
    assert response.status_code == 302  # to the job's page, which lists every bad row
    html = client.get(response["Location"]).content.decode()
    assert "Nothing was imported: 2 problems" in html
    assert "Row 3: unknown role “nope”" in html and "Row 3: salary “1e5” is not a number" in html
    assert not Chart.objects.filter(name="Upload").exists()


def test_exports_csv_svg_and_print(client, live):
    client.force_login(make_user("e", "Executives"))
    csv = client.get(reverse("roles:chart-export-csv", args=[live.pk]))
    assert csv["Content-Type"].startswith("text/csv") and csv.content.decode().startswith("position_id,title,")
    svg = client.get(reverse("roles:chart-export-svg", args=[live.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"Marketing Operations Manager" in svg.content
    assert svg.content.count(b"<rect") == live.positions.count()
    printed = client.get(reverse("roles:chart-print", args=[live.pk])).content.decode()
    assert "Findings (8)" in printed and "Chief Executive Officer" in printed


def test_position_history_shows_who_changed_what(client, live):
    leader = make_user("dana", "Leaders")
    client.force_login(leader)
    head = seat(live, "Marketing Operations Manager")
    client.post(
        reverse("roles:position-edit", args=[head.pk]), form_data(head, level="director", title="Head of MarOps")
    )
    html = client.get(reverse("roles:position-history", args=[head.pk])).content.decode()
    assert "dana" in html
    assert "Title: Marketing Operations Manager → Head of MarOps" in html
    assert "Level: Manager → Director" in html


def test_the_chart_page_takes_at_most_11_queries_for_2000_positions(client, django_assert_max_num_queries, db):
    from tests.roles.test_queries import big_chart

    chart = big_chart(2000, status="live")
    client.force_login(make_user("l", "Leaders"))
    with django_assert_max_num_queries(11):
        response = client.get(reverse("roles:chart-detail", args=[chart.pk]))
    assert response.status_code == 200
    # The graphical chart draws whole levels while they hold at most 150 seats (1 + 10 + 100 here).
    assert response.content.decode().count('data-testid="seat"') == 111


def test_making_a_seat_a_vacancy_unplaces_its_holder(client, live):
    client.force_login(make_user("l", "Leaders"))
    head = seat(live, "Marketing Operations Manager")
    html = client.post(reverse("roles:position-vacate", args=[head.pk]), **HTMX).content.decode()
    assert "is now a vacancy (Dana Whitfield is unplaced in this chart)" in html
    assert "Dana Whitfield is active but holds no position in the live chart." in html
    assert seat(live, "Marketing Operations Manager").is_vacancy


def test_a_cloned_seat_has_history_from_the_clone_on(client, live):
    client.force_login(make_user("dana", "Leaders"))
    client.post(reverse("roles:chart-clone", args=[live.pk]), {"name": "Plan B"})
    scenario = Chart.objects.get(name="Plan B")
    head = seat(scenario, "Marketing Operations Manager")
    client.post(reverse("roles:position-edit", args=[head.pk]), form_data(head, level="director"))
    html = client.get(reverse("roles:position-history", args=[head.pk])).content.decode()
    assert f"Cloned from {live.name}" in html
    assert "Level: Manager → Director" in html
    assert "Roles:" not in html and "Dotted lines:" not in html  # unchanged, so not listed
