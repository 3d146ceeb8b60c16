"""Asset tiers by AUM (MISSION S2) and what counts as AUM."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenure.customers.models import ProductType

# Assets under management: deposits and investment products; loans and credit cards are not AUM.
AUM_PRODUCT_TYPES = frozenset(
    {
        ProductType.CURRENT,
        ProductType.SAVINGS,
        ProductType.TIME_DEPOSIT,
        ProductType.WEALTH,
        ProductType.FUND,
        ProductType.INSURANCE,
    }
)


class AssetTier(models.TextChoices):
    DIAMOND = "diamond", _("Diamond")
    BLACK_GOLD = "black_gold", _("Black-gold")
    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    STANDARD = "standard", _("Standard")


# Lower bounds in yuan, highest first (the bank-card example of seed 002).
TIER_THRESHOLDS: tuple[tuple[AssetTier, Decimal], ...] = (
    (AssetTier.DIAMOND, Decimal("10000000")),
    (AssetTier.BLACK_GOLD, Decimal("1000000")),
    (AssetTier.PLATINUM, Decimal("300000")),
    (AssetTier.GOLD, Decimal("100000")),
)


def provisional_asset_tier(aum: Decimal | float | int | None) -> AssetTier:
    """Tier from AUM in yuan at the latest business date.

    Provisional: the nightly pipeline will store the official tier (with its history) per
    customer; until then every page computes it here, from the latest balances, in one place.
    """
    value = Decimal(str(aum or 0))
    for tier, floor in TIER_THRESHOLDS:
        if value >= floor:
            return tier
    return AssetTier.STANDARD
