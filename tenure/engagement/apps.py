from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "tenure.engagement"
    verbose_name = _("Relationship maintenance")

    def ready(self) -> None:
        from tenure.customers.services import BOOK_MOVED
        from tenure.engagement.models import Task
        from tenure.engagement.tasks import tasks_follow_book, tasks_hand_over
        from tenure.org.scoping import register_scope
        from tenure.org.services import STAFF_DEACTIVATED

        register_scope(Task, "customer__branch_id")
        # Tasks follow the customers when a book moves, and a leaver's other tasks go to the successor.
        BOOK_MOVED.connect(tasks_follow_book, dispatch_uid="engagement.tasks_follow_book")
        STAFF_DEACTIVATED.connect(tasks_hand_over, dispatch_uid="engagement.tasks_hand_over")
