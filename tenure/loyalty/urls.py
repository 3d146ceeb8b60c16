from django.urls import path

from tenure.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
]
