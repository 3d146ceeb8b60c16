from django.urls import path

from tenure.performance import views, views_insight

app_name = "performance"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("customers/", views.drill, name="drill"),
    path("scorecards.xlsx", views.scorecard_export, name="scorecard_export"),
    path("stars/", views.star_page, name="stars"),
    path("stars.xlsx", views.stars_export, name="stars_export"),
    path("stars/rules/", views.star_rules, name="star_rules"),
    path("competitors/", views_insight.competitor_page, name="competitors"),
    path("competitors/offerings/new/", views_insight.offering_edit, name="offering_new"),
    path("competitors/offerings/<int:product_id>/", views_insight.offering_edit, name="offering_edit"),
    path("competitors/offerings/<int:product_id>/retire/", views_insight.offering_retire, name="offering_retire"),
    path("competitors/visits/new/", views_insight.mystery_edit, name="mystery_new"),
    path("competitors/visits/<int:shop_id>/", views_insight.mystery_edit, name="mystery_edit"),
    path("competitors/visits/<int:shop_id>/withdraw/", views_insight.mystery_retire, name="mystery_retire"),
    path("evaluation/", views_insight.evaluation_page, name="evaluation"),
    path("evaluation.xlsx", views_insight.evaluation_export, name="evaluation_export"),
]
