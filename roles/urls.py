from django.urls import path

from . import views

app_name = "roles"
urlpatterns = [
    path("", views.live_chart, name="live-chart"),
    path("charts/", views.chart_index, name="chart-list"),
    path("charts/import/", views.chart_import_view, name="chart-import"),
    path("charts/<int:pk>/", views.chart_detail, name="chart-detail"),
    path("charts/<int:pk>/clone/", views.chart_clone_view, name="chart-clone"),
    path("charts/<int:pk>/adopt/", views.chart_adopt_view, name="chart-adopt"),
    path("charts/<int:pk>/delete/", views.chart_delete_view, name="chart-delete"),
    path("charts/<int:pk>/export.csv", views.chart_export, {"fmt": "csv"}, name="chart-export-csv"),
    path("charts/<int:pk>/chart.svg", views.chart_export, {"fmt": "svg"}, name="chart-export-svg"),
    path("charts/<int:pk>/print/", views.chart_print, name="chart-print"),
    path("charts/<int:chart_pk>/positions/new/", views.position_create, name="position-create"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position-edit"),
    path("positions/<int:pk>/delete/", views.position_remove, name="position-delete"),
    path("positions/<int:pk>/vacate/", views.position_vacate, name="position-vacate"),
    path("positions/<int:pk>/history/", views.position_history_page, name="position-history"),
    path("positions/<int:pk>/branch/", views.position_branch, name="position-branch"),
    path("positions/<int:pk>/move/", views.position_move_view, name="position-move"),
    path("charts/<int:pk>/search/", views.chart_search, name="chart-search"),
    path("compare/", views.chart_compare_view, name="chart-compare"),
    path("people/", views.people, name="person-list"),
    path("people/new/", views.person_edit, name="person-create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
]
