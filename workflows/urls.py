from django.urls import path

from . import views

app_name = "workflows"
urlpatterns = [
    path("", views.workflow_index, name="workflow-list"),
    path("new/", views.workflow_create, name="workflow-create"),
    path("mine/", views.owned_by_me, name="owned-by-me"),
    path("import/", views.inventory_import, name="inventory-import"),
    path("export.csv", views.inventory_export, name="inventory-export"),
    path("<int:pk>/", views.workflow_detail, name="workflow-detail"),
    path("<int:pk>/edit/", views.workflow_edit, name="workflow-edit"),
    path("<int:pk>/owner/", views.workflow_owner, name="workflow-owner"),
    path("<int:pk>/history/", views.workflow_history_page, name="workflow-history"),
    path("<int:pk>/steps/new/", views.step_create, name="step-create"),
    path("steps/<int:pk>/edit/", views.step_edit, name="step-edit"),
    path("steps/<int:pk>/delete/", views.step_remove, name="step-delete"),
    path("agents/", views.agent_index, name="agent-list"),
    path("platforms/", views.platform_index, name="platform-list"),
    path("platforms/new/", views.platform_add, name="platform-create"),
    path("flags/", views.flag_index, name="flag-list"),
]
