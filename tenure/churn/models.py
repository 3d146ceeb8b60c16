"""Churn models, scores and alerts in the operational DB."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.core.models import VersionedRules


class ChurnModel(models.Model):
    """One trained, calibrated model version; the booster and calibrator live in `path`."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    as_of = models.DateField(_("trained as of"))
    path = models.CharField(max_length=500)
    metrics = models.JSONField(_("metrics"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"churn model v{self.version} ({self.as_of})"


class ChurnScore(models.Model):
    """The latest score of a customer: calibrated probability, risk band, top-3 reasons."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="churn_score")
    business_date = models.DateField(_("business date"))
    model_version = models.PositiveIntegerField(_("model version"))
    probability = models.FloatField(_("churn probability"))
    band = models.CharField(_("risk band"), max_length=8)
    # None until computed: low-band reasons are worked out when the score is first shown.
    reasons = models.JSONField(_("reasons"), default=list, null=True)

    def __str__(self) -> str:
        return f"{self.customer_id} {self.probability:.3f}"


# Why an alert was raised, as staff read it (pages, exports and the workbench's task lines).
CAUSES = {
    "aum_drop": _("AUM down vs last month"),
    "competitor_maturity": _("Competitor product maturing"),
    "tier_downgrade": _("Tier downgrade warning"),
    "satisfaction_decline": _("Satisfaction decline"),
    "large_withdrawal": _("Large withdrawal"),
    "relocation": _("Moved to another city"),
    "rate_sensitive": _("Rate-sensitive: deposit left at maturity"),
    "dormant_payroll": _("Payroll stopped"),
    "card_spend_collapse": _("Card spending collapsed"),
    "complaint": _("Open complaint, or one resolved late"),
}


class Alert(models.Model):
    """A churn signal raised for a customer, routed to the RM (and branch head for key customers)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ESCALATED = "escalated", _("Escalated")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", _("Contacted")
        RETAINED = "retained", _("Retained")
        LOST = "lost", _("Lost")
        LET_GO = "let_go", _("Let go")

    class Policy(models.TextChoices):
        DO_NOT_CHASE = "do_not_chase", _("Do not chase (rate-hopper, low contribution)")
        PREFERENTIAL = "preferential", _("Preferential terms (high contribution, long tenure)")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="churn_alerts")
    cause = models.CharField(_("cause"), max_length=32)
    severity = models.CharField(_("severity"), max_length=8)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    business_date = models.DateField(_("raised on business date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="churn_alerts"
    )
    branch_head = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    probability = models.FloatField(_("churn probability"), default=0)
    contribution = models.DecimalField(_("contribution (yuan/year)"), max_digits=18, decimal_places=2, default=0)
    value_at_risk = models.FloatField(_("value at risk"), default=0)
    due_on = models.DateField(_("act by"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    policy = models.CharField(_("retention policy"), max_length=16, choices=Policy.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    acted_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-value_at_risk", "id"]
        constraints = [
            # Deduplicated per customer and cause: one alert stays open until acted on.
            models.UniqueConstraint(
                fields=["customer", "cause"], condition=~models.Q(status="closed"), name="churn_alert_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cause} {self.customer_id}"

    @property
    def detail_text(self) -> str:
        """The signal's figure in words with its unit (tenure.churn.display)."""
        from tenure.churn.display import alert_detail  # display formats with analytics and web helpers

        return alert_detail(self.cause, self.detail)


class ChurnPolicy(VersionedRules):
    """One immutable version of the churn policy: severity grid, alert routing and deadline, the
    let-go policy and the signal thresholds (`tenure.churn.rules`)."""

    class Meta(VersionedRules.Meta):
        verbose_name = _("churn policy")
        verbose_name_plural = _("churn policies")
