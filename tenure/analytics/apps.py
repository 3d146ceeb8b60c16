from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tenure.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from tenure.analytics.models import CustomerValue
        from tenure.org.scoping import register_scope

        register_scope(CustomerValue, "customer__branch_id")
