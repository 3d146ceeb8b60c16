from django.urls import path

from tenure.customers import views

# The `customers` namespace also holds the 360° page (`customers:detail`) and the book pages
# (`customers:book…`): those compose other apps, so they live in the page layer and join the
# namespace in tenure/urls.py.
app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("export.xlsx", views.customer_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<int:customer_id>/transactions/", views.customer_transactions, name="transactions"),
    path("<int:customer_id>/channels/", views.customer_channels, name="channels"),
    path("<int:customer_id>/unmask/", views.customer_unmask_view, name="unmask"),
]
