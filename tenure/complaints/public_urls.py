from django.urls import path

from tenure.complaints.public_views import public_complaint

app_name = "complaints_public"
urlpatterns = [path("", public_complaint, name="form")]
