from django.urls import path

from tenure.loyalty import views

app_name = "loyalty"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
]
