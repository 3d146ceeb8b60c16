from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "tenure.points"
    label = "points"
    verbose_name = "Merchant loyalty points"

    def ready(self) -> None:
        from tenure.customers.models import Merchant
        from tenure.org.scoping import register_scope
        from tenure.points import models as m

        register_scope(Merchant, "branch_id")
        register_scope(m.PointsAccount, "merchant__branch_id")
        register_scope(m.PointsJournal, "merchant__branch_id")
