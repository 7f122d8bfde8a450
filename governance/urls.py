from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("incidents/", views.incident_index, name="incident-list"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident-detail"),
    path("data-sources/", views.data_source_index, name="data-source-list"),
    path("knowledge/", views.knowledge_asset_index, name="knowledge-asset-list"),
]
