from django.urls import path

from tenure.surveys import public

app_name = "survey_public"
urlpatterns = [path("<str:token>/", public.answer, name="answer")]
