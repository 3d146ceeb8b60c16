from django.urls import path

from tenure.console import staff_views, views

app_name = "console"

urlpatterns = [
    path("", staff_views.staff_list, name="staff_list"),
    path("staff/new/", staff_views.staff_new, name="staff_new"),
    path("staff/<int:staff_id>/", staff_views.staff_edit, name="staff_edit"),
    path("staff/<int:staff_id>/deactivate/", staff_views.staff_deactivate_page, name="staff_deactivate"),
    path("branches/", views.branches, name="branches"),
    path("imports/", views.imports, name="imports"),
    path("imports/reports/<str:name>", views.import_report, name="import_report"),
    path("runs/", views.runs, name="runs"),
    path("config/", views.config_versions, name="config"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:staff_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
