from django.urls import path

from tenure.messaging import public_views

app_name = "messaging_public"
urlpatterns = [
    path("p/unsubscribe/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("hooks/messages/receipts/", public_views.receipts, name="receipts"),
    path("hooks/messages/replies/", public_views.replies, name="replies"),
]
