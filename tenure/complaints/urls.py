from django.urls import path

from tenure.complaints import views

app_name = "complaints"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.intake, name="intake"),
    path("analytics/", views.analytics, name="analytics"),
    path("analytics/export.xlsx", views.analytics_export, name="analytics_export"),
    path("causes/", views.causes, name="causes"),
    path("<int:complaint_id>/", views.detail, name="detail"),
    path("<int:complaint_id>/transition/", views.transition, name="transition"),
    path("<int:complaint_id>/step/", views.step, name="step"),
    path("<int:complaint_id>/details/", views.details, name="details"),
    path("<int:complaint_id>/match/", views.match, name="match"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
]
