from django.urls import path

from tenure.queues import views

app_name = "queues"
urlpatterns = [
    path("", views.queues_page, name="page"),
    path("queues.xlsx", views.queues_export, name="export"),
    path("target/", views.target_edit, name="target"),
]
