from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "tenure.offers"
    label = "offers"
    verbose_name = _("Offers and suitability")

    def ready(self) -> None:
        from tenure.offers.models import OfferCampaign, OfferCampaignMember, OfferResponse, RiskAssessment
        from tenure.org.scoping import register_scope

        register_scope(RiskAssessment, "customer__branch_id")
        register_scope(OfferResponse, "customer__branch_id")
        register_scope(OfferCampaign, "branch_id")
        register_scope(OfferCampaignMember, "customer__branch_id")
