"""The earning table read in full, the five cells after its page break included (docs/points.md):
stored as the next version where the bank still earns by the built-in first reading (version 1,
saved by no one). A bank that saved its own version keeps it; a new bank starts from the full table
(`tenure.points.rules.DEFAULT_RULES`). Copied here as it stands: later readings are new versions."""

from django.db import migrations

WHOLE_TABLE = {
    "categories": {
        "general": {"yuan_per_point": "10000", "capped_txns_per_point": None},
        "wholesale": {"yuan_per_point": "10000", "capped_txns_per_point": 5},
        "dining": {"yuan_per_point": "15000", "capped_txns_per_point": None},
        "auto_realty": {"yuan_per_point": "25000", "capped_txns_per_point": 15},
        "livelihood": {"yuan_per_point": "25000", "capped_txns_per_point": 7},
    },
    "caps": {
        "wholesale": {
            "26": {"yuan_per_point": "10000", "capped_txns_per_point": 5},
            "30": {"yuan_per_point": "25000", "capped_txns_per_point": 5},
        },
        "auto_realty": {
            "35": {"yuan_per_point": "25000", "capped_txns_per_point": 15},
            "40": {"yuan_per_point": "25000", "capped_txns_per_point": 3},
        },
    },
    "preferential_below": "0.0800",
    "preferential_yuan_per_point": "60000",
    "expiry_months": 24,
}
NOTE = "积分表补全：批发类封顶30元、车房类封顶40元各自一行，优惠扣率低于0.08%的商户每¥60,000积1点"


def whole_table(apps, schema_editor):
    rules = apps.get_model("points", "PointsRules")
    latest = rules.objects.order_by("-version").first()
    if latest is not None and latest.version == 1 and latest.created_by_id is None:
        rules.objects.create(version=2, rules=WHOLE_TABLE, note=NOTE)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(whole_table, migrations.RunPython.noop)]
