from django.urls import path

from tenure.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("potential/", views.potential, name="potential"),
    path("potential/export/", views.potential_export, name="potential_export"),
    path("rules/", views.rules, name="rules"),
    path("customers/<int:customer_id>/value/", views.customer_panel, name="customer_panel"),
]
