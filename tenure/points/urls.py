from django.urls import path

from tenure.points import views

app_name = "points"
urlpatterns = [
    path("", views.points_list, name="list"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("<str:merchant_no>/", views.merchant_detail, name="merchant"),
    path("<str:merchant_no>/statement.xlsx", views.statement_export, name="statement_export"),
    path("<str:merchant_no>/redeem/", views.redeem, name="redeem"),
]
