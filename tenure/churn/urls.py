from django.urls import path

from tenure.churn import views

app_name = "churn"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("assign/", views.assign, name="assign"),
    path("at-risk.xlsx", views.at_risk_xlsx, name="at_risk_export"),
    path("at-risk/card/", views.at_risk_card, name="at_risk_card"),
    path("customers/<int:customer_id>/act/", views.act, name="act"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("model/", views.model_page, name="model"),
    path("model.json", views.model_json, name="model_json"),
    path("policy/", views.policy_edit, name="policy"),
    path("policy/signals/", views.signal_thresholds, name="signals"),
]
