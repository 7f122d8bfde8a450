from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"


class LoginRequiredExceptApiMiddleware(LoginRequiredMiddleware):
    """Every page needs a login, except the JSON API, which answers 401 to a missing bearer token.

    Views marked `login_not_required` (the login page, /healthz, /readyz) are let through before the
    session is read, so they answer even when the database holding the sessions is down."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(API_PREFIX) or not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PermissionsPolicyMiddleware:
    """Turns off the browser features the product never uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def client_ip_address(request: HttpRequest) -> str | None:
    """The address login failures are counted against (django-axes' AXES_CLIENT_IP_CALLABLE).

    Behind our HTTPS proxy every request comes from the proxy, so the client is the last address the
    proxy appended to X-Forwarded-For (earlier entries are whatever the client claimed). Without a
    proxy, the socket's peer."""
    if settings.BEHIND_HTTPS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
