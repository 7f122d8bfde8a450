"""Imports run in the background: the upload becomes a job, the worker applies it, the page follows it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.imports import csv_cell, csv_value, every_5_percent, import_job_run, read_csv_rows
from core.models import ImportJob
from roles.models import Chart
from tests.conftest import make_user
from tests.db import raw_sql, refused_by_database
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

CHART_HEADER = (
    "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,level,salary\n"
)
INVENTORY_HEADER = (
    "workflow,critical,owner_email,step_order,step_name,platform,mode,agent,decision,buyer_facing,roles\n"
)


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+44 20", "-5", "@SUM(A1)", "\tindent", "\rreturn", "'=quoted", "''=twice", "'plain", "plain", "", "a=b"],
)
def test_a_cell_that_would_start_a_formula_is_neutralised_and_reads_back_as_it_was(value):
    cell = csv_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_value(cell) == value


def test_reading_survives_nul_bytes_and_names_the_row_and_column():
    rows, errors = read_csv_rows("a,b\nfine,ok\nbad\x00,ok\n\x00,\n", ["a", "b"])
    assert [line for line, _ in rows] == [2, 3, 4]
    assert [(e.row, e.reason) for e in errors] == [(3, "a contains a NUL character"), (4, "a contains a NUL character")]


def test_progress_is_reported_at_most_21_times_whatever_the_size():
    calls = []
    progress = every_5_percent(lambda done, total: calls.append((done, total)))
    for done in range(100_001):
        progress(done, 100_000)
    assert len(calls) == 21 and calls[0] == (0, 100_000) and calls[-1] == (100_000, 100_000)


def upload_chart(client, text: str, name: str = "Uploaded"):
    return client.post(
        reverse("roles:chart-import"), {"name": name, "file": SimpleUploadedFile("c.csv", text.encode("utf-8"))}
    )


def test_an_upload_answers_at_once_with_the_job_and_imports_nothing_in_the_request(leader_client, leader):
    response = upload_chart(leader_client, CHART_HEADER + "cmo,CMO,,,,,cmo,executive,C-level,\n")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:import-job", args=[job.pk])
    assert (job.kind, job.status, job.created_by, job.params) == ("chart", "queued", leader, {"scenario": "Uploaded"})
    assert not Chart.objects.filter(name="Uploaded").exists()  # the worker imports it, after the commit
    page = leader_client.get(response["Location"]).content.decode()
    assert "Waiting for the worker…" in page and '<progress id="import-progress">' in page
    assert '<label for="import-progress">' in page and 'hx-trigger="every 1s"' in page


def test_the_job_page_shows_progress_then_the_result_and_stops_polling(leader_client, leader):
    upload_chart(
        leader_client, CHART_HEADER + "cmo,CMO,,,,,cmo,executive,C-level,\n2,Head,,,cmo,,cmo,marops,director,\n"
    )
    job = ImportJob.objects.get()
    url = reverse("core:import-job", args=[job.pk])
    ImportJob.objects.filter(pk=job.pk).update(status="running", done=1, total=2)
    partial = leader_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="job-status"') and "<h1>" not in partial
    assert 'value="1" max="2"' in partial and "Checked 1 of 2 rows…" in partial and "every 1s" in partial
    ImportJob.objects.filter(pk=job.pk).update(status="queued", done=0, total=0)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    chart = Chart.objects.get(name="Uploaded")
    assert (job.status, job.done, job.total, job.errors) == ("done", 2, 2, [])
    partial = leader_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "<progress" not in partial  # finished: the polling stops
    assert "Imported 2 positions into “Uploaded”." in partial
    assert f'href="{reverse("roles:chart-detail", args=[chart.pk])}"' in partial


def test_a_bad_file_lists_every_row_on_the_job_page_and_writes_nothing(leader_client):
    text = CHART_HEADER + (
        "cmo,CMO,,,,,cmo,executive,C-level,\n"
        "a,A\x00,,,cmo,,cmo,executive,manager,\n"
        "b,B,,,cmo,,cmo,executive,manager,99999999999\n"
        "c,C,,,ghost,,nope,executive,manager,\n"
    )
    upload_chart(leader_client, text)
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and [e["row"] for e in job.errors] == [3, 4, 5, 5]
    page = leader_client.get(reverse("core:import-job", args=[job.pk])).content.decode()
    assert "Nothing was imported: 4 problems" in page
    started = timezone.localtime(job.created_at)
    assert f"Started {started:%-d %b %Y, %H:%M}. The file" in page  # one full stop, not "a.m.."
    assert "Row 3: title contains a NUL character" in page
    assert "Row 4: salary must be at most 2,147,483,647" in page
    assert "Row 5: unknown role “nope”" in page and "Row 5: manager_position_id “ghost”" in page
    assert not Chart.objects.filter(name="Uploaded").exists()


def test_running_a_job_twice_imports_once(leader_client):
    upload_chart(leader_client, CHART_HEADER + "cmo,CMO,,,,,cmo,executive,C-level,\n")
    job = ImportJob.objects.get()
    import_job_run(job_id=job.pk)
    import_job_run(job_id=job.pk)  # a redelivered task
    job.refresh_from_db()
    assert job.status == "done" and Chart.objects.filter(name="Uploaded").count() == 1


def test_only_the_uploader_and_admins_see_a_job(client, leader_client, leader):
    upload_chart(leader_client, CHART_HEADER + "cmo,CMO,,,,,cmo,executive,C-level,\n")
    url = reverse("core:import-job", args=[ImportJob.objects.get().pk])
    client.force_login(make_user("other-leader", "Leaders"))
    assert client.get(url).status_code == 404
    client.force_login(make_user("admin", is_staff=True))
    assert client.get(url).status_code == 200
    assert client.get(reverse("core:import-job", args=[999_999])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_inventory_page_queues_an_inventory_job_that_imports_with_the_uploaders_name(
    leader_client, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(
            reverse("workflows:inventory-import"),
            {
                "file": SimpleUploadedFile(
                    "i.csv", (INVENTORY_HEADER + "Webinars,false,,1,Invite,Marketo,human,,x,false,\n").encode()
                )
            },
        )
    page = leader_client.get(response["Location"]).content.decode()
    assert "Imported 1 steps: 1 workflows created, 0 replaced." in page and "New platform: Marketo" in page
    assert Workflow.history.get(name="Webinars").history_user == leader


def test_a_file_that_is_not_utf8_or_too_large_is_refused_by_the_form(leader_client):
    response = leader_client.post(
        reverse("workflows:inventory-import"), {"file": SimpleUploadedFile("i.csv", "Café".encode("latin-1"))}
    )
    assert response.status_code == 422 and "The file is not UTF-8 text" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_scenario_name_on_two_lines_is_refused_by_the_form_before_any_job(leader_client):
    response = upload_chart(leader_client, CHART_HEADER + "cmo,CMO,,,,,cmo,executive,C-level,\n", name="Two\nlines")
    assert response.status_code == 422 and "must be on one line" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_commands_show_progress_on_stderr_and_keep_their_output(tmp_path, capsys):
    path = tmp_path / "chart.csv"
    path.write_text(
        CHART_HEADER + "".join(f"s{i},S,,,{f's{i - 1}' if i else ''},,cmo,executive,manager,\n" for i in range(50))
    )
    call_command("import_chart", str(path), scenario="Progress")
    captured = capsys.readouterr()
    assert captured.out == "Imported 50 positions into “Progress”.\n"
    lines = captured.err.splitlines()
    assert lines[0] == "Checked 0 of 50 rows (0%)" and lines[-1] == "Checked 50 of 50 rows (100%)"
    assert len(lines) <= 21


def test_the_database_refuses_a_job_of_no_known_kind_or_past_its_total(leader):
    args = [leader.pk]
    sql = (
        "INSERT INTO core_importjob (kind, content, params, created_by_id, status, done, total, result, errors, "
        "created_at) VALUES (%s, '', '{}', %s, %s, %s, %s, '{}', '[]', now())"
    )
    raw_sql(sql, ["chart", *args, "queued", 0, 0])  # the valid one
    with refused_by_database():
        raw_sql(sql, ["spreadsheet", *args, "queued", 0, 0])
    with refused_by_database():
        raw_sql(sql, ["chart", *args, "lost", 0, 0])
    with refused_by_database():
        raw_sql(sql, ["chart", *args, "running", 5, 4])
