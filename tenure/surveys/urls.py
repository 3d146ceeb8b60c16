from django.urls import path

from tenure.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/waves/new/", views.wave_new, name="wave_new"),
    path("<int:survey_id>/preview/", views.survey_preview, name="preview"),
    path("questions/<int:question_id>/", views.question_change, name="question_change"),
    path("questions/<int:question_id>/edit/", views.question_edit, name="question_edit"),
    path("<int:survey_id>/results/", views.survey_results, name="results"),
    path("<int:survey_id>/results.xlsx", views.survey_export, name="export"),
    path("waves/<int:wave_id>/reissue/", views.wave_reissue, name="wave_reissue"),
    path("waves/<int:wave_id>/callbacks/", views.wave_callbacks, name="wave_callbacks"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("callbacks/<int:callback_id>/done/", views.callback_done, name="callback_done"),
]
