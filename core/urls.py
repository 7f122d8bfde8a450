from django.urls import path

from . import import_views

app_name = "core"
urlpatterns = [
    path("<int:pk>/", import_views.import_job_page, name="import-job"),
]
