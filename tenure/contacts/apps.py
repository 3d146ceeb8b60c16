from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "tenure.contacts"
    label = "contacts"
    verbose_name = "Customer contacts"

    def ready(self) -> None:
        from tenure.contacts.models import Interaction
        from tenure.org.scoping import register_scope

        register_scope(Interaction, "customer__branch_id")
