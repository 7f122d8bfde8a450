from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoint_index, name="endpoint-list"),
    path("new/", views.endpoint_new, name="endpoint-new"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint-edit"),
    path("<int:pk>/enable/", views.endpoint_enable, name="endpoint-enable"),
    path("<int:pk>/disable/", views.endpoint_disable, name="endpoint-disable"),
    path("<int:pk>/test/", views.endpoint_test, name="endpoint-test"),
    path("<int:pk>/delete/", views.endpoint_remove, name="endpoint-delete"),
    path("<int:pk>/deliveries/", views.endpoint_deliveries, name="endpoint-deliveries"),
    path("deliveries/<int:pk>/resend/", views.delivery_send_again, name="delivery-resend"),
]
