from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tenure.org"
    label = "org"
