from django.urls import path

from tenure.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/export.xlsx", views.audit_export_xlsx, name="audit_export_xlsx"),
]
