"""Version 1 of the churn policy: the built-in grid, routing, let-go policy and signal thresholds
(docs/churn.md), so the rule-versions page and the editor start from a stored version. Copied
from `tenure.churn.config.DEFAULTS` as it stood: later changes to the defaults are new versions."""

from django.db import migrations

BUILT_IN = {
    "severity": {"high": 0.3, "medium": 0.1, "value_at_risk_high": 2000},
    "alerts": {"sla_working_days": 3, "min_probability": 0.1, "key_tiers": ["platinum", "black_gold", "diamond"]},
    "policy": {"low_levels": ["small"], "high_levels": ["key", "important"], "long_tenure_years": 5},
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
}


def seed(apps, schema_editor):
    apps.get_model("churn", "ChurnPolicy").objects.get_or_create(version=1, defaults={"rules": BUILT_IN})


class Migration(migrations.Migration):
    dependencies = [("churn", "0005_churn_policy")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
