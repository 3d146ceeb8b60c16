from django.urls import path

from tenure.offers import views

app_name = "offers"
urlpatterns = [
    path("customers/<int:customer_id>/", views.customer_offers, name="customer"),
    path("customers/<int:customer_id>/assessment/", views.assessment_create, name="assessment"),
    path("customers/<int:customer_id>/responses/", views.response_create, name="response"),
    path("book/", views.book, name="book"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/measure/", views.campaign_measure, name="campaign_measure"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:product_id>/", views.terms_edit, name="terms_edit"),
]
