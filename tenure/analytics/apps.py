from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tenure.analytics"
    label = "analytics"
    verbose_name = "Analytics"
