"""Results of the nightly pipeline kept in the operational DB so pages read them instantly.

The Parquet outputs under ``<TENURE_HOME>/analytics/`` are the full record; these tables hold
what pages need: each customer's current value (`CustomerValue`), asset-tier changes
(`TierEvent`), one row per nightly step and date (`NightlyRun`, whose `detail` carries the
bank-wide and per-branch aggregates) and the versioned rules (`AnalyticsConfig`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.core.models import VersionedRules
from tenure.customers.models import Customer


class AssetTier(models.TextChoices):
    DIAMOND = "diamond", _("Diamond")
    BLACK_GOLD = "black_gold", _("Black-gold")
    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    STANDARD = "standard", _("Standard")


class ValueLevel(models.TextChoices):
    """The pyramid by contribution (docs/features.md): 关键 1%, 重要 19%, 普通 30%, 小 50% by default."""

    KEY = "key", _("Key")
    IMPORTANT = "important", _("Important")
    ORDINARY = "ordinary", _("Ordinary")
    SMALL = "small", _("Small")


class Suggestion(models.TextChoices):
    """Cultivation advice (docs/features.md)."""

    KEY_ACCOUNT = "key_account", _("Dedicated team")
    CULTIVATE = "cultivate", _("Cultivate: more visits and calls")
    MAINTAIN = "maintain", _("Maintain")
    REDUCE_COST = "reduce_cost", _("Reduce service cost")
    CHEAPER_CHANNEL = "cheaper_channel", _("Cheaper channels")
    REVIEW_LOSS = "review_loss", _("Loss-making: review")


class AnalyticsConfig(VersionedRules):
    """One immutable version of the tier rules, margins and pyramid shares (see `config.py`)."""

    class Meta(VersionedRules.Meta):
        verbose_name = _("analytics configuration")
        verbose_name_plural = _("analytics configurations")


class NightlyRun(models.Model):
    """The state of one step for one business date; `run_key` identifies its inputs and config.

    A step is skipped when its row is done with the same `run_key`, so re-running a date writes
    nothing. `published` marks the run whose output `CustomerValue` currently reflects.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    business_date = models.DateField(_("business date"))
    step = models.CharField(_("step"), max_length=32)
    run_key = models.CharField(max_length=64)
    config_version = models.PositiveIntegerField(_("config version"))
    engine = models.CharField(_("engine"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    output_digest = models.CharField(max_length=64, blank=True)
    rows = models.PositiveBigIntegerField(_("output rows"), default=0)
    written = models.JSONField(_("rows written per output"), default=dict)
    seconds = models.FloatField(_("seconds"), default=0)
    detail = models.JSONField(_("aggregates"), default=dict)
    error = models.TextField(_("error"), blank=True)
    published = models.BooleanField(_("published to the DB"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["business_date", "step"], name="one_run_per_step_and_date")]
        ordering = ["-business_date", "step"]
        verbose_name = _("nightly run")
        verbose_name_plural = _("nightly runs")

    def __str__(self) -> str:
        return f"{self.business_date} {self.step} {self.status}"


class CustomerValue(models.Model):
    """A customer's current tier, value level, contribution, key features and potential.

    As of the business date of the published `NightlyRun` of step "customer_values" (kept
    there, not per row, so a new date rewrites only the customers whose values changed).
    Money in yuan; `contribution` is estimated annual profit. `customer` does not enforce a
    foreign key in the DB: the lake may know customers a partial import has not yet loaded.
    """

    customer = models.OneToOneField(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="value",
    )
    config_version = models.PositiveIntegerField(_("config version"))
    branch_code = models.CharField(_("branch"), max_length=16, db_index=True)
    aum = models.DecimalField(_("AUM"), max_digits=18, decimal_places=2)
    aum_change_1m = models.DecimalField(_("AUM change, 1 month"), max_digits=18, decimal_places=2, null=True)
    avg_daily_aum_3m = models.DecimalField(_("3-month average daily AUM"), max_digits=18, decimal_places=2)
    product_count = models.PositiveIntegerField(_("products held"))
    last_transaction_on = models.DateField(_("last own transaction"), null=True)
    frequency_90d = models.PositiveIntegerField(_("transactions, 90 days"))
    has_payroll = models.BooleanField(_("payroll-like inflows"))
    next_competitor_maturity = models.DateField(_("next competitor product maturity"), null=True)
    asset_tier = models.CharField(_("asset tier"), max_length=16, choices=AssetTier.choices, db_index=True)
    previous_tier = models.CharField(_("previous tier"), max_length=16, choices=AssetTier.choices, blank=True)
    downgrade_warning = models.BooleanField(_("downgrade warning"))
    contribution = models.DecimalField(_("contribution (yuan/year)"), max_digits=18, decimal_places=2)
    contribution_rank = models.PositiveIntegerField(_("contribution rank"))
    value_level = models.CharField(_("value level"), max_length=16, choices=ValueLevel.choices, db_index=True)
    branch_value_level = models.CharField(_("value level in branch"), max_length=16, choices=ValueLevel.choices)
    potential_score = models.FloatField(_("upgrade potential"))
    likely_tier_riser = models.BooleanField(_("likely to reach the next tier"))
    likely_level_riser = models.BooleanField(_("likely to reach the next value level"))
    suggestion = models.CharField(_("suggestion"), max_length=16, choices=Suggestion.choices)
    loss_making = models.BooleanField(_("loss-making"))

    # Not stored: set for display by `selectors.next_tier_targets` (None on the highest tier).
    next_tier: str | None
    next_tier_min: Decimal | None
    gap: Decimal | None  # the next tier's threshold − the tier basis, at least 0
    advice: str  # the cultivation advice in words (tenure.analytics.advice)
    score_driver: str  # "tier" or "level": which progress the potential score measures

    class Meta:
        ordering = ["customer_id"]
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.asset_tier}/{self.value_level}"


class TierEvent(models.Model):
    """An asset-tier change between the previous business date and `business_date`."""

    customer = models.ForeignKey(
        Customer,
        to_field="customer_no",
        db_column="customer_no",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="tier_events",
    )
    business_date = models.DateField(_("business date"), db_index=True)
    from_tier = models.CharField(_("from"), max_length=16, choices=AssetTier.choices)
    to_tier = models.CharField(_("to"), max_length=16, choices=AssetTier.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=[("up", _("upgrade")), ("down", _("downgrade"))])
    tier_basis = models.DecimalField(_("tier basis (yuan)"), max_digits=18, decimal_places=2)
    config_version = models.PositiveIntegerField(_("config version"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "business_date"], name="one_tier_event_per_customer_and_date")
        ]
        ordering = ["customer_id", "-business_date"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.business_date} {self.from_tier}→{self.to_tier}"
