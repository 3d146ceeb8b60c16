from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tenure.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from tenure.analytics import cache
        from tenure.analytics.models import CustomerValue
        from tenure.org.scoping import register_scope

        register_scope(CustomerValue, "customer__branch_id")
        # One data version a request (analytics.cache.data_version).
        request_started.connect(cache.request_started, dispatch_uid="tenure.analytics.cache.started")
        request_finished.connect(cache.request_finished, dispatch_uid="tenure.analytics.cache.finished")
