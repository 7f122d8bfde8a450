from django.contrib.auth.middleware import LoginRequiredMiddleware

API_PREFIX = "/api/"


class LoginRequiredExceptApiMiddleware(LoginRequiredMiddleware):
    """Every page needs a login, except the JSON API, which answers 401 to a missing bearer token."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
