"""The app's URLs plus the bench's bare Django JSON endpoints, served only by `make bench`'s gunicorn.

Measure 4 compares incident creation through the API with the same creation in a bare Django view:
`bare_incident` parses the JSON, reads the step, calls the same service (`incident_create`: the
accountability test, the review and their history) and answers with `JsonResponse`, with no token,
no permission check, no payload schema and no response schema. The ratio is what the API layer costs.

`bare_incident_row` stores the incident row alone (one `Incident.objects.create`), the least Django
can do; the ratio against it, printed for information, is what the API and the domain rules cost
together.
"""

import json

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from governance.models import Incident
from governance.services import incident_create
from marops.urls import urlpatterns as app_urlpatterns
from workflows.models import Step


@csrf_exempt
@login_not_required
@require_POST
def bare_incident(request):
    data = json.loads(request.body)
    step = Step.objects.select_related("workflow__owner", "agent").get(pk=data["step_id"])
    incident = incident_create(
        reporter=User(pk=data["reporter_id"]),  # no login here: the reporter is named in the body
        agent=step.agent,
        step=step,
        summary=data["summary"],
        description=data["description"],
        severity=data["severity"],
        occurred_at=timezone.now(),
    )
    person = incident.accountable_when_logged
    return JsonResponse({"id": incident.pk, "accountable": person and person.name}, status=201)


@csrf_exempt
@login_not_required
@require_POST
def bare_incident_row(request):
    data = json.loads(request.body)
    incident = Incident.objects.create(
        agent_id=data["agent_id"],
        step_id=data["step_id"],
        summary=data["summary"],
        description=data["description"],
        severity=data["severity"],
        occurred_at=timezone.now(),
        reporter_id=data["reporter_id"],
    )
    return JsonResponse({"id": incident.pk}, status=201)


urlpatterns = [
    path("bench/incidents", bare_incident),
    path("bench/incident-rows", bare_incident_row),
    *app_urlpatterns,
]
