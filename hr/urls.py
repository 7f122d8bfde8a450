"""The people import's pages (upload → mapping → roles → preview → apply) and the people exports, which
sit beside the chart's own exports under /org/."""

from django.urls import path

from . import views

app_name = "hr"
urlpatterns = [
    path("people/import/", views.people_import_upload, name="people-import"),
    path("people/import/<int:pk>/", views.people_import_detail, name="people-import-detail"),
    path("people/import/<int:pk>/mapping/", views.people_import_mapping, name="people-import-mapping"),
    path("people/import/<int:pk>/roles/", views.people_import_roles, name="people-import-roles"),
    path("org/people/export.csv", views.people_export, {"fmt": "csv"}, name="people-export-csv"),
    path("org/people/export.xlsx", views.people_export, {"fmt": "xlsx"}, name="people-export-xlsx"),
    path("org/charts/<int:pk>/people.csv", views.chart_people_export, {"fmt": "csv"}, name="chart-people-csv"),
    path("org/charts/<int:pk>/people.xlsx", views.chart_people_export, {"fmt": "xlsx"}, name="chart-people-xlsx"),
]
