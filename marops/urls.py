from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/plan/", views.plan_update, name="plan-update"),
    path("dashboard/heartbeat/", views.heartbeat_status, name="heartbeat"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("org/", include("roles.urls")),
    path("workflows/", include("workflows.urls")),
    path("governance/", include("governance.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
