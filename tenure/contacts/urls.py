from django.urls import path

from tenure.contacts import views

app_name = "contacts"
urlpatterns = [
    path("customers/<int:customer_id>/", views.customer_interactions, name="customer_interactions"),
]
