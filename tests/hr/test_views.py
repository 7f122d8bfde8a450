"""The people import over HTTP: who may use it, what a bad file or a bad mapping says (and that nothing is
kept), the mapping and the role corrections remembered for next time, the preview and the apply, and the
people exports."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hr.models import ColumnMapping, PeopleImport, TitleRule
from hr.services import MAX_UPLOAD_BYTES
from roles.models import Chart, Person
from tests.conftest import make_user
from tests.test_downloads import saved_as

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

# A small "any spreadsheet" export of the demo company plus one new hire. Its "Title" column is the
# salutation, so the proposed mapping takes it for the job title until the user picks "Position".
HEADER = "Employee ID,Title,Name,Email,Position,Department,Manager Email\n"
ROWS = [
    ("1", "Ms", "Evelyn Carter", "evelyn.carter", "Chief Executive Officer", "Executive", ""),
    ("2", "Ms", "Claire Donovan", "claire.donovan", "Chief Marketing Officer", "Marketing", "evelyn.carter"),
    ("3", "Mr", "Raj Patel", "raj.patel", "Chief Data Officer", "Data", "evelyn.carter"),
    ("4", "Ms", "Dana Whitfield", "dana.whitfield", "Marketing Ops Manager", "Marketing", "claire.donovan"),
    ("5", "Mr", "Marco Rossi", "marco.rossi", "Marketo Admin", "Marketing", "dana.whitfield"),
    ("6", "Ms", "Mia Chen", "mia.chen", "Marketing Operations Specialist", "Marketing", "dana.whitfield"),
    ("7", "Ms", "Ana Ruiz", "ana.ruiz", "Marketing Operations Specialist", "Marketing", "dana.whitfield"),
    ("8", "Mr", "Bo Lindqvist", "bo.lindqvist", "Account Executive", "Sales", "evelyn.carter"),
]


def export_file(rows=ROWS, header=HEADER) -> bytes:
    def mail(local: str) -> str:
        return f"{local}@halcyon.example" if local else ""

    lines = [",".join([i, t, n, mail(e), p, d, mail(m)]) for i, t, n, e, p, d, m in rows]
    return (header + "\n".join(lines) + "\n").encode()


def an_applied_import(user) -> PeopleImport:
    """An import already applied (tests/test_write_rules.py tries every write on one)."""
    headers = HEADER.strip().split(",")
    return PeopleImport.objects.create(
        created_by=user,
        filename="people.csv",
        content=export_file(),
        fmt="generic",
        headers=headers,
        mapping=mapping_data(),
        status="applied",
    )


def upload(client, content: bytes | None = None, name: str = "people.csv", fmt: str = "auto"):
    content = export_file() if content is None else content
    return client.post(reverse("hr:people-import"), {"file": SimpleUploadedFile(name, content), "fmt": fmt})


def the_import() -> PeopleImport:
    return PeopleImport.objects.get()


def select(page: str, name: str) -> str:
    """The option a <select name=…> shows as chosen."""
    found = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, flags=re.DOTALL)
    assert found, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', found.group(1))
    return chosen.group(1) if chosen else ""


def mapping_data(**changes: str) -> dict[str, str]:
    """The mapping a user confirms for HEADER: the job title from "Position", the rest as proposed."""
    mapping = {
        "employee_id": "Employee ID",
        "name": "Name",
        "first_name": "",
        "last_name": "",
        "email": "Email",
        "title": "Position",
        "department": "Department",
        "manager_email": "Manager Email",
        "manager_id": "",
        "manager_name": "",
        "start_date": "",
        "salary": "",
    }
    return mapping | changes


@pytest.fixture
def uploaded(leader_client, demo) -> PeopleImport:
    response = upload(leader_client)
    people_import = the_import()
    assert response.status_code == 302
    assert response["Location"] == reverse("hr:people-import-mapping", args=[people_import.pk])
    return people_import


@pytest.fixture
def mapped(leader_client, uploaded) -> PeopleImport:
    response = leader_client.post(reverse("hr:people-import-mapping", args=[uploaded.pk]), mapping_data())
    assert response.status_code == 302, response.content.decode()
    return uploaded


def roles_data(client, people_import: PeopleImport, **corrections: str) -> dict[str, str]:
    """The roles form as the page proposes it, with `corrections` (field name → value)."""
    page = client.get(reverse("hr:people-import-roles", args=[people_import.pk])).content.decode()
    names = re.findall(r'<select name="((?:role|platform)-\d+)"', page)
    data = {name: select(page, name) for name in names} | {"remember": "on"}
    return data | corrections


def row_of(page: str, title: str) -> str:
    """The index of a job title's row on the roles page."""
    found = re.search(rf"<th scope=\"row\">{re.escape(title)}</th>.*?name=\"role-(\d+)\"", page, flags=re.DOTALL)
    assert found, title
    return found.group(1)


@pytest.fixture
def previewed(leader_client, mapped, django_capture_on_commit_callbacks) -> PeopleImport:
    data = roles_data(leader_client, mapped)
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, once the request commits
        response = leader_client.post(reverse("hr:people-import-roles", args=[mapped.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("hr:people-import-detail", args=[mapped.pk])
    mapped.refresh_from_db()
    assert mapped.status == "previewed", mapped.problems  # the task ran in-process (CELERY_TASK_ALWAYS_EAGER)
    return mapped


# --- Who may import -----------------------------------------------------------------------------------
@pytest.mark.parametrize("group", ["Executives", "MarOps staff"])
def test_executives_and_staff_are_refused_every_import_page_in_the_sites_layout_and_nothing_is_kept(
    client, previewed, group
):
    client.force_login(make_user(f"u-{group}", group))
    pk = previewed.pk
    before = list(PeopleImport.objects.values_list("pk", "status", "mapping", "overrides"))
    requests = [
        ("get", reverse("hr:people-import"), {}),
        ("post", reverse("hr:people-import"), {"file": SimpleUploadedFile("p.csv", export_file()), "fmt": "auto"}),
        ("get", reverse("hr:people-import-mapping", args=[pk]), {}),
        ("post", reverse("hr:people-import-mapping", args=[pk]), mapping_data(title="Title")),
        ("get", reverse("hr:people-import-roles", args=[pk]), {}),
        ("post", reverse("hr:people-import-roles", args=[pk]), {"remember": "on"}),
        ("get", reverse("hr:people-import-detail", args=[pk]), {}),
        ("post", reverse("hr:people-import-detail", args=[pk]), {"target": "live"}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        page = response.content.decode()
        assert response.status_code == 403, (method, url)
        assert "You may not open this page" in page and '<main id="main"' in page, (method, url)
    assert list(PeopleImport.objects.values_list("pk", "status", "mapping", "overrides")) == before
    assert not Chart.objects.filter(status="scenario", name__startswith="Import").exists()


def test_the_people_list_offers_the_import_to_leaders_only(client, demo):
    client.force_login(make_user("l", "Leaders"))
    assert "Import people" in client.get(reverse("roles:person-list")).content.decode()
    client.force_login(make_user("e", "Executives"))
    page = client.get(reverse("roles:person-list")).content.decode()
    assert "Import people" not in page
    assert reverse("hr:people-export-csv") in page  # everyone who reads people may export them


def test_another_leaders_import_does_not_exist_for_you(client, uploaded):
    client.force_login(make_user("other", "Leaders"))
    for name in ["hr:people-import-detail", "hr:people-import-mapping", "hr:people-import-roles"]:
        assert client.get(reverse(name, args=[uploaded.pk])).status_code == 404
    assert uploaded.filename not in client.get(reverse("hr:people-import")).content.decode()


# --- Bad files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (b"", "empty.csv", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "photo.csv", "not a spreadsheet"),
        (b"Name,Email\n", "header-only.csv", "no people"),
        (b"Name,Email\nAna,a@x.example\n", "people.xlsx", "not an Excel workbook"),
        (b"Name,Name\nAna,Ana\n", "twice.csv", "two columns are called “Name”"),
    ],
)
def test_a_bad_file_is_refused_with_every_problem_in_the_sites_layout_and_nothing_is_kept(
    leader_client, demo, content, name, says
):
    response = upload(leader_client, content, name=name)
    page = response.content.decode()
    assert response.status_code == 422
    assert says in page and 'data-testid="import-problems"' in page and '<main id="main"' in page
    assert not PeopleImport.objects.exists()


def test_each_problem_of_a_bad_file_names_its_row_and_column(leader_client, demo):
    response = upload(leader_client, b"Name,,Email\nAna,x,a@x.example\n", name="gap.csv")
    page = response.content.decode()
    problems = re.findall(r'<tr data-testid="problem"><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td>', page)
    assert problems == [("1", "column 2", "this column has no name")]
    assert not PeopleImport.objects.exists()


def test_a_file_too_large_is_refused_and_nothing_is_kept(leader_client, demo):
    big = export_file() + b"x" * MAX_UPLOAD_BYTES
    response = upload(leader_client, big)
    assert response.status_code == 422
    assert f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB" in response.content.decode()
    assert not PeopleImport.objects.exists()


# --- Mapping --------------------------------------------------------------------------------------------
def test_the_mapping_page_preselects_the_proposal_and_shows_the_files_first_rows(leader_client, uploaded):
    page = leader_client.get(reverse("hr:people-import-mapping", args=[uploaded.pk])).content.decode()
    assert select(page, "email") == "Email" and select(page, "manager_email") == "Manager Email"
    assert select(page, "title") == "Title"  # the salutation: the user corrects it
    sample = page[page.index('data-testid="sample"') :]
    assert "Marketo Admin" in sample and "Evelyn Carter" in sample
    assert "Any spreadsheet" in page  # the format it was recognised as


def test_a_bad_mapping_is_refused_beside_its_field_and_changes_nothing(leader_client, uploaded):
    url = reverse("hr:people-import-mapping", args=[uploaded.pk])
    response = leader_client.post(url, mapping_data(email="", title="Name"))
    page = response.content.decode()
    assert response.status_code == 422
    email_field = page[page.index('<select name="email"') - 400 : page.index('<select name="email"') + 3000]
    assert "Work e-mail: choose the column that holds it" in email_field
    assert "is already used for" in page  # "Name" for both the name and the job title
    uploaded.refresh_from_db()
    assert uploaded.mapping["title"] == "Title" and uploaded.mapping["email"] == "Email"
    assert not ColumnMapping.objects.exists()


def test_the_mapping_is_remembered_for_the_next_upload_of_the_same_header_row(leader_client, mapped):
    assert upload(leader_client).status_code == 302
    again = PeopleImport.objects.exclude(pk=mapped.pk).get()
    page = leader_client.get(reverse("hr:people-import-mapping", args=[again.pk])).content.decode()
    assert select(page, "title") == "Position"  # the correction, not the salutation
    # A file with other columns gets its own proposal.
    other = HEADER.replace("Department", "Division")
    assert upload(leader_client, export_file(header=other)).status_code == 302
    third = PeopleImport.objects.order_by("-pk").first()
    page = leader_client.get(reverse("hr:people-import-mapping", args=[third.pk])).content.decode()
    assert select(page, "title") == "Title"


# --- Roles --------------------------------------------------------------------------------------------
def test_the_roles_page_has_one_row_per_title_with_its_match_confidence_and_reason(leader_client, mapped):
    page = leader_client.get(reverse("hr:people-import-roles", args=[mapped.pk])).content.decode()
    rows = re.findall(r'<tr data-testid="title-match">\s*<th scope="row">(.*?)</th>\s*<td class="num">(\d+)</td>', page)
    assert sorted(rows) == sorted(
        [
            ("Chief Executive Officer", "1"),
            ("Chief Marketing Officer", "1"),
            ("Chief Data Officer", "1"),
            ("Marketing Ops Manager", "1"),
            ("Marketo Admin", "1"),
            ("Marketing Operations Specialist", "2"),
            ("Account Executive", "1"),
        ]
    )
    marketo = row_of(page, "Marketo Admin")
    assert select(page, f"role-{marketo}") == "platform-owner" and select(page, f"platform-{marketo}") == "Marketo"
    assert select(page, f"role-{row_of(page, 'Marketing Ops Manager')}") == "marops-manager"
    assert select(page, f"role-{row_of(page, 'Account Executive')}") == ""  # no role: a seat outside marketing
    assert page.count("<meter") == 7 and 'data-testid="confidence"' in page
    assert 'name="remember" checked' in page or re.search(r'name="remember"[^>]*checked', page)


def test_a_corrected_role_is_remembered_as_a_rule_and_proposed_next_time(leader_client, mapped, leader):
    page = leader_client.get(reverse("hr:people-import-roles", args=[mapped.pk])).content.decode()
    row = row_of(page, "Marketing Operations Specialist")
    data = roles_data(leader_client, mapped, **{f"role-{row}": "workflow-architect"})
    assert leader_client.post(reverse("hr:people-import-roles", args=[mapped.pk]), data).status_code == 302
    rule = TitleRule.objects.get()
    assert (rule.title.lower(), rule.role.key, rule.created_by) == (
        "marketing operations specialist",
        "workflow-architect",
        leader,
    )
    # The next upload of a file with that title proposes the correction, saying who set it.
    upload(leader_client)
    again = PeopleImport.objects.order_by("-pk").first()
    page = leader_client.get(reverse("hr:people-import-roles", args=[again.pk])).content.decode()
    assert select(page, f"role-{row_of(page, 'Marketing Operations Specialist')}") == "workflow-architect"
    assert f"Remembered: {leader.username}" in page or "Remembered:" in page


def test_corrections_are_not_remembered_when_the_box_is_unticked(leader_client, mapped):
    page = leader_client.get(reverse("hr:people-import-roles", args=[mapped.pk])).content.decode()
    row = row_of(page, "Marketing Operations Specialist")
    data = roles_data(leader_client, mapped, **{f"role-{row}": "workflow-architect"})
    del data["remember"]
    assert leader_client.post(reverse("hr:people-import-roles", args=[mapped.pk]), data).status_code == 302
    assert not TitleRule.objects.exists()


def test_a_role_that_is_not_in_the_catalogue_is_refused_and_nothing_is_remembered(leader_client, mapped):
    data = roles_data(leader_client, mapped, **{"role-0": "emperor"})
    response = leader_client.post(reverse("hr:people-import-roles", args=[mapped.pk]), data)
    assert response.status_code == 422 and "Select a valid choice" in response.content.decode()
    mapped.refresh_from_db()
    assert mapped.status == "uploaded" and not TitleRule.objects.exists()


# --- Preview and apply ----------------------------------------------------------------------------------
def test_the_preview_page_answers_at_once_with_a_progress_bar_that_htmx_refreshes(leader_client, mapped):
    # Without the worker (its task waits for the request to commit), the page shows the progress.
    response = leader_client.post(
        reverse("hr:people-import-roles", args=[mapped.pk]), roles_data(leader_client, mapped)
    )
    assert response.status_code == 302
    mapped.refresh_from_db()
    assert mapped.status == "previewing"
    url = reverse("hr:people-import-detail", args=[mapped.pk])
    page = leader_client.get(url).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page and f'hx-get="{url}"' in page
    partial = leader_client.get(url, **HTMX).content.decode()
    assert partial.lstrip().startswith('<section id="import-status"') and "<progress" in partial


def test_the_preview_lists_each_category_with_its_count_and_lines(leader_client, previewed):
    page = leader_client.get(reverse("hr:people-import-detail", args=[previewed.pk])).content.decode()
    added = re.search(r'data-testid="count-people_added">(\d+)<', page)
    assert added and added.group(1) == "2"  # Ana Ruiz and Bo Lindqvist are new
    assert "Ana Ruiz" in page and "Bo Lindqvist" in page
    # The demo's people missing from the file are leavers, each with what they hold.
    leavers = page[page.index('data-testid="plan-leavers"') :]
    assert "Tom Nguyen" in leavers and "Lead routing" in leavers
    assert 'data-testid="apply"' in page


def test_the_status_partial_answers_htmx_alone(leader_client, previewed):
    response = leader_client.get(reverse("hr:people-import-detail", args=[previewed.pk]), **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="import-status"') and "<main" not in page


def test_the_preview_page_reads_in_a_fixed_number_of_queries(leader_client, previewed, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert leader_client.get(reverse("hr:people-import-detail", args=[previewed.pk])).status_code == 200


def test_applying_into_a_scenario_links_to_the_chart_and_its_comparison_with_the_live_chart(
    leader_client, previewed, django_capture_on_commit_callbacks
):
    url = reverse("hr:people-import-detail", args=[previewed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(url, {"target": "scenario", "scenario_name": "HR sync, December"})
    assert response.status_code == 302 and response["Location"] == url
    previewed.refresh_from_db()
    assert previewed.status == "applied", previewed.problems
    scenario = Chart.objects.get(name="HR sync, December")
    assert previewed.chart == scenario and scenario.status == "scenario"
    page = leader_client.get(url).content.decode()
    assert reverse("roles:chart-detail", args=[scenario.pk]) in page
    assert f"{reverse('roles:chart-compare')}?a={scenario.pk}" in page
    assert Person.objects.filter(email__iexact="ana.ruiz@halcyon.example").exists()


def test_a_scenario_needs_a_name_and_a_refused_apply_changes_nothing(leader_client, previewed):
    charts = Chart.objects.count()
    url = reverse("hr:people-import-detail", args=[previewed.pk])
    response = leader_client.post(url, {"target": "scenario", "scenario_name": ""})
    assert response.status_code == 422 and 'data-testid="form-errors"' in response.content.decode()
    previewed.refresh_from_db()
    assert previewed.status == "previewed" and Chart.objects.count() == charts


def test_an_applied_import_cannot_be_applied_again(leader_client, previewed, django_capture_on_commit_callbacks):
    url = reverse("hr:people-import-detail", args=[previewed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        leader_client.post(url, {"target": "scenario", "scenario_name": "Once"})
    charts = Chart.objects.count()
    response = leader_client.post(url, {"target": "scenario", "scenario_name": "Twice"})
    assert response.status_code == 422 and '<main id="main"' in response.content.decode()
    assert Chart.objects.count() == charts and not Chart.objects.filter(name="Twice").exists()


def test_rows_the_mapping_cannot_read_are_listed_with_their_row_and_column_and_nothing_is_written(leader_client, demo):
    rows = [*ROWS, ("9", "Mr", "Ghost Manager", "ghost", "Analyst", "Data", "nobody")]
    upload(leader_client, export_file(rows=rows))
    people_import = the_import()
    leader_client.post(reverse("hr:people-import-mapping", args=[people_import.pk]), mapping_data())
    for response in [
        leader_client.get(reverse("hr:people-import-roles", args=[people_import.pk])),
        leader_client.post(reverse("hr:people-import-roles", args=[people_import.pk]), {"remember": "on"}),
    ]:
        page = response.content.decode()
        assert response.status_code == 422 and '<main id="main"' in page
        problems = re.findall(r'<tr data-testid="problem"><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td>', page)
        assert [(row, column) for row, column, _ in problems] == [("10", "Manager Email")]  # the header is row 1
    people_import.refresh_from_db()
    assert people_import.status == "uploaded" and not people_import.overrides
    assert not Person.objects.filter(email__iexact="ghost@halcyon.example").exists()


def test_an_applied_import_is_not_remapped_recorrected_or_applied_again(leader_client, leader, demo):
    applied = an_applied_import(leader)
    writes = [
        ("hr:people-import-mapping", mapping_data(title="Title")),
        ("hr:people-import-roles", {"role-0": "cmo", "remember": "on"}),
        ("hr:people-import-detail", {"target": "scenario", "scenario_name": "Again"}),
    ]
    for name, data in writes:
        response = leader_client.post(reverse(name, args=[applied.pk]), data)
        assert response.status_code == 422 and "has been applied" in response.content.decode(), name
    applied.refresh_from_db()
    assert (applied.status, applied.mapping, applied.overrides) == ("applied", mapping_data(), {})
    # Its pages do not offer what would be refused: the mapping and the roles lead to the import's own page.
    for name in ["hr:people-import-mapping", "hr:people-import-roles"]:
        response = leader_client.get(reverse(name, args=[applied.pk]))
        assert response.status_code == 302 and response["Location"] == reverse(
            "hr:people-import-detail", args=[applied.pk]
        )
    assert not TitleRule.objects.exists() and not Chart.objects.filter(name="Again").exists()


def test_an_apply_that_failed_lists_each_problem_and_the_ways_back(leader_client, leader, demo):
    failed = an_applied_import(leader)
    problems = [{"row": 4, "column": "Email", "message": "someone else took this e-mail meanwhile"}]
    PeopleImport.objects.filter(pk=failed.pk).update(status="failed", problems=problems)
    page = leader_client.get(reverse("hr:people-import-detail", args=[failed.pk])).content.decode()
    found = re.findall(r'<tr data-testid="problem"><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td>', page)
    assert found == [("4", "Email", "someone else took this e-mail meanwhile")]
    assert "Nothing was written: 1 problem" in page
    for name in ["hr:people-import-mapping", "hr:people-import-roles", "hr:people-import"]:
        assert reverse(name, **({} if name == "hr:people-import" else {"args": [failed.pk]})) in page


@pytest.mark.parametrize("people", [10, 400])
def test_the_mapping_and_roles_pages_read_in_a_fixed_number_of_queries_whatever_the_files_size(
    leader_client, leader, demo, django_assert_max_num_queries, people
):
    rows = [
        *ROWS,
        *(
            (str(100 + n), "Mx", f"Person {n}", f"p{n}", f"Analyst {n % 50}", "Data", "raj.patel")
            for n in range(people)
        ),
    ]
    upload(leader_client, export_file(rows=rows))
    people_import = the_import()
    leader_client.post(reverse("hr:people-import-mapping", args=[people_import.pk]), mapping_data())
    for name in ["hr:people-import-mapping", "hr:people-import-roles"]:
        with django_assert_max_num_queries(12):
            assert leader_client.get(reverse(name, args=[people_import.pk])).status_code == 200


# --- Exports ------------------------------------------------------------------------------------------
def test_the_people_export_reads_back_in_the_import_shape(client, demo):
    client.force_login(make_user("e", "Executives"))
    response = client.get(reverse("hr:people-export-csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    assert "dana.whitfield@halcyon.example" in response.content.decode("utf-8-sig")

    response = client.get(reverse("hr:people-export-xlsx"))
    assert response.status_code == 200 and ".xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    assert "dana.whitfield@halcyon.example" in cells


def test_a_charts_people_export_is_named_after_the_chart(client, demo):
    client.force_login(make_user("e", "Executives"))
    chart = Chart.objects.get(status="live")
    for name, suffix in [("hr:chart-people-csv", ".csv"), ("hr:chart-people-xlsx", ".xlsx")]:
        response = client.get(reverse(name, args=[chart.pk]))
        assert response.status_code == 200
        assert saved_as(response) == f"{chart.name} people{suffix}"
    assert client.get(reverse("hr:chart-people-csv", args=[999_999])).status_code == 404
