from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Incident
from .selectors import data_source_list, incident_get, incident_list, knowledge_asset_list


@require_GET
@permission_required("governance.view_incident", raise_exception=True)
def incident_index(request):
    return render(request, "governance/incident_list.html", {"incidents": incident_list()})


@require_GET
@permission_required("governance.view_incident", raise_exception=True)
def incident_detail(request, pk: int):
    try:
        incident = incident_get(pk)
    except Incident.DoesNotExist as exc:
        raise Http404("No such incident") from exc
    return render(request, "governance/incident_detail.html", {"incident": incident})


@require_GET
@permission_required("governance.view_datasource", raise_exception=True)
def data_source_index(request):
    return render(request, "governance/data_source_list.html", {"sources": data_source_list()})


@require_GET
@permission_required("governance.view_knowledgeasset", raise_exception=True)
def knowledge_asset_index(request):
    return render(request, "governance/knowledge_asset_list.html", {"assets": knowledge_asset_list()})
