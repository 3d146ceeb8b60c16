from django.urls import path

from tenure.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("customers/", views.drill, name="drill"),
    path("scorecards.xlsx", views.scorecard_export, name="scorecard_export"),
    path("stars/", views.star_page, name="stars"),
    path("stars.xlsx", views.stars_export, name="stars_export"),
    path("stars/rules/", views.star_rules, name="star_rules"),
]
