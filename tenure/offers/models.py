"""The catalogue terms suitability needs beyond `customers.Product`, and customer risk assessments.

`ProductTerms` is one row per own product (issuer "BANK"), kept here rather than on `Product` so the
extract's product columns and Tenure's sales terms have separate owners: the extract says what a
product is (type, R1–R5, term, rate, maturity), analysts say how it is sold (minimum amount, target
tiers, sale window, fees). A product without a row has no minimum, no window and no target tiers.

`RiskAssessment` is an assessment recorded in Tenure (who, when, on which evidence). The extract's
`Customer.risk_tolerance` carries no date; it is read as an assessment of unknown date, which counts
as expired (`tenure.offers.selectors.current_assessment`, docs/offers.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import Customer, Product, RiskTolerance


class ProductTerms(models.Model):
    """How one of our products is sold: the catalogue fields suitability and the recommender read."""

    product = models.OneToOneField(
        Product, on_delete=models.CASCADE, related_name="terms", verbose_name=_("product"), primary_key=True
    )
    min_amount = models.DecimalField(
        _("minimum amount (yuan)"),
        max_digits=18,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    # Asset tier codes (analytics tiers, e.g. "gold"); empty: every tier. Used by the recommender.
    target_tiers = models.JSONField(_("target tiers"), default=list, blank=True)
    sale_from = models.DateField(_("on sale from"), null=True, blank=True)
    sale_to = models.DateField(_("on sale until"), null=True, blank=True)
    fees = models.TextField(_("fees"), blank=True)
    penalty = models.TextField(_("early-exit penalty"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("product terms")
        verbose_name_plural = _("product terms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sale_from__isnull=True)
                | models.Q(sale_to__isnull=True)
                | models.Q(sale_from__lte=models.F("sale_to")),
                name="offers_terms_window_ordered",
            ),
            models.CheckConstraint(condition=models.Q(min_amount__gte=0), name="offers_terms_min_amount_positive"),
        ]

    def __str__(self) -> str:
        return str(self.product)


class AssessmentSource(models.TextChoices):
    BRANCH = "branch", _("Branch questionnaire")
    ONLINE = "online", _("Online questionnaire")
    IMPORT = "import", _("Core banking extract")


class RiskAssessment(models.Model):
    """One risk assessment of a customer (C1–C5), valid from `assessed_on` until the day before
    `expires_on`. The latest by `assessed_on` (then id) is the customer's current one."""

    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.PROTECT,
        related_name="risk_assessments",
        verbose_name=_("customer"),
    )
    level = models.CharField(_("risk level"), max_length=2, choices=RiskTolerance.choices)
    assessed_on = models.DateField(_("assessed on"))
    expires_on = models.DateField(_("expires on"))
    professional = models.BooleanField(_("professional investor"), default=False)
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=AssessmentSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        indexes = [models.Index(fields=["customer", "-assessed_on"], name="offers_assessment_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("assessed_on")), name="offers_assessment_expires_after"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=RiskTolerance.values), name="offers_assessment_level_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.level} {self.assessed_on}"

    def valid_on(self, day: dt.date) -> bool:
        return self.assessed_on <= day < self.expires_on


class Outcome(models.TextChoices):
    PRESENTED = "presented", _("Presented")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    THINKING = "thinking", _("Will think about it")


class DeclineReason(models.TextChoices):
    RATE_TOO_LOW = "rate_too_low", _("Rate too low")
    NO_FUNDS = "no_funds", _("No funds available")
    RISK = "risk", _("Too risky for the customer")
    NOT_INTERESTED = "not_interested", _("Not interested")
    OTHER = "other", _("Other")


class OfferResponse(models.Model):
    """The customer's answer to one of our products, recorded by their RM: what the recommender
    learns from and what the scorecards count (accepted offers by RM and month).

    `form_key` comes with the form, so a double submit records one answer. Only a product that is
    suitable on the day can be presented or accepted (`services.offer_response_record`)."""

    form_key = models.CharField(max_length=64, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        on_delete=models.PROTECT,
        related_name="offer_responses",
        verbose_name=_("customer"),
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    outcome = models.CharField(_("answer"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=DeclineReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    responded_on = models.DateField(_("answered on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-responded_on", "-id"]
        verbose_name = _("offer response")
        verbose_name_plural = _("offer responses")
        indexes = [
            models.Index(fields=["customer", "-responded_on"], name="offers_response_customer"),
            models.Index(fields=["outcome", "responded_on"], name="offers_response_month"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome__in=Outcome.values), name="offers_response_outcome"),
            models.CheckConstraint(
                condition=models.Q(outcome=Outcome.DECLINED, reason__in=DeclineReason.values)
                | (~models.Q(outcome=Outcome.DECLINED) & models.Q(reason="")),
                name="offers_response_reason_iff_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.product_id} {self.outcome} {self.responded_on}"


class OfferCampaign(models.Model):
    """Customers whose nightly offers include one product type, split at random into a treated group
    (offered it) and a held-out control group (left alone), so adoption can be compared."""

    name = models.CharField(_("name"), max_length=100)
    branch = models.ForeignKey(
        "org.Branch", to_field="code", db_column="branch_code", on_delete=models.PROTECT, related_name="+"
    )
    product_type = models.CharField(
        _("product type"), max_length=16, choices=Product._meta.get_field("product_type").choices
    )
    min_score = models.FloatField(_("minimum chance"), default=0)
    control_share = models.FloatField(_("control share"))
    seed = models.PositiveIntegerField(_("random seed"))
    scored_on = models.DateField(_("scores of business date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    measured_at = models.DateTimeField(null=True)
    measured_upto = models.DateField(null=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class OfferCampaignMember(models.Model):
    class Group(models.TextChoices):
        TREATED = "treated", _("Treated")
        CONTROL = "control", _("Control")

    campaign = models.ForeignKey(OfferCampaign, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        Customer, to_field="customer_no", db_column="customer_no", on_delete=models.CASCADE, related_name="+"
    )
    group = models.CharField(max_length=8, choices=Group.choices)
    score = models.FloatField()
    adopted = models.BooleanField(null=True)  # opened a product of the type after the scores; None: not measured

    class Meta:
        ordering = ["campaign_id", "customer_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="offer_campaign_member_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.customer_id} {self.group}"
