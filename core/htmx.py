"""The editor pattern shared by the chart and workflow pages.

A page has a workspace (what edits change) and an editor panel (`#editor`). With htmx, a refused
edit re-renders only the editor, in place; a saved edit returns the refreshed workspace and closes
the editor. Without htmx, the same URLs redirect after a save, or render the whole page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django_htmx.http import reswap, retarget


def apply_service(form, save) -> bool:
    """Validate the form, run `save(form)`; a service's ValidationError becomes the form's errors."""
    if not form.is_valid():
        return False
    try:
        save(form)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, field_errors in errors.items():
            for error in field_errors:
                form.add_error(field if field in form.fields else None, error)
        return False
    return True


def form_errors_text(form) -> str:
    """Every error of a form in one sentence, for a flash message."""
    return " ".join(error for errors in form.errors.values() for error in errors)


def editor_response(request, template: str, context: dict, full_page):
    """The editor panel alone (htmx) or the whole page with the editor open (`full_page()`)."""
    if request.htmx:
        response = render(request, f"{template}#editor", context)
        return reswap(retarget(response, "#editor"), "outerHTML") if request.method == "POST" else response
    return full_page()


def saved_response(request, template: str, context, message: str, url: str, level=messages.SUCCESS):
    """After a write: the refreshed workspace and a closed editor (htmx), or a redirect.

    `context` is a callable so the workspace is only built when htmx needs it."""
    if request.htmx:
        return render(request, f"{template}#workspace-refresh", context() | {"flash": message})
    messages.add_message(request, level, message)
    return redirect(url)
