from django.apps import AppConfig


class ChurnConfig(AppConfig):
    name = "tenure.churn"
    label = "churn"
    verbose_name = "Churn early warning"

    def ready(self) -> None:
        from tenure.churn.models import Alert, ChurnScore
        from tenure.org.scoping import register_scope

        register_scope(Alert, "customer__branch_id")
        register_scope(ChurnScore, "customer__branch_id")
