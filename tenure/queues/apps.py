from django.apps import AppConfig


class QueuesConfig(AppConfig):
    name = "tenure.queues"
    label = "queues"
    verbose_name = "Branch queues and waiting times"
