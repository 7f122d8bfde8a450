from django.urls import path

from . import views

app_name = "roles"
urlpatterns = [
    path("", views.live_chart, name="live-chart"),
    path("charts/", views.chart_index, name="chart-list"),
    path("charts/<int:pk>/", views.chart_detail, name="chart-detail"),
    path("people/", views.people, name="person-list"),
]
