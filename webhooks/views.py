"""The Leaders' webhook pages under /settings/webhooks/: endpoints, their deliveries and every attempt."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import apply_service
from core.views import PageRequest, read_only

from .forms import EndpointForm
from .models import Delivery, Endpoint
from .rules import webhook_disabled
from .selectors import DELIVERIES_SHOWN, delivery_list, endpoint_list
from .services import (
    delivery_resend,
    endpoint_create,
    endpoint_delete,
    endpoint_send_test,
    endpoint_set_enabled,
    endpoint_update,
)


@read_only
@require_GET
@permission_required("webhooks.view_endpoint", raise_exception=True)
def endpoint_index(request: PageRequest) -> HttpResponse:
    context = {"endpoints": endpoint_list(), "findings": webhook_disabled()}
    return render(request, "webhooks/endpoint_list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("webhooks.add_endpoint", raise_exception=True)
def endpoint_new(request: PageRequest) -> HttpResponse:
    """Register an endpoint. Its secret is shown on the answer to this POST, once, and never again."""
    form = EndpointForm(request.POST if request.method == "POST" else None)
    created: list[Endpoint] = []
    if request.method == "POST" and apply_service(
        form, lambda f: created.append(endpoint_create(**f.cleaned_data, by=request.user))
    ):
        return render(request, "webhooks/endpoint_created.html", {"endpoint": created[0]}, status=201)
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required("webhooks.change_endpoint", raise_exception=True)
def endpoint_edit(request: PageRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=pk)
    initial = {"name": endpoint.name, "url": endpoint.url, "kind": endpoint.kind, "events": endpoint.events}
    form = EndpointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and apply_service(form, lambda f: endpoint_update(endpoint=endpoint, **f.cleaned_data)):
        messages.success(request, f"Saved “{endpoint.name}”.")
        return redirect("webhooks:endpoint-list")
    context = {"form": form, "endpoint": endpoint}
    return render(request, "webhooks/endpoint_form.html", context, status=422 if form.errors else 200)


@require_POST
@permission_required("webhooks.change_endpoint", raise_exception=True)
def endpoint_enable(request: PageRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_set_enabled(endpoint=get_object_or_404(Endpoint, pk=pk), enabled=True, by=request.user)
    messages.success(request, f"“{endpoint.name}” is enabled: events are sent to it again.")
    return redirect("webhooks:endpoint-list")


@require_POST
@permission_required("webhooks.change_endpoint", raise_exception=True)
def endpoint_disable(request: PageRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_set_enabled(endpoint=get_object_or_404(Endpoint, pk=pk), enabled=False, by=request.user)
    messages.success(request, f"“{endpoint.name}” is disabled: no events are sent to it.")
    return redirect("webhooks:endpoint-list")


@require_POST
@permission_required("webhooks.change_endpoint", raise_exception=True)
def endpoint_test(request: PageRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=pk)
    endpoint_send_test(endpoint=endpoint, by=request.user)
    messages.success(request, f"A test event is on its way to “{endpoint.name}”: its attempts are listed below.")
    return redirect("webhooks:endpoint-deliveries", pk=endpoint.pk)


@require_POST
@permission_required("webhooks.delete_endpoint", raise_exception=True)
def endpoint_remove(request: PageRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=pk)
    endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Deleted “{endpoint.name}” and its delivery log.")
    return redirect("webhooks:endpoint-list")


@read_only
@require_GET
@permission_required("webhooks.view_delivery", raise_exception=True)
def endpoint_deliveries(request: PageRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=pk)
    context = {"endpoint": endpoint, "deliveries": delivery_list(endpoint), "shown": DELIVERIES_SHOWN}
    return render(request, "webhooks/deliveries.html", context)


@require_POST
@permission_required("webhooks.change_delivery", raise_exception=True)
def delivery_send_again(request: PageRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        delivery_resend(delivery=delivery)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Sending “{delivery.event}” again (delivery {delivery.delivery_id}).")
    return redirect("webhooks:endpoint-deliveries", pk=delivery.endpoint_id)
