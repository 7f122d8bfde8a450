"""A big import through the web on the real stack: the request answers at once, the worker imports."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportJob
from marops.celery import app
from tests.conftest import make_user
from tests.factories import PersonFactory
from tests.integration.conftest import wait_for
from tests.workflows.test_csv_io import sheet
from workflows.models import Step, Workflow

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_10000_row_inventory_through_the_web_answers_at_once_and_finishes_in_the_background(
    celery_worker_process, client
):
    app.conf.task_always_eager = False
    try:
        PersonFactory(name="Dana", email="dana@example.com")
        client.force_login(make_user("big-importer", "Leaders"))
        text = sheet(500, 20)  # 10,000 steps, 530 KB
        assert text.count("\n") == 10_001
        started = time.monotonic()
        response = client.post(
            reverse("workflows:inventory-import"), {"file": SimpleUploadedFile("big.csv", text.encode())}
        )
        answered_in = time.monotonic() - started
        assert response.status_code == 302 and answered_in < 3, answered_in
        job = ImportJob.objects.get()
        assert response["Location"] == reverse("core:import-job", args=[job.pk])

        seen = []

        def finished() -> bool:
            partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
            seen.append(partial)
            return "hx-trigger" not in partial

        assert wait_for(finished, timeout=180, interval=0.2), seen[-1]
        assert "Imported 10000 steps: 500 workflows created, 0 replaced." in seen[-1]
        assert all("<progress" in partial for partial in seen[:-1])  # until then, a progress bar
        job.refresh_from_db()
        assert (job.status, job.done, job.total) == ("done", 10_000, 10_000)
        assert Workflow.objects.count() == 500 and Step.objects.count() == 10_000
    finally:
        app.conf.task_always_eager = True


def test_in_chromium_the_job_page_follows_the_worker_to_the_new_scenario(page, live_server, celery_worker_process):
    from playwright.sync_api import expect

    from tests.e2e.test_login import log_in

    app.conf.task_always_eager = False
    try:
        make_user("importer", "Leaders")
        log_in(page, live_server.url, "importer")
        page.goto(live_server.url + reverse("roles:chart-import"))
        rows = ["s0,CMO,,,,,cmo,executive,C-level,"]
        rows += [f"s{i},Seat {i},,,s{(i - 1) // 3},,workflow-architect,marops,manager," for i in range(1, 3000)]
        header = "position_id,title,person_name,person_email,manager_position_id,dotted_line_position_ids,roles,team,"
        text = header + "level,salary\n" + "\n".join(rows) + "\n"
        page.get_by_label("Scenario name").fill("From the browser")
        page.get_by_label("CSV file").set_input_files(
            {"name": "chart.csv", "mimeType": "text/csv", "buffer": text.encode()}
        )
        page.get_by_role("button", name="Import into a new scenario").click()
        expect(page.get_by_role("heading", name="Chart import")).to_be_visible()
        # htmx polls the job until the worker has finished: the result replaces the progress bar.
        expect(page.get_by_test_id("import-result")).to_have_text(
            "Imported 3000 positions into “From the browser”.", timeout=60_000
        )
        expect(page.get_by_role("progressbar")).to_have_count(0)
        page.get_by_role("link", name="Open “From the browser”").click()
        expect(page.get_by_role("heading", name="From the browser")).to_be_visible()
    finally:
        app.conf.task_always_eager = True
