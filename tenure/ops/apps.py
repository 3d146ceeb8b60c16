from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "tenure.ops"
    label = "ops"
