from django.urls import path

from tenure.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/transactions/", views.customer_transactions, name="transactions"),
    path("<int:customer_id>/channels/", views.customer_channels, name="channels"),
    path("<int:customer_id>/unmask/", views.customer_unmask_view, name="unmask"),
]
