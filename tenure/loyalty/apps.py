from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    """Loyalty measurement pages: retention, survival, CLV, thank-you list and their XLSX exports."""

    name = "tenure.loyalty"
    label = "loyalty"
    verbose_name = "Loyalty measurement"
