from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/plan/", views.plan_update, name="plan-update"),
    path("dashboard/heartbeat/", views.heartbeat_status, name="heartbeat"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own password views, in our layout (templates/registration/).
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("org/", include("roles.urls")),
    path("workflows/", include("workflows.urls")),
    path("governance/", include("governance.urls")),
    path("imports/", include("core.urls")),
    path("", include("hr.urls")),  # /people/import/… and the people exports beside the chart's, under /org/
    path("notifications/", include("notifications.urls")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path("oidc/", include("marops.sso")),  # single sign-on; 404 unless OIDC_* are set
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout (templates/403.html, 404.html); the 500 page needs no database.
handler500 = "marops.views.server_error"
