from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tenure.customers"
    label = "customers"

    def ready(self) -> None:
        """Book management's hooks (docs/book.md): a leaver's book follows the deactivation, and each
        customers import is checked against the moves made in Tenure. The RM history is scoped."""
        from tenure.core.signals import ROWS_UPSERTED
        from tenure.customers.models import RmAssignment
        from tenure.customers.services import book_hand_over, book_import_check
        from tenure.org.scoping import register_scope
        from tenure.org.services import STAFF_DEACTIVATED

        register_scope(RmAssignment, "customer__branch_id")
        STAFF_DEACTIVATED.connect(book_hand_over, dispatch_uid="customers.book_hand_over")
        ROWS_UPSERTED.connect(book_import_check, dispatch_uid="customers.book_import_check")
