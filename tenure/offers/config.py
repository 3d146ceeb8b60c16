"""Suitability settings: the documented defaults, overridable per bank with `settings.OFFERS`.

Values the sources leave unconfirmed (RULES.md, "Investor suitability") are configuration, never a
hard-coded "the law says": how long an assessment counts, from which age the special duty of care
applies and to which product levels, which product types need an assessment at all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

TOP_K = 3  # offers shown and scored per customer: the three best product types

DEFAULTS: dict[str, Any] = {
    # An assessment counts for this many months from its date (RULES.md: unconfirmed, default one year).
    "ASSESSMENT_VALID_MONTHS": 12,
    # NFRA order 2025 No. 7: special care for older customers (exact duty unconfirmed; default 65).
    "SENIOR_AGE": 65,
    # Product levels a senior customer is not proposed (the duty needs an extra confirmation at sale).
    "SENIOR_RISK_LEVELS": ("R4", "R5"),
    # Product types sold under investor suitability: risk level against the assessment, assessment needed.
    "INVESTMENT_TYPES": ("wealth", "fund", "insurance"),
    # Product types bought with the customer's money: the minimum amount is compared with their AUM.
    "FUNDED_TYPES": ("current", "savings", "time_deposit", "wealth", "fund", "insurance"),
    # Yuan a year the bank expects to earn on one adoption of a product type: the nightly offers'
    # expected value is the chance of opening × this (a bank sets its own; these are placeholders of
    # the right order: net interest margin or fees on a typical ticket).
    "TYPE_MARGIN": {
        "current": 20,
        "savings": 40,
        "time_deposit": 400,
        "wealth": 1_200,
        "fund": 900,
        "insurance": 2_500,
        "loan": 4_000,
        "credit_card": 600,
    },
}


def offers_config() -> dict[str, Any]:
    """The defaults with the bank's `settings.OFFERS` on top (read each call: tests override it)."""
    return {**DEFAULTS, **getattr(settings, "OFFERS", {})}
