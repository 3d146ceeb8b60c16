from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "tenure.messaging"
    label = "messaging"
    verbose_name = _("Customer messages")

    def ready(self) -> None:
        from tenure.messaging.models import ConsentChange, Message
        from tenure.org.scoping import register_scope

        register_scope(Message, "customer__branch_id")
        register_scope(ConsentChange, "customer__branch_id")
