from django.urls import path

from tenure.customers import book_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("export.csv", views.customer_export, name="export"),
    path("export.xlsx", views.customer_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("book/", book_views.book_page, name="book"),
    path("book/move/", book_views.book_move, name="book_move"),
    path("book/deactivate/", book_views.deactivate_page, name="book_deactivate"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/transactions/", views.customer_transactions, name="transactions"),
    path("<int:customer_id>/channels/", views.customer_channels, name="channels"),
    path("<int:customer_id>/unmask/", views.customer_unmask_view, name="unmask"),
]
