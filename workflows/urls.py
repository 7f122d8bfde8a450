from django.urls import path

from . import views

app_name = "workflows"
urlpatterns = [
    path("", views.workflow_index, name="workflow-list"),
    path("<int:pk>/", views.workflow_detail, name="workflow-detail"),
    path("agents/", views.agent_index, name="agent-list"),
    path("platforms/", views.platform_index, name="platform-list"),
    path("flags/", views.flag_index, name="flag-list"),
]
