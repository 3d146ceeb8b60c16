from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "tenure.ingest"
    label = "ingest"
