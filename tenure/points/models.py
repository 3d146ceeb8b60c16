"""Merchant loyalty points (docs/points.md): a double-entry ledger.

Every movement is a `PointsJournal` with postings that sum to zero: a merchant's account against
one of the bank's three accounts (points issued, redeemed, expired). A merchant's balance is the
sum of its postings; `PointsAccount.balance` keeps that sum so lists need no aggregation, and is
updated in the same transaction as the postings. Nothing is ever edited or deleted: a refund that
takes a merchant back below a point it earned is a reversal journal, not a changed earning.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.core.models import VersionedRules
from tenure.customers.models import Merchant


class PointsRules(VersionedRules):
    """One immutable version of the earning table and the points' validity (see `rules.py`)."""

    class Meta(VersionedRules.Meta):
        verbose_name = _("points rules")
        verbose_name_plural = _("points rules")


class PointsAccount(models.Model):
    """A merchant's points, or one of the bank's own accounts (`merchant` empty).

    `volume_carry` and `count_carry` are what the merchant has accumulated towards its next point
    (yuan of non-capped card volume, number of capped transactions): refunds can make them negative
    for a while, which the next earning run turns into a reversal."""

    class Kind(models.TextChoices):
        MERCHANT = "merchant", _("Merchant")
        ISSUED = "issued", _("Points issued")
        REDEEMED = "redeemed", _("Points redeemed")
        EXPIRED = "expired", _("Points expired")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    merchant = models.OneToOneField(
        Merchant, null=True, blank=True, on_delete=models.PROTECT, related_name="points_account"
    )
    balance = models.BigIntegerField(_("balance (points)"), default=0)
    volume_carry = models.DecimalField(_("volume towards the next point"), max_digits=18, decimal_places=2, default=0)
    count_carry = models.IntegerField(_("capped transactions towards the next point"), default=0)

    class Meta:
        ordering = ["kind", "merchant_id"]
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(merchant__isnull=True), name="points_one_bank_account_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="merchant", merchant__isnull=False)
                | models.Q(merchant__isnull=True) & ~models.Q(kind="merchant"),
                name="points_merchant_account_has_merchant",
            ),
        ]

    def __str__(self) -> str:
        return self.merchant.merchant_no if self.merchant is not None else self.kind


class PointsJournal(models.Model):
    """One movement of points; its postings sum to zero. `key` makes posting it idempotent."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REVERSE = "reverse", _("Reversed (refunds)")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="points_journals")
    business_date = models.DateField(_("business date"), db_index=True)
    points = models.PositiveIntegerField(_("points"))
    rules_version = models.PositiveIntegerField(_("rules version"), null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-business_date", "-id"]
        verbose_name = _("points journal")
        verbose_name_plural = _("points journals")
        indexes = [models.Index(fields=["merchant", "business_date"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.points} {self.merchant_id} {self.business_date}"

    @property
    def signed(self) -> int:
        """The journal's effect on the merchant's balance: earned points add, every other kind takes away."""
        return self.points if self.kind == self.Kind.EARN else -self.points


class PointsPosting(models.Model):
    """One side of a journal: `points` added to (positive) or taken from (negative) `account`."""

    journal = models.ForeignKey(PointsJournal, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="postings")
    points = models.BigIntegerField(_("points"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("points posting")
        verbose_name_plural = _("points postings")

    def __str__(self) -> str:
        return f"{self.account_id} {self.points:+d}"


class PointsVolume(models.Model):
    """A merchant's card volume that counted towards points on one business date (purchases less
    refunds: yuan not capped, and the number of capped transactions). Kept so a corrected
    re-import of that date earns or reverses only the difference."""

    business_date = models.DateField(_("business date"))
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="points_volumes")
    volume = models.DecimalField(_("volume not capped (yuan)"), max_digits=18, decimal_places=2)
    capped_count = models.IntegerField(_("capped transactions"))

    class Meta:
        ordering = ["-business_date", "merchant_id"]
        verbose_name = _("points volume")
        verbose_name_plural = _("points volumes")
        constraints = [models.UniqueConstraint(fields=["business_date", "merchant"], name="points_volume_once_per_day")]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.business_date} {self.volume}/{self.capped_count}"


class PointsDay(models.Model):
    """A business date whose card volume has been turned into points, from the extract `source_digest`
    (`runs` times: once, plus once per corrected re-import)."""

    business_date = models.DateField(_("business date"), unique=True)
    source_digest = models.CharField(max_length=64)
    runs = models.PositiveIntegerField(_("times processed"), default=1)
    rules_version = models.PositiveIntegerField(_("rules version"))
    merchants = models.PositiveIntegerField(_("merchants with volume"), default=0)
    journals = models.PositiveIntegerField(_("journals posted"), default=0)
    processed_at = models.DateTimeField(_("processed at"), auto_now_add=True)

    class Meta:
        ordering = ["-business_date"]
        verbose_name = _("points earning day")
        verbose_name_plural = _("points earning days")

    def __str__(self) -> str:
        return str(self.business_date)
