from django.urls import path

from tenure.messaging import library_views, template_views, views

app_name = "messaging"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
    path("customers/<int:customer_id>/offer/", views.offer_send, name="offer_send"),
    path("templates/", template_views.template_list, name="templates"),
    path("library/", library_views.library_page, name="library"),
    path("templates/new/", template_views.template_create_view, name="template_create"),
    path("templates/<int:template_id>/", template_views.template_detail, name="template"),
    path("templates/<int:template_id>/draft/", template_views.template_draft_view, name="template_draft"),
    path("templates/versions/<int:version_id>/decide/", template_views.version_decide, name="version_decide"),
]
