"""Churn definition, signal thresholds and model settings: one place, overridable per bank.

Defaults are those of docs/churn.md. A bank overrides any key through the `TENURE_CHURN` setting
(a dict of the same shape), so the definition is explicit and versioned with the deployment
rather than buried in code. Money is yuan; horizons are month-ends because balances are
month-end facts.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "label": {
        # Churned: within the next `horizon_months` month-ends, AUM falls below `aum_share` of its
        # average over the last `lookback_months` month-ends, or every account is closed.
        "horizon_months": 3,
        "lookback_months": 6,
        "aum_share": 0.3,
        # Customers whose average is below this are too small for the share rule to mean anything.
        "min_avg_aum": 1000,
    },
    "signals": {
        "aum_drop": {"share": 0.3, "high_share": 0.5, "min_aum": 10000},
        "competitor_maturity": {"notice_days": 7},
        "tier_downgrade": {},
        "satisfaction_decline": {"drop": 2},
        "large_withdrawal": {"amount": 50000, "share_of_aum": 0.3, "min_amount": 10000, "vs_usual": 3},
        "relocation": {"days": 92},
        "rate_sensitive": {"td_share": 0.5, "min_td": 10000, "outflow_share": 0.5},
        "dormant_payroll": {"min_months": 3},
        "card_spend_collapse": {"share": 0.3, "min_monthly": 1000},
        "complaint": {"high_severity": 3},
    },
    "model": {
        "train_months": 12,
        # Reasons are computed while scoring for these bands (the top of the work queue); for the
        # rest when a page or the API first shows the score (TreeSHAP costs ≈ 0.34 ms a customer:
        # minutes for a million, 7 s for the 21k high-band customers of a generated 1M bank).
        "reasons_at_scoring": ["high"],
        # A reason is a feature that raises the customer's calibrated probability by at least this
        # much (0.01 = one percentage point): protective facts lower it and never show as reasons,
        # and a customer at 0 % has none ("no risk factor").
        "min_reason_uplift": 0.01,
        "num_leaves": 15,
        "n_estimators": 300,
        "learning_rate": 0.03,
        "min_child_samples": 20,
    },
    # docs/churn.md (Severity): the one severity of a customer's churn risk, shown by the queue, its
    # export, the at-risk list, the homes, the API and the 360° page (`tenure.churn.severity`).
    # High: probability ≥ `high`, or ≥ `medium` with a value at risk (probability × yearly
    # contribution, yuan) ≥ `value_at_risk_high`; medium: probability ≥ `medium`; low: the rest.
    # The grid in force is the active churn policy's (`tenure.churn.rules`, versioned): these are its
    # built-in values, like "alerts", "policy" and "signals".
    "severity": {"high": 0.3, "medium": 0.1, "value_at_risk_high": 2000},
    "alerts": {"sla_working_days": 3, "min_probability": 0.1, "key_tiers": ["platinum", "black_gold", "diamond"]},
    # docs/churn.md (let-go policy): rate-hoppers with low contribution may be let go; valuable
    # long-standing ones get preferential terms (a branch head approves). Value levels are the
    # pyramid's (key/important/ordinary/small).
    "policy": {"low_levels": ["small"], "high_levels": ["key", "important"], "long_tenure_years": 5},
    # docs/churn.md (retention lottery): invited after an AUM drop; eligible when AUM is back at the
    # month-end level before it.
    "lottery": {"causes": ["aum_drop"], "months_to_return": 1},
    "campaign": {"control_share": 0.2},
}


def merged(base: dict, override: dict) -> dict:
    """`base` with the keys of `override` replaced, nested dicts key by key."""
    out = deepcopy(base)
    for key, value in override.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def churn_config() -> dict[str, Any]:
    """The defaults with the deployment's `TENURE_CHURN` overrides applied. The policy's keys
    (severity, alerts, policy, signals) are read from `tenure.churn.rules.active_policy()` instead."""
    return merged(DEFAULTS, getattr(settings, "TENURE_CHURN", {}) or {})
