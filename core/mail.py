"""The one way MarOps sends e-mail: a plain-text part and an HTML part, rendered from a pair of
templates (`<name>.txt`, `<name>.html`). The flag digest (workflows) and the notifications both come
here; they call it from Celery tasks, never in a user's request."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_render(template: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """The message's two parts: plain text and HTML."""
    return render_to_string(f"{template}.txt", dict(context)), render_to_string(f"{template}.html", dict(context))


def email_send(
    *, to: Sequence[str], subject: str, text: str, html: str, headers: Mapping[str, str] | None = None
) -> None:
    """Send one message with both parts; a mail server that refuses or is down raises (the caller's
    task retries, and nothing is marked sent)."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=list(to), headers=dict(headers or {}))
    message.attach_alternative(html, "text/html")
    message.send()
