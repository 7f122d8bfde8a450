"""The editor pattern shared by the chart and workflow pages.

A page has a workspace (what edits change) and an editor panel (`#editor`). With htmx, a refused
edit re-renders only the editor, in place; a saved edit returns the refreshed workspace and closes
the editor. Without htmx, the same URLs redirect after a save, or render the whole page."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import reswap, retarget

from core.views import PageRequest

FormT = TypeVar("FormT", bound=forms.BaseForm)


def apply_service(form: FormT, save: Callable[[FormT], object]) -> bool:
    """Validate the form, run `save(form)`; a service's ValidationError becomes the form's errors."""
    if not form.is_valid():
        return False
    try:
        save(form)
    except ValidationError as exc:
        errors: dict[str | None, list[str]] = (
            dict(exc.message_dict.items()) if hasattr(exc, "error_dict") else {None: exc.messages}
        )
        for field, field_errors in errors.items():
            for error in field_errors:
                form.add_error(field if field in form.fields else None, error)
        return False
    return True


def form_errors_text(form: forms.BaseForm) -> str:
    """Every error of a form in one sentence, for a flash message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def editor_response(
    request: PageRequest, template: str, context: dict[str, Any], full_page: Callable[[], HttpResponse]
) -> HttpResponse:
    """The editor panel alone (htmx) or the whole page with the editor open (`full_page()`)."""
    if request.htmx:
        response = render(request, f"{template}#editor", context)
        return reswap(retarget(response, "#editor"), "outerHTML") if request.method == "POST" else response
    return full_page()


def saved_response(
    request: PageRequest,
    template: str,
    context: Callable[[], dict[str, Any]],
    message: str,
    url: str,
    level: int = messages.SUCCESS,
) -> HttpResponse:
    """After a write: the refreshed workspace and a closed editor (htmx), or a redirect.

    `context` is a callable so the workspace is only built when htmx needs it."""
    if request.htmx:
        return render(request, f"{template}#workspace-refresh", context() | {"flash": message})
    messages.add_message(request, level, message)
    return redirect(url)
