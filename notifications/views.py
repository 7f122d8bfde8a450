from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .choices import Topic
from .services import BadUnsubscribeLink, unsubscribe, unsubscribe_read


@login_not_required  # the signed link says who; a mail program's one-click POST has no session (RFC 8058)
@csrf_exempt  # ...nor a CSRF token; the signature is the credential, and unsubscribing is all it can do
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners open links, and must not unsubscribe anyone); POST, from the page's one
    button or the mail program's List-Unsubscribe-Post, unsubscribes."""
    try:
        person, topic = unsubscribe(token) if request.method == "POST" else unsubscribe_read(token)
    except BadUnsubscribeLink as exc:
        return render(request, "notifications/unsubscribe.html", {"error": str(exc)}, status=400)
    context = {"person": person, "topic": Topic(topic).label, "done": request.method == "POST"}
    return render(request, "notifications/unsubscribe.html", context)
