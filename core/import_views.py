"""The page of an import running in the background: a progress bar htmx refreshes until the job is
finished, then what was imported or every bad row."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.imports import import_job_get
from core.views import PageRequest, read_only


@read_only
@require_GET
@login_required
def import_job_page(request: PageRequest, pk: int) -> HttpResponse:
    job = import_job_get(pk=pk, user=request.user)
    template = "core/import_job.html#job-status" if request.htmx else "core/import_job.html"
    return render(request, template, {"job": job})
