from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tenure.web"
    label = "web"

    def ready(self) -> None:
        from tenure.web import signals  # noqa: F401  (connects the log-in audit receivers)
